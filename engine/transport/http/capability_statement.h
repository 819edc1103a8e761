// The CapabilityStatement served at GET [base]/metadata: exactly what FhirServer supports.
#pragma once

#include <string>

#include "fhir/element.h"

namespace explainer::transport {

struct CapabilityInputs {
  std::string software_version;
  std::string date;  // YYYY-MM-DD (server start)
  bool bearer_auth = false;
  bool client_certificate_auth = false;  // a verified TLS client certificate authenticates
};

// A valid R4 CapabilityStatement (kind=instance) for the FHIR intake endpoint.
fhir::Element make_capability_statement(const CapabilityInputs& inputs);

}  // namespace explainer::transport
