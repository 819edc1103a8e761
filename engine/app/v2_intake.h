// V2Intake: what happens to one HL7 v2 message received on an MLLP listener.
//
//   parse -> inbound check -> extract reports -> enrich per destination (fail open)
//         -> store.accept (one transaction: inbound + one outbox row per destination) -> ACK
//
// The positive ACK (AA, or CA in enhanced mode) is built only after accept() returned
// Accepted or Duplicate, so everything acknowledged is on disk. When the store fails the
// sender gets AR (CR) with ERR 207 and keeps the message. Enrichment never blocks a report:
// if it throws or adds nothing, the destination gets the received bytes unchanged.
//
// Thread safety: on_frame() is called concurrently from the listener's connection threads;
// the intake holds no per-message state, its counters are atomic, and the store and the
// enricher are thread-safe.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "app/config.h"
#include "app/engine_metrics.h"
#include "core/report.h"
#include "extract/extract.h"
#include "hl7v2/ack.h"
#include "hl7v2/message.h"
#include "store/message_store.h"
#include "transport/mllp_handler.h"

namespace explainer::app {

// Where one copy of the message goes and in what form.
struct IntakeDestination {
  std::string name;
  bool enrich = true;
  ObxFormat obx_format = ObxFormat::kFormattedText;
};

// What enrichment did to one destination's copy.
struct EnrichmentOutcome {
  std::optional<std::string> payload;  // the enriched message; nullopt: deliver the original
  int explanations = 0;                // explanations added
  std::string reason;                  // why nothing was added ("not_released", "no_match"...)
  // Explanations the policy held back (destinations left empty: the intake fills them in).
  std::vector<store::HeldEntry> held;
  // For metrics: finding ids attached / held, and findings not explained by reason.
  std::vector<std::string> attached_findings;
  std::vector<std::string> held_findings;
  std::map<std::string, int> not_explained;
};

// Adds explanations to an HL7 v2 message. Implemented by engine/enrich; may throw (the intake
// fails open). Must be thread-safe.
class V2Enricher {
 public:
  virtual ~V2Enricher() = default;
  virtual EnrichmentOutcome enrich(const hl7v2::Message& message,
                                   const std::vector<core::ReportView>& reports,
                                   const IntakeDestination& destination) = 0;
};

struct V2IntakeOptions {
  std::string listener_name;
  WrongTypePolicy wrong_type = WrongTypePolicy::kReject;
  std::vector<IntakeDestination> destinations;
  extract::ExtractOptions extract;
  std::shared_ptr<IntakeMetrics> metrics;  // optional
};

// Counters since start; a snapshot is a plain copy.
struct IntakeCounters {
  std::uint64_t received = 0;
  std::uint64_t accepted = 0;
  std::uint64_t duplicates = 0;
  std::uint64_t forwarded_untouched = 0;  // wrong message type, policy "forward"
  std::uint64_t rejected = 0;             // AR for bad input
  std::uint64_t store_failures = 0;       // AR 207: not stored
  std::uint64_t enrichment_errors = 0;    // enricher threw; delivered unenriched
  std::uint64_t explanations_added = 0;
  std::uint64_t explanations_held = 0;  // held records stored (one per explanation)
  std::map<std::string, std::uint64_t> unenriched_reasons;  // per destination copy
  std::map<std::string, std::uint64_t> rejection_reasons;   // "200", "101", ...
};

class V2Intake final : public transport::MllpHandler {
 public:
  V2Intake(V2IntakeOptions options, store::MessageStore& store,
           std::shared_ptr<V2Enricher> enricher);

  std::string on_frame(std::string_view payload, const transport::ConnectionContext& context) override;
  std::string on_oversize(std::size_t bytes, std::string_view head,
                          const transport::ConnectionContext& context) override;

  IntakeCounters counters() const;

 private:
  std::string reject(std::string_view payload, const hl7v2::ParseResult& parsed,
                     const std::vector<hl7v2::AckError>& errors, const std::string& reason);
  void count_reason(std::map<std::string, std::uint64_t>& map, const std::string& reason);

  V2IntakeOptions options_;
  store::MessageStore& store_;
  std::shared_ptr<V2Enricher> enricher_;
  mutable std::mutex counters_mu_;
  IntakeCounters counters_;
};

}  // namespace explainer::app
