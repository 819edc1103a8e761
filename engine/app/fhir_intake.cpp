#include "app/fhir_intake.h"

#include "app/held_entries.h"

#include <chrono>

#include "core/clock.h"
#include "core/log.h"
#include "fhir/diagnostic_report.h"
#include "fhir/json_format.h"
#include "fhir/xml_format.h"

namespace explainer::app {

namespace {

core::Logger& logger() {
  static core::Logger log = core::make_logger("intake.fhir");
  return log;
}

std::optional<std::string> serialise(const fhir::Element& document, transport::FhirFormat format) {
  auto text = format == transport::FhirFormat::kXml ? fhir::write_xml(document)
                                                    : fhir::write_json(document);
  if (!text) return std::nullopt;
  return std::move(*text);
}

}  // namespace

FhirIntake::FhirIntake(FhirIntakeOptions options, store::MessageStore& store,
                       std::shared_ptr<FhirEnricher> enricher)
    : options_(std::move(options)), store_(store), enricher_(std::move(enricher)) {}

IntakeCounters FhirIntake::counters() const {
  std::lock_guard<std::mutex> lock(counters_mu_);
  return counters_;
}

std::string FhirIntake::dedupe_key(const fhir::Element& resource,
                                   const std::string& if_none_exist_identifier) {
  if (!if_none_exist_identifier.empty())
    return "DiagnosticReport?identifier=" + if_none_exist_identifier;
  // find_diagnostic_reports needs a mutable tree; it does not change it.
  auto& tree = const_cast<fhir::Element&>(resource);
  std::string key;
  for (const auto& found : fhir::find_diagnostic_reports(tree)) {
    if (found.location == fhir::ReportLocation::kContained) continue;  // no meta.versionId there
    const fhir::DiagnosticReportView report(*found.report);
    const std::string id = report.id();
    const std::string version = report.version_id();
    if (id.empty() || version.empty()) return {};
    key += (key.empty() ? "" : ";") + std::string("DiagnosticReport/") + id + "|" + version;
  }
  return key;
}

std::string FhirIntake::payload_for(const transport::FhirRequest& request,
                                    const fhir::Element& document,
                                    const FhirIntakeDestination& destination,
                                    const std::vector<extract::FhirReport>& reports,
                                    int* explanations, std::vector<store::HeldEntry>* held,
                                    FindingTally* tally) {
  const transport::FhirFormat format = destination.format.value_or(request.format);
  std::string unenriched_reason;
  if (!destination.enrich) {
    unenriched_reason = "destination_not_enriched";
  } else if (!enricher_) {
    unenriched_reason = "enrichment_not_configured";
  } else {
    try {
      FhirEnrichmentOutcome outcome = enricher_->enrich(document, reports, destination);
      for (const auto& h : outcome.held) merge_held(*held, destination.name, h);
      tally->attached = std::move(outcome.attached_findings);
      tally->held = std::move(outcome.held_findings);
      tally->not_explained = std::move(outcome.not_explained);
      if (outcome.document) {
        if (auto text = serialise(*outcome.document, format)) {
          *explanations += outcome.explanations;
          return std::move(*text);
        }
        unenriched_reason = "enriched_document_unwritable";
      } else {
        unenriched_reason = outcome.reason.empty() ? "nothing_added" : outcome.reason;
      }
    } catch (const std::exception& e) {
      // Fail open: the report goes out as received.
      unenriched_reason = "enrichment_error";
      {
        std::lock_guard<std::mutex> lock(counters_mu_);
        ++counters_.enrichment_errors;
      }
      EXPLAINER_LOG(logger(), error) << "enrichment_failed listener=" << options_.listener_name
                                     << " destination=" << destination.name;
      EXPLAINER_LOG(logger(), debug) << "enrichment_failed detail=\"" << e.what() << "\"";
    }
  }
  {
    std::lock_guard<std::mutex> lock(counters_mu_);
    ++counters_.unenriched_reasons[unenriched_reason];
  }
  if (options_.metrics) options_.metrics->fallback(destination.name, unenriched_reason);
  if (format == request.format) return std::string(request.body);
  // Same model, other serialisation; if that fails, the received bytes rather than nothing.
  if (auto text = serialise(*request.resource, format)) return std::move(*text);
  return std::string(request.body);
}

transport::FhirSubmitResult FhirIntake::submit(const transport::FhirRequest& request) {
  const auto started = std::chrono::steady_clock::now();
  IntakeMetrics* metrics = options_.metrics.get();
  if (metrics) metrics->received();
  {
    std::lock_guard<std::mutex> lock(counters_mu_);
    ++counters_.received;
  }
  // Receive (at the intake) -> answer decided; the server writes it right after.
  struct Timer {
    IntakeMetrics* metrics;
    std::chrono::steady_clock::time_point started;
    ~Timer() {
      if (metrics) metrics->ack_latency(std::chrono::steady_clock::now() - started);
    }
  } timer{metrics, started};
  transport::FhirSubmitResult answer;
  try {
    // A private copy: the extracted locators point into it and the enricher reads it.
    fhir::Element document = *request.resource;
    const auto reports = extract::extract_fhir_reports(document, options_.extract);

    std::vector<store::OutboxEntry> outbox;
    outbox.reserve(options_.destinations.size());
    int explanations = 0;
    std::vector<store::HeldEntry> held;
    std::vector<FindingTally> tallies(options_.destinations.size());
    for (std::size_t d = 0; d < options_.destinations.size(); ++d) {
      const auto& destination = options_.destinations[d];
      tallies[d].destination = destination.name;
      outbox.push_back({destination.name, payload_for(request, document, destination, reports,
                                                      &explanations, &held, &tallies[d])});
    }
    const std::size_t held_count = held.size();

    store::InboundMessage inbound;
    inbound.source = "fhir:" + options_.listener_name;
    inbound.format = request.format == transport::FhirFormat::kXml ? "fhir-xml" : "fhir-json";
    inbound.dedupe_key = dedupe_key(*request.resource, request.if_none_exist_identifier);
    inbound.control_id = request.resource->value_of("id");
    inbound.received_at_ms = core::SystemClock::instance().now_unix_ms();
    inbound.payload = std::string(request.body);
    const store::AcceptResult result =
        store_.accept_with_held(std::move(inbound), std::move(outbox), std::move(held));
    const double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started)
            .count();

    if (const auto* failed = std::get_if<store::Failed>(&result)) {
      {
        std::lock_guard<std::mutex> lock(counters_mu_);
        ++counters_.store_failures;
      }
      if (metrics) metrics->rejected("not_stored");
      EXPLAINER_LOG(logger(), error) << "message_not_stored listener=" << options_.listener_name
                                     << " interaction=" << transport::to_string(request.interaction)
                                     << " reason=\"" << failed->reason << "\" outcome=503";
      answer.status = transport::FhirSubmitStatus::kFailed;
      answer.reason = failed->reason;
      return answer;
    }
    const auto* duplicate = std::get_if<store::Duplicate>(&result);
    {
      std::lock_guard<std::mutex> lock(counters_mu_);
      if (duplicate) {
        ++counters_.duplicates;
      } else {
        ++counters_.accepted;
        counters_.explanations_added += static_cast<std::uint64_t>(explanations);
        counters_.explanations_held += held_count;
      }
    }
    if (metrics) {
      if (duplicate) {
        metrics->duplicate();
      } else {
        metrics->accepted();
        for (const auto& t : tallies) {
          for (const auto& f : t.attached) metrics->explanation_attached(t.destination, f);
          for (const auto& f : t.held) metrics->explanation_held(t.destination, f);
          for (const auto& [why, n] : t.not_explained) metrics->not_explained(t.destination, why, n);
        }
      }
    }
    answer.status =
        duplicate ? transport::FhirSubmitStatus::kDuplicate : transport::FhirSubmitStatus::kStored;
    answer.message_id =
        duplicate ? duplicate->existing_message_id : std::get<store::Accepted>(result).message_id;
    int released = 0;
    for (const auto& r : reports) released += r.view.released ? 1 : 0;
    EXPLAINER_LOG(logger(), info) << (duplicate ? "message_duplicate" : "message_accepted")
                                  << " listener=" << options_.listener_name
                                  << " interaction=" << transport::to_string(request.interaction)
                                  << " message_id=" << answer.message_id
                                  << " reports=" << reports.size() << " released=" << released
                                  << " explanations=" << explanations
                                  << " outcome=" << (duplicate ? 200 : 201) << " ms=" << ms;
  } catch (const std::exception& e) {
    // Our own failure (e.g. allocation): nothing was stored, so the client must resend.
    EXPLAINER_LOG(logger(), error) << "intake_failed listener=" << options_.listener_name;
    EXPLAINER_LOG(logger(), debug) << "intake_failed detail=\"" << e.what() << "\"";
    std::lock_guard<std::mutex> lock(counters_mu_);
    ++counters_.store_failures;
    if (metrics) metrics->rejected("internal_error");
    answer = {};
    answer.status = transport::FhirSubmitStatus::kFailed;
    answer.reason = "internal error";
  }
  return answer;
}

}  // namespace explainer::app
