#include "core/log.h"

#include <boost/core/null_deleter.hpp>
#include <boost/log/attributes/value_extraction.hpp>
#include <boost/log/core.hpp>
#include <boost/log/expressions.hpp>
#include <boost/log/keywords/channel.hpp>
#include <boost/log/sinks/sync_frontend.hpp>
#include <boost/log/sinks/text_ostream_backend.hpp>
#include <boost/log/support/date_time.hpp>
#include <boost/log/utility/setup/common_attributes.hpp>
#include <boost/shared_ptr.hpp>
#include <boost/make_shared.hpp>
#include <fstream>
#include <iostream>
#include <mutex>
#include <stdexcept>

namespace explainer::core {

namespace logging = boost::log;
namespace expr = boost::log::expressions;
namespace sinks = boost::log::sinks;

BOOST_LOG_ATTRIBUTE_KEYWORD(channel_attr, "Channel", std::string)
BOOST_LOG_ATTRIBUTE_KEYWORD(severity_attr, "Severity", Severity)

Severity parse_severity(const std::string& name) {
  if (name == "trace") return Severity::trace;
  if (name == "debug") return Severity::debug;
  if (name == "info") return Severity::info;
  if (name == "warning" || name == "warn") return Severity::warning;
  if (name == "error") return Severity::error;
  if (name == "fatal") return Severity::fatal;
  throw std::invalid_argument("unknown log level '" + name +
                              "' (expected trace, debug, info, warning, error or fatal)");
}

namespace {
using TextSink = sinks::synchronous_sink<sinks::text_ostream_backend>;
std::mutex g_sink_mutex;
boost::shared_ptr<TextSink> g_sink;
}  // namespace

void init_logging(const LogOptions& options) {
  std::lock_guard<std::mutex> lock(g_sink_mutex);
  auto core = logging::core::get();
  if (g_sink) {
    core->remove_sink(g_sink);
    g_sink.reset();
  }
  auto backend = boost::make_shared<sinks::text_ostream_backend>();
  if (options.file.empty()) {
    backend->add_stream(boost::shared_ptr<std::ostream>(&std::clog, boost::null_deleter()));
  } else {
    auto stream = boost::make_shared<std::ofstream>(options.file, std::ios::app);
    if (!*stream) throw std::runtime_error("cannot open log file " + options.file);
    backend->add_stream(stream);
  }
  backend->auto_flush(true);
  auto sink = boost::make_shared<TextSink>(backend);
  sink->set_filter(severity_attr >= options.min_severity);
  sink->set_formatter(expr::stream
                      << expr::format_date_time<boost::posix_time::ptime>("TimeStamp",
                                                                          "%Y-%m-%dT%H:%M:%S.%f")
                      << " " << severity_attr << " [" << channel_attr << "] " << expr::smessage);
  core->add_sink(sink);
  logging::add_common_attributes();
  g_sink = sink;
}

Logger make_logger(const std::string& channel) {
  return Logger(logging::keywords::channel = channel);
}

}  // namespace explainer::core
