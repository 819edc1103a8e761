#include "transport/http/capability_statement.h"

#include <stdexcept>

#include "fhir/json_format.h"

namespace explainer::transport {

namespace {

std::string quoted(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

}  // namespace

fhir::Element make_capability_statement(const CapabilityInputs& in) {
  // Written as JSON and read back through the engine's own reader, so the result is a
  // correctly typed model that serialises to JSON or XML.
  std::string security_text;
  if (in.bearer_auth) {
    security_text =
        "Send 'Authorization: Bearer <token>'. Tokens are configured by the operator (listener "
        "auth_tokens_file).";
  }
  if (in.client_certificate_auth) {
    security_text += std::string(security_text.empty() ? "" : " Or: ") +
                     "Present a TLS client certificate issued by the CA the operator configured "
                     "(listener tls.ca, tls.allowed_client_cns).";
  }
  const std::string security =
      security_text.empty()
          ? ""
          : R"(,"security":{"description":)" +
                quoted(security_text + " Requests that are not authenticated get 401.") + "}";
  const std::string json =
      std::string(R"({"resourceType":"CapabilityStatement",)") + R"("status":"active","date":)" +
      quoted(in.date) + "," + R"("publisher":"Explainer",)" +
      R"("description":"Explainer FHIR intake: receives released DiagnosticReports (single or in transaction/batch Bundles), stores them durably and forwards them with patient-friendly explanations. It is a relay, not a repository: nothing can be read back.",)" +
      R"("kind":"instance",)" + R"("software":{"name":"Explainer","version":)" +
      quoted(in.software_version) + "}," +
      R"("implementation":{"description":"Explainer FHIR intake endpoint"},)" +
      R"("fhirVersion":"4.0.1",)" +
      R"("format":["json","xml","application/fhir+json","application/fhir+xml"],)" +
      R"("rest":[{"mode":"server",)" +
      R"("documentation":"create/update answer 201 when new and 200 for a repeat (same id and meta.versionId, or same If-None-Exist identifier); the repeat is not delivered again. Prefer return=minimal|representation|OperationOutcome is honoured.")" +
      security + "," + R"("resource":[{"type":"DiagnosticReport",)" +
      R"("interaction":[{"code":"create"},{"code":"update"}],)" +
      R"("versioning":"versioned","readHistory":false,"updateCreate":true,)" +
      R"("conditionalCreate":true,"conditionalUpdate":false,"conditionalDelete":"not-supported"}],)" +
      R"("interaction":[{"code":"transaction","documentation":"A transaction Bundle with DiagnosticReports and the Patient / Observations they reference is accepted as one unit."},)" +
      R"({"code":"batch","documentation":"A batch Bundle is stored as one unit; every entry is answered with the same status."}]}]})";
  auto parsed = fhir::parse_json(json);
  if (!parsed) throw std::logic_error("CapabilityStatement template: " + parsed.error().describe());
  return std::move(*parsed);
}

}  // namespace explainer::transport
