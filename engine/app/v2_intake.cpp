#include "app/v2_intake.h"

#include "app/held_entries.h"

#include <chrono>

#include "core/clock.h"
#include "core/log.h"
#include "core/redact.h"
#include "hl7v2/ack.h"
#include "hl7v2/inbound.h"

namespace explainer::app {

namespace {

core::Logger& logger() {
  static core::Logger log = core::make_logger("intake.hl7v2");
  return log;
}

const char* ack_code(const hl7v2::Message& message, hl7v2::AckStatus status) {
  const bool enhanced = hl7v2::ack_mode(message) == hl7v2::AckMode::kEnhanced;
  switch (status) {
    case hl7v2::AckStatus::kAccept: return enhanced ? "CA" : "AA";
    case hl7v2::AckStatus::kError: return enhanced ? "CE" : "AE";
    case hl7v2::AckStatus::kReject: return enhanced ? "CR" : "AR";
  }
  return "?";
}

// Observes receive -> ACK latency when the frame's handling ends, whatever the outcome.
class AckTimer {
 public:
  explicit AckTimer(IntakeMetrics* metrics) : metrics_(metrics), started_(std::chrono::steady_clock::now()) {}
  ~AckTimer() {
    if (metrics_) metrics_->ack_latency(std::chrono::steady_clock::now() - started_);
  }
  AckTimer(const AckTimer&) = delete;
  AckTimer& operator=(const AckTimer&) = delete;

