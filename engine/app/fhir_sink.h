// FhirSink: delivers FHIR payloads to a downstream FHIR server over HTTP(S).
//
// The interaction follows from the payload (JSON or XML, recognised by its first byte):
//   Bundle of type transaction/batch -> POST [base]
//   any other resource with an id    -> PUT  [base]/<type>/<id>
//   a resource without id            -> POST [base]/<type>
// Content-Type and Accept are application/fhir+json or +xml to match the payload.
//
// Classification: 2xx -> delivered; 408, 429, 5xx, timeouts and network errors -> retry;
// other statuses (3xx, 4xx) -> permanent (dead-letter) with the status and the response
// OperationOutcome's diagnostics (truncated to 200 bytes) in the reason; a payload that is
// not a FHIR resource -> permanent.
//
// HTTPS (an https:// base URL): the server certificate is verified against options.tls.ca
// (the system CA store when empty) and the URL's host name, unless tls.verify_peer /
// tls.verify_hostname are switched off; an optional client certificate gives mutual TLS.
// A refused certificate is a retry whose reason starts "certificate verification failed:".
//
// Thread safety: one delivery worker calls deliver() at a time (delivery/sink.h).
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "delivery/sink.h"
#include "transport/tls.h"

namespace explainer::app {

struct FhirSinkOptions {
  std::string base_url;  // http(s)://host[:port]/path
  // Authorization: bearer token (wins when set), else basic user/password, else none.
  std::string bearer_token;
  std::string user;
  std::string password;
  std::chrono::seconds timeout{30};
  transport::TlsClientOptions tls{};  // used for https:// base URLs only
};

class FhirSink final : public delivery::Sink {
 public:
  // Throws std::invalid_argument for a base URL that is not http(s), transport::TlsSetupError
  // when the TLS options of an https:// URL cannot be loaded.
  explicit FhirSink(FhirSinkOptions options);
  core::DeliveryOutcome deliver(const delivery::DeliveryItem& item) override;

 private:
  FhirSinkOptions options_;
  std::string scheme_, host_, base_path_;
  unsigned short port_ = 0;
  Poco::Net::Context::Ptr tls_context_;  // https only
};

// Classifies an HTTP answer from a FHIR server (status code and body as received).
core::DeliveryOutcome classify_fhir_response(int status, const std::string& reason_phrase,
                                             const std::string& body);

}  // namespace explainer::app
