// explainer parse / send / receive.
#include <Poco/File.h>
#include <Poco/Path.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <signal.h>

#include <atomic>
#include <fstream>
#include <iostream>
#include <sstream>

#include "app/cli.h"
#include "extract/extract.h"
#include "hl7v2/hl7v2.h"
#include "transport/mllp_client.h"
#include "transport/mllp_listener.h"

namespace explainer::app {

namespace {

std::vector<std::string> split_csv(const std::string& value) {
  std::vector<std::string> out;
  std::stringstream in(value);
  for (std::string item; std::getline(in, item, ',');) {
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

bool split_host_port(const std::string& spec, std::string& host, std::uint16_t& port) {
  const auto colon = spec.rfind(':');
  std::string port_text = spec;
  host = "127.0.0.1";
  if (colon != std::string::npos) {
    host = spec.substr(0, colon);
    port_text = spec.substr(colon + 1);
  }
  try {
    const int p = std::stoi(port_text);
    if (p < 0 || p > 65535) return false;
    port = static_cast<std::uint16_t>(p);
    return !host.empty();
  } catch (const std::exception&) {
    return false;
  }
}

// HL7 segments end in CR; show them one per line.
std::string printable(std::string text) {
  for (auto& c : text) {
    if (c == '\r') c = '\n';
  }
  return text;
}

void write_report_json(rapidjson::Writer<rapidjson::StringBuffer>& w, const core::ReportView& r) {
  w.StartObject();
  w.Key("group");
  w.Int(r.group_index);
  w.Key("accession");
  w.String(r.accession.c_str());
  w.Key("status");
  w.String(r.status.c_str());
  w.Key("released");
  w.Bool(r.released);
  w.Key("impression");
  w.String(r.impression.c_str(), static_cast<rapidjson::SizeType>(r.impression.size()));
  w.Key("impression_source");
  w.String(core::to_string(r.impression_source));
  w.Key("study_name");
  w.String(r.study_name.c_str());
  w.Key("modality");
  w.String(r.modality.c_str());
  w.Key("body_region");
  w.String(r.body_region.c_str());
  w.Key("patient_language");
  w.String(r.patient_language.c_str());
  w.EndObject();
}

}  // namespace

int cli_parse(const Args& args, std::ostream& out, std::ostream& err) {
  OptionScanner opts(args);
  const bool json = opts.flag("json");
  std::string released = "F,C";
  opts.value("released", released);
  const auto files = opts.positional();
  if (!opts.unknown_option().empty() || files.size() != 1) {
    err << "usage: explainer parse [--json] [--released F,C] FILE\n";
    return 2;
  }
  std::string bytes;
  try {
    bytes = read_file(files.front());
  } catch (const std::exception& e) {
    err << "explainer: " << e.what() << "\n";
    return 1;
  }
  const auto parsed = hl7v2::parse(bytes);
  if (!parsed.ok()) {
    err << "explainer: not a readable HL7 v2 message: " << parsed.error.text << " (at "
        << parsed.error.location.format() << ", HL7 error " << parsed.error.code << ")\n";
    return 1;
  }
  const hl7v2::Message& message = *parsed.message;
  extract::ExtractOptions options;
  options.released_statuses = split_csv(released);
  const auto reports = extract::extract_reports(message, options);
  const auto& h = message.header();

  if (json) {
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
    w.StartObject();
    w.Key("message_type");
    w.String(h.message_type().c_str());
    w.Key("control_id");
    w.String(h.control_id.c_str());
    w.Key("version");
    w.String(h.version.c_str());
    w.Key("character_set");
    w.String(h.character_set.c_str());
    w.Key("segments");
    w.Uint64(message.segment_count());
    w.Key("reports");
    w.StartArray();
    for (const auto& r : reports) write_report_json(w, r);
    w.EndArray();
    w.EndObject();
    out << buffer.GetString() << "\n";
    return 0;
  }

  out << hl7v2::dump_structure(message);
  out << "\n";
  if (reports.empty()) out << "No OBR groups: nothing to explain.\n";
  for (const auto& r : reports) {
    out << "Report " << (r.group_index + 1) << ": accession " << r.accession << ", status "
        << (r.status.empty() ? "(none)" : r.status) << " -> "
        << (r.released ? "released" : "not released (passes through unenriched)") << "\n";
    out << "  study: " << r.study_name << " | modality " << (r.modality.empty() ? "?" : r.modality)
        << " | body region " << (r.body_region.empty() ? "?" : r.body_region)
        << " | language " << (r.patient_language.empty() ? "?" : r.patient_language) << "\n";
    if (r.impression.empty()) {
      out << "  impression: (none found)\n";
    } else {
      out << "  impression (from " << core::to_string(r.impression_source) << "):\n";
      std::stringstream lines(r.impression);
      for (std::string line; std::getline(lines, line);) out << "    " << line << "\n";
    }
  }
  return 0;
}

int cli_send(const Args& args, std::ostream& out, std::ostream& err) {
  OptionScanner opts(args);
  std::string target, timeout_text = "30";
  const bool have_target = opts.value("mllp", target);
  opts.value("timeout", timeout_text);
  const auto files = opts.positional();
  std::string host;
  std::uint16_t port = 0;
  if (!opts.unknown_option().empty() || !have_target || files.empty() ||
      !split_host_port(target, host, port) || port == 0) {
    err << "usage: explainer send --mllp HOST:PORT [--timeout SECONDS] FILE...\n";
    return 2;
  }
  transport::MllpClientConfig config;
  config.host = host;
  config.port = port;
  transport::MllpClient client(config);
  const auto timeout = std::chrono::milliseconds(static_cast<long>(std::stod(timeout_text) * 1000));
  int failures = 0;
  for (const auto& file : files) {
    std::vector<std::string> messages;
    try {
      messages = split_hl7_batch(read_file(file));
    } catch (const std::exception& e) {
      err << "explainer: " << e.what() << "\n";
      return 1;
    }
    for (const auto& message : messages) {
      const auto result = client.send(message, timeout);
      if (!result.ok()) {
        err << "explainer: " << file << ": " << transport::to_string(result.status) << ": "
            << result.message << "\n";
        ++failures;
        continue;
      }
      out << printable(result.response);
      if (!result.response.empty() && result.response.back() != '\r') out << "\n";
      // A positive ACK is AA or CA in MSA-1, and MSA-2 must name the message we sent.
      const auto sent = hl7v2::parse(message);
      const auto ack = hl7v2::parse(result.response);
      bool positive = false;
      if (ack.ok()) {
        if (auto msa = ack.message->find("MSA")) {
          const auto seg = ack.message->segment(*msa);
          const std::string code = seg.text(1);
          const std::string acked_id = seg.text(2);
          positive = (code == "AA" || code == "CA") &&
                     (!sent.ok() || acked_id == sent.message->header().control_id);
          if (sent.ok() && acked_id != sent.message->header().control_id) {
            err << "explainer: ACK names control id '" << acked_id << "', expected '"
                << sent.message->header().control_id << "'\n";
          }
        }
      }
      if (!positive) ++failures;
    }
  }
  return failures == 0 ? 0 : 1;
}

namespace {

// Stores every received message as a file and answers with a configurable ACK code.
class ReceivingHandler final : public transport::MllpHandler {
 public:
  ReceivingHandler(std::string dir, std::string ack_code) : dir_(std::move(dir)), code_(std::move(ack_code)) {}

  std::string on_frame(std::string_view payload, const transport::ConnectionContext&) override {
    const auto parsed = hl7v2::parse(payload);
    const long n = ++sequence_;
    std::string id = parsed.ok() ? parsed.message->header().control_id : std::string("unparsed");
    for (auto& c : id) {
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') c = '_';
    }
    char prefix[16];
    std::snprintf(prefix, sizeof prefix, "%06ld", n);
    const std::string final_path = dir_ + "/" + prefix + "-" + id + ".hl7";
    const std::string temp_path = final_path + ".tmp";
    {
      std::ofstream file(temp_path, std::ios::binary);
      file.write(payload.data(), static_cast<std::streamsize>(payload.size()));
    }
    std::rename(temp_path.c_str(), final_path.c_str());
    ++count_;  // counted once the file is in place
    hl7v2::AckRequest request;
    request.status = code_ == "AA" ? hl7v2::AckStatus::kAccept
                     : code_ == "AE" ? hl7v2::AckStatus::kError
                                     : hl7v2::AckStatus::kReject;
    if (request.status != hl7v2::AckStatus::kAccept) {
      request.errors.push_back({hl7v2::error_code::kApplicationInternalError, {},
                                hl7v2::Severity::kError, "refused by explainer receive --ack"});
    }
    return parsed.ok() ? hl7v2::build_ack(*parsed.message, request)
                       : hl7v2::build_ack_for_unparsed(payload, request);
  }

  std::string on_oversize(std::size_t, std::string_view, const transport::ConnectionContext&) override {
    return {};
  }

  long count() const { return count_.load(); }

 private:
  std::string dir_;
  std::string code_;
  std::atomic<long> sequence_{0};
  std::atomic<long> count_{0};
};

}  // namespace

int cli_receive(const Args& args, std::ostream& out, std::ostream& err) {
  OptionScanner opts(args);
  std::string target, dir, ack = "AA", count_text = "0";
  const bool have_target = opts.value("mllp", target);
  const bool have_dir = opts.value("out", dir);
  opts.value("ack", ack);
  opts.value("count", count_text);
  std::string host;
  std::uint16_t port = 0;
  if (!opts.unknown_option().empty() || !have_target || !have_dir || !opts.positional().empty() ||
      !split_host_port(target, host, port) || (ack != "AA" && ack != "AE" && ack != "AR")) {
    err << "usage: explainer receive --mllp [HOST:]PORT --out DIR [--ack AA|AE|AR] [--count N]\n";
    return 2;
  }
  Poco::File(dir).createDirectories();
  // Block the stop signals before any thread starts, so sigwait below receives them.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);

  auto handler = std::make_shared<ReceivingHandler>(dir, ack);
  transport::MllpListenerConfig config;
  config.name = "receive";
  config.bind_address = host;
  config.port = port;
  transport::MllpListener listener(config, handler);
  try {
    listener.start();
  } catch (const std::exception& e) {
    err << "explainer: cannot listen on " << target << ": " << e.what() << "\n";
    return 1;
  }
  err << "explainer receive: listening on " << host << ":" << listener.port() << ", writing to "
      << dir << "\n";
  const long wanted = std::stol(count_text);
  if (wanted > 0) {
    while (handler->count() < wanted) {
      timespec poll{0, 50'000'000};
      siginfo_t info;
      if (sigtimedwait(&set, &info, &poll) > 0) break;
    }
  } else {
    int sig = 0;
    sigwait(&set, &sig);
  }
  listener.stop();
  out << handler->count() << " message(s) received\n";
  return 0;
}

}  // namespace explainer::app