 private:
  IntakeMetrics* metrics_;
  std::chrono::steady_clock::time_point started_;
};

std::string respond(const hl7v2::Message& message, const hl7v2::AckRequest& request) {
  // Enhanced mode lets the sender ask for no commit ACK (MSH-15 NE, or ER/SU by outcome).
  if (!hl7v2::ack_wanted(message, request.status)) return {};
  return hl7v2::build_ack(message, request);
}

}  // namespace

V2Intake::V2Intake(V2IntakeOptions options, store::MessageStore& store,
                   std::shared_ptr<V2Enricher> enricher)
    : options_(std::move(options)), store_(store), enricher_(std::move(enricher)) {}

void V2Intake::count_reason(std::map<std::string, std::uint64_t>& map, const std::string& reason) {
  std::lock_guard<std::mutex> lock(counters_mu_);
  ++map[reason];
}

IntakeCounters V2Intake::counters() const {
  std::lock_guard<std::mutex> lock(counters_mu_);
  return counters_;
}

std::string V2Intake::reject(std::string_view payload, const hl7v2::ParseResult& parsed,
                             const std::vector<hl7v2::AckError>& errors,
                             const std::string& reason) {
  {
    std::lock_guard<std::mutex> lock(counters_mu_);
    ++counters_.rejected;
    ++counters_.rejection_reasons[reason];
  }
  if (options_.metrics) options_.metrics->rejected("hl7_" + reason);
  hl7v2::AckRequest request;
  request.status = hl7v2::AckStatus::kReject;
  request.errors = errors;
  if (parsed.ok()) {
    EXPLAINER_LOG(logger(), warning)
        << "message_rejected listener=" << options_.listener_name
        << " control_id=" << parsed.message->header().control_id
        << " type=" << parsed.message->header().message_type() << " hl7_error=" << reason
        << " outcome=" << ack_code(*parsed.message, request.status);
    return respond(*parsed.message, request);
  }
  EXPLAINER_LOG(logger(), warning) << "message_rejected listener=" << options_.listener_name
                                   << " reason=unparseable hl7_error=" << reason
                                   << " bytes=" << payload.size() << " outcome=AR";
  return hl7v2::build_ack_for_unparsed(payload, request);
}

std::string V2Intake::on_frame(std::string_view payload, const transport::ConnectionContext&) {
  const auto started = std::chrono::steady_clock::now();
  AckTimer ack_timer(options_.metrics.get());
  if (options_.metrics) options_.metrics->received();
  {
    std::lock_guard<std::mutex> lock(counters_mu_);
    ++counters_.received;
  }
  const hl7v2::ParseResult parsed = hl7v2::parse(payload);
  const hl7v2::InboundCheck check = hl7v2::check_inbound(parsed);
  if (check.verdict == hl7v2::InboundVerdict::kReject) {
    const std::string reason = check.errors.empty() ? "100" : std::to_string(check.errors.front().code);
    return reject(payload, parsed, check.errors, reason);
  }
  const bool forward_untouched = check.verdict == hl7v2::InboundVerdict::kUnsupportedType;
  if (forward_untouched && options_.wrong_type == WrongTypePolicy::kReject) {
    const std::string reason = check.errors.empty() ? "200" : std::to_string(check.errors.front().code);
    return reject(payload, parsed, check.errors, reason);
  }

  const hl7v2::Message& message = *parsed.message;
  const auto& header = message.header();
  std::vector<core::ReportView> reports;
  if (!forward_untouched) reports = extract::extract_reports(message, options_.extract);

  std::vector<store::OutboxEntry> outbox;
  outbox.reserve(options_.destinations.size());
  int explanations = 0;
  std::vector<store::HeldEntry> held;
  std::vector<EnrichmentOutcome> tallies;  // per destination, recorded once stored
  if (options_.metrics) tallies.resize(options_.destinations.size());
  for (std::size_t d = 0; d < options_.destinations.size(); ++d) {
    const auto& destination = options_.destinations[d];
    store::OutboxEntry entry{destination.name, std::string(payload)};
    std::string unenriched_reason;
    if (forward_untouched) {
      unenriched_reason = "wrong_message_type";
    } else if (!destination.enrich) {
      unenriched_reason = "destination_not_enriched";
    } else if (!enricher_) {
      unenriched_reason = "enrichment_not_configured";
    } else {
      try {
        EnrichmentOutcome outcome = enricher_->enrich(message, reports, destination);
        for (const auto& h : outcome.held) merge_held(held, destination.name, h);
        if (options_.metrics) {
          tallies[d].attached_findings = std::move(outcome.attached_findings);
          tallies[d].held_findings = std::move(outcome.held_findings);
          tallies[d].not_explained = std::move(outcome.not_explained);
        }
        if (outcome.payload) {
          entry.payload = std::move(*outcome.payload);
          explanations += outcome.explanations;
        } else {
          unenriched_reason = outcome.reason.empty() ? "nothing_added" : outcome.reason;
        }
      } catch (const std::exception& e) {
        // Fail open: the report goes out as received. The exception text is ours, not patient
        // data, but keep it at debug in case a library quoted its input.
        unenriched_reason = "enrichment_error";
        std::lock_guard<std::mutex> lock(counters_mu_);
        ++counters_.enrichment_errors;
        EXPLAINER_LOG(logger(), error) << "enrichment_failed listener=" << options_.listener_name
                                       << " control_id=" << header.control_id
                                       << " destination=" << destination.name;
        EXPLAINER_LOG(logger(), debug) << "enrichment_failed detail=\"" << e.what() << "\"";
      }
    }
    if (!unenriched_reason.empty()) {
      count_reason(counters_.unenriched_reasons, unenriched_reason);
      if (options_.metrics) options_.metrics->fallback(destination.name, unenriched_reason);
    }
    outbox.push_back(std::move(entry));
  }

  store::InboundMessage inbound;
  inbound.source = "mllp:" + options_.listener_name;
  inbound.format = "hl7v2";
  inbound.dedupe_key = header.sending_application + "|" + header.sending_facility + "|" + header.control_id;
  inbound.control_id = header.control_id;
  inbound.received_at_ms = core::SystemClock::instance().now_unix_ms();
  inbound.payload = std::string(payload);
  const std::size_t held_count = held.size();
  const store::AcceptResult result =
      store_.accept_with_held(std::move(inbound), std::move(outbox), std::move(held));

  hl7v2::AckRequest request;
  const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
  if (const auto* failed = std::get_if<store::Failed>(&result)) {
    {
      std::lock_guard<std::mutex> lock(counters_mu_);
      ++counters_.store_failures;
    }
    if (options_.metrics) options_.metrics->rejected("not_stored");
    request.status = hl7v2::AckStatus::kReject;
    request.errors.push_back({hl7v2::error_code::kApplicationInternalError, {}, hl7v2::Severity::kError,
                              "message not stored; resend later"});
    EXPLAINER_LOG(logger(), error) << "message_not_stored listener=" << options_.listener_name
                                   << " control_id=" << header.control_id << " reason=\""
                                   << failed->reason << "\" outcome=" << ack_code(message, request.status);
    return respond(message, request);
  }

  const bool duplicate = std::holds_alternative<store::Duplicate>(result);
  {
    std::lock_guard<std::mutex> lock(counters_mu_);
    if (duplicate) {
      ++counters_.duplicates;
    } else {
      ++counters_.accepted;
      counters_.explanations_added += static_cast<std::uint64_t>(explanations);
      counters_.explanations_held += held_count;
      if (forward_untouched) ++counters_.forwarded_untouched;
    }
  }
  if (auto* metrics = options_.metrics.get()) {
    if (duplicate) {
      metrics->duplicate();
    } else {
      metrics->accepted();
      for (std::size_t d = 0; d < tallies.size(); ++d) {
        const std::string& name = options_.destinations[d].name;
        for (const auto& f : tallies[d].attached_findings) metrics->explanation_attached(name, f);
        for (const auto& f : tallies[d].held_findings) metrics->explanation_held(name, f);
        for (const auto& [why, n] : tallies[d].not_explained) metrics->not_explained(name, why, n);
      }
    }
  }
  request.status = hl7v2::AckStatus::kAccept;
  int released = 0;
  for (const auto& r : reports) released += r.released ? 1 : 0;
  EXPLAINER_LOG(logger(), info) << (duplicate ? "message_duplicate" : "message_accepted")
                                << " listener=" << options_.listener_name
                                << " control_id=" << header.control_id
                                << " type=" << header.message_type() << " reports=" << reports.size()
                                << " released=" << released << " explanations=" << explanations
                                << " held=" << held_count
                                << " outcome=" << ack_code(message, request.status)
                                << " ms=" << ms;
  for (const auto& r : reports) {
    EXPLAINER_LOG(logger(), debug) << "report control_id=" << header.control_id
                                   << " accession_tag=" << core::redact_id(r.accession)
                                   << " status=" << r.status
                                   << " impression_source=" << core::to_string(r.impression_source);
  }
  return respond(message, request);
}

std::string V2Intake::on_oversize(std::size_t bytes, std::string_view head,
                                  const transport::ConnectionContext&) {
  {
    std::lock_guard<std::mutex> lock(counters_mu_);
    ++counters_.rejected;
    ++counters_.rejection_reasons["oversize"];
  }
  if (options_.metrics) {
    options_.metrics->received();
    options_.metrics->rejected("oversize");
  }
  EXPLAINER_LOG(logger(), warning) << "message_rejected listener=" << options_.listener_name
                                   << " reason=oversize bytes=" << bytes << " outcome=AR";
  hl7v2::AckRequest request;
  request.status = hl7v2::AckStatus::kReject;
  request.errors.push_back({hl7v2::error_code::kApplicationInternalError, {}, hl7v2::Severity::kError,
                            "message larger than this listener's max_frame_bytes"});
  // Only the frame's first bytes were kept: enough for the ACK to echo its MSH (MSA-2 = MSH-10).
  const std::string_view header = head.substr(0, head.find_first_of("\r\n"));
  const hl7v2::ParseResult parsed = hl7v2::parse(std::string(header) + "\r");
  if (parsed.ok() && !parsed.message->header().control_id.empty()) return hl7v2::build_ack(*parsed.message, request);
  return hl7v2::build_ack_for_unparsed(head, request);
}

}  // namespace explainer::app
