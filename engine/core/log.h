// Logging facade over Boost.Log.
//
// One line per event: time, severity, channel, message. Rule: nothing that identifies
// a patient (names, MRNs, birth dates, accession numbers, report text) may be logged
// above debug. Log control ids, hashed accessions (core/redact.h), finding ids, counts.
//
// Thread safety: the logger is global and safe to use from any thread after
// init_logging() (or without it: Boost.Log's default sink writes to stderr).
#pragma once

#include <boost/log/sources/record_ostream.hpp>
#include <boost/log/sources/severity_channel_logger.hpp>
#include <boost/log/trivial.hpp>
#include <string>

namespace explainer::core {

using Severity = boost::log::trivial::severity_level;

struct LogOptions {
  Severity min_severity = Severity::info;
  std::string file;  // empty: standard error
};

// Parses "trace", "debug", "info", "warning", "error", "fatal". Throws std::invalid_argument.
Severity parse_severity(const std::string& name);

// Installs the sink and format. Safe to call more than once (replaces the previous sink).
void init_logging(const LogOptions& options);

using Logger = boost::log::sources::severity_channel_logger_mt<Severity, std::string>;

// A logger for one channel ("transport.mllp", "store", "delivery", ...). Cheap to keep
// as a function-local static.
Logger make_logger(const std::string& channel);

}  // namespace explainer::core

// EXPLAINER_LOG(logger, info) << "message_accepted control_id=" << id;
#define EXPLAINER_LOG(logger, sev) BOOST_LOG_SEV(logger, ::boost::log::trivial::sev)
