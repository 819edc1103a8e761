// FhirIntake: what happens to one FHIR request the REST endpoint (transport/http) accepted
// as well-formed: a DiagnosticReport (create/update) or a transaction/batch Bundle.
//
//   extract reports -> enrich per destination (fail open) -> serialise per destination
//   -> store.accept (one transaction: the received bytes + one outbox row per destination)
//   -> kStored / kDuplicate (the server answers 201/200) or kFailed (503)
//
// Stored message: format "fhir-json" / "fhir-xml", payload = the request body unchanged,
// source "fhir:<listener>". Dedupe key: "DiagnosticReport?identifier=<system|value>" when
// the client sent If-None-Exist; else "DiagnosticReport/<id>|<meta.versionId>" when both
// are present (for a Bundle: those of every DiagnosticReport in it, joined by ';', only
// when every one has both); else none (every request is new). A repeat enqueues nothing.
//
// Per destination payload: the enricher's document (a Bundle, or the resource with
// contained DocumentReferences, per fhir_mode) serialised in the destination's format; if
// the enricher throws, adds nothing or is not configured, the received resource unchanged
// (the received bytes when the formats match, else the same model re-serialised). The
// FhirSink derives the HTTP interaction from the payload (Bundle -> POST [base], a
// DiagnosticReport -> PUT [base]/DiagnosticReport/{id}).
//
// Thread safety: submit() is called concurrently by the server's threads; the intake keeps
// no per-request state, and the store and the enricher are thread-safe.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "app/config.h"
#include "app/v2_intake.h"  // IntakeCounters
#include "extract/fhir_extract.h"
#include "fhir/element.h"
#include "store/message_store.h"
#include "transport/http/fhir_handler.h"

namespace explainer::app {

// Where one copy goes and in what form.
struct FhirIntakeDestination {
  std::string name;
  bool enrich = true;
  FhirMode mode = FhirMode::kBundle;
  // Serialisation of the delivered payload; nullopt: as received (file destinations).
  std::optional<transport::FhirFormat> format;
};

struct FhirEnrichmentOutcome {
  std::optional<fhir::Element> document;  // the enriched document; nullopt: deliver as received
  int explanations = 0;
  std::string reason;  // why nothing was added ("not_released", "no_match", ...)
  // Explanations the policy held back (destinations left empty: the intake fills them in).
  std::vector<store::HeldEntry> held;
  // For metrics: finding ids attached / held, and findings not explained by reason.
  std::vector<std::string> attached_findings;
  std::vector<std::string> held_findings;
  std::map<std::string, int> not_explained;
};

// Adds explanations to a FHIR document. `reports` were extracted from `document` (their
// locators point into it). Implemented over engine/enrich's FHIR enricher; may throw (the
// intake fails open). Must be thread-safe.
class FhirEnricher {
 public:
  virtual ~FhirEnricher() = default;
  virtual FhirEnrichmentOutcome enrich(const fhir::Element& document,
                                       const std::vector<extract::FhirReport>& reports,
                                       const FhirIntakeDestination& destination) = 0;
};

struct FhirIntakeOptions {
  std::string listener_name;
  std::vector<FhirIntakeDestination> destinations;
  extract::FhirExtractOptions extract;
  std::shared_ptr<IntakeMetrics> metrics;  // optional
};

class FhirIntake final : public transport::FhirHandler {
 public:
  FhirIntake(FhirIntakeOptions options, store::MessageStore& store,
             std::shared_ptr<FhirEnricher> enricher);

  transport::FhirSubmitResult submit(const transport::FhirRequest& request) override;

  IntakeCounters counters() const;

  // The dedupe key described above (exposed for tests and the CLI).
  static std::string dedupe_key(const fhir::Element& resource,
                                const std::string& if_none_exist_identifier);

 private:
  // What enrichment found for one destination's copy, recorded once the report is stored.
  struct FindingTally {
    std::string destination;
    std::vector<std::string> attached;
    std::vector<std::string> held;
    std::map<std::string, int> not_explained;
  };
  std::string payload_for(const transport::FhirRequest& request, const fhir::Element& document,
                          const FhirIntakeDestination& destination,
                          const std::vector<extract::FhirReport>& reports, int* explanations,
                          std::vector<store::HeldEntry>* held, FindingTally* tally);

  FhirIntakeOptions options_;
  store::MessageStore& store_;
  std::shared_ptr<FhirEnricher> enricher_;
  mutable std::mutex counters_mu_;
  IntakeCounters counters_;
};

}  // namespace explainer::app
