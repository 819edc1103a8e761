// FHIR REST media types and content negotiation (R4 http.html §3.1.0.1.x).
//
// Request bodies are classified by Content-Type; responses by `_format` (which overrides
// Accept), then Accept, then a default. Pure functions, thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace explainer::transport {

enum class FhirFormat { kJson, kXml };

const char* to_string(FhirFormat format);   // "json" / "xml"
const char* media_type(FhirFormat format);  // "application/fhir+json" / "application/fhir+xml"

// Format of a request body from its Content-Type (parameters such as charset and
// fhirVersion are ignored). Accepts the FHIR types, the generic JSON/XML types and the
// DSTU2 forms. nullopt: unsupported media type (415).
std::optional<FhirFormat> format_from_content_type(std::string_view content_type);

// Format for a `_format` query value (json, xml, their MIME forms). nullopt: not supported.
std::optional<FhirFormat> format_from_format_param(std::string_view value);

// Outcome of response negotiation.
struct Negotiated {
  bool acceptable = true;  // false: nothing the client accepts can be produced (406)
  FhirFormat format = FhirFormat::kJson;
};

// Chooses the response format: `_format` if given, else the first Accept entry we can
// produce (q=0 entries are skipped; */* and application/* pick `fallback`), else `fallback`
// when Accept is empty.
Negotiated negotiate_response(std::string_view format_param, std::string_view accept,
                              FhirFormat fallback);

}  // namespace explainer::transport
