// FhirHandler: what the FHIR REST endpoint hands a well-formed, checked request to.
//
// The server (fhir_server.h) does HTTP: routing, authentication, size limit, content
// negotiation, parsing, resource-type checks, Prefer and OperationOutcome responses. The
// handler (app/FhirIntake) makes the request durable and answers whether it was new, a
// repeat, or could not be stored. The server answers 2xx only for kStored / kDuplicate,
// so whatever a client was told is accepted is on disk.
//
// Thread safety: submit() is called concurrently from the server's worker threads.
// It must not throw; if it does, the server answers 500 and logs it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "fhir/element.h"
#include "transport/http/fhir_media.h"

namespace explainer::transport {

enum class FhirInteraction {
  kCreate,       // POST [base]/DiagnosticReport
  kUpdate,       // PUT [base]/DiagnosticReport/{id}
  kTransaction,  // POST [base] with a transaction Bundle
  kBatch,        // POST [base] with a batch Bundle
};
const char* to_string(FhirInteraction interaction);

struct FhirRequest {
  std::string listener;  // listener name, for logs
  FhirInteraction interaction = FhirInteraction::kCreate;
  FhirFormat format = FhirFormat::kJson;    // of `body`
  std::string_view body;                    // the bytes as received; stored unchanged
  const fhir::Element* resource = nullptr;  // parsed body (DiagnosticReport or Bundle), never null
  // If-None-Exist search, only the `identifier=system|value` form reaches the handler
  // (the value part, e.g. "http://acme.org/acc|123"); empty when absent.
  std::string if_none_exist_identifier;
};

enum class FhirSubmitStatus {
  kStored,     // new: stored with one outbox row per destination
  kDuplicate,  // seen before (same dedupe key): nothing new enqueued
  kFailed,     // not stored; the client must resend (503)
};

struct FhirSubmitResult {
  FhirSubmitStatus status = FhirSubmitStatus::kFailed;
  std::int64_t message_id = 0;  // stored (or existing) message id; 0 when failed
  std::string reason;           // why it failed; no patient data
};

class FhirHandler {
 public:
  virtual ~FhirHandler() = default;
  virtual FhirSubmitResult submit(const FhirRequest& request) = 0;
};

}  // namespace explainer::transport
