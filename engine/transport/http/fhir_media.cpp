#include "transport/http/fhir_media.h"

#include <Poco/String.h>
#include <Poco/StringTokenizer.h>

namespace explainer::transport {

namespace {

std::string bare_type(std::string_view value) {
  std::string type(value.substr(0, value.find(';')));
  return Poco::toLower(Poco::trim(type));
}

std::optional<FhirFormat> from_mime(const std::string& type) {
  if (type == "application/fhir+json" || type == "application/json" || type == "text/json" ||
      type == "application/json+fhir") {
    return FhirFormat::kJson;
  }
  if (type == "application/fhir+xml" || type == "application/xml" || type == "text/xml" ||
      type == "application/xml+fhir") {
    return FhirFormat::kXml;
  }
  return std::nullopt;
}

}  // namespace

const char* to_string(FhirFormat format) {
  return format == FhirFormat::kXml ? "xml" : "json";
}

const char* media_type(FhirFormat format) {
  return format == FhirFormat::kXml ? "application/fhir+xml" : "application/fhir+json";
}

std::optional<FhirFormat> format_from_content_type(std::string_view content_type) {
  return from_mime(bare_type(content_type));
}

std::optional<FhirFormat> format_from_format_param(std::string_view value) {
  const std::string v = bare_type(value);
  if (v == "json") return FhirFormat::kJson;
  if (v == "xml") return FhirFormat::kXml;
  return from_mime(v);
}

Negotiated negotiate_response(std::string_view format_param, std::string_view accept,
                              FhirFormat fallback) {
  if (!format_param.empty()) {
    const auto f = format_from_format_param(format_param);
    return f ? Negotiated{true, *f} : Negotiated{false, fallback};
  }
  const std::string all = Poco::trim(std::string(accept));
  if (all.empty()) return {true, fallback};
  Poco::StringTokenizer entries(
      all, ",", Poco::StringTokenizer::TOK_TRIM | Poco::StringTokenizer::TOK_IGNORE_EMPTY);
  for (const auto& entry : entries) {
    // Skip entries the client explicitly refuses (q=0).
    const std::string lower = Poco::toLower(entry);
    const auto q = lower.find("q=");
    if (q != std::string::npos) {
      const std::string qv = Poco::trim(lower.substr(q + 2));
      if (!qv.empty() && qv.find_first_not_of("0.") == std::string::npos) continue;
    }
    const std::string type = bare_type(entry);
    if (type == "*/*" || type == "application/*") return {true, fallback};
    if (const auto f = from_mime(type)) return {true, *f};
  }
  return {false, fallback};
}

}  // namespace explainer::transport
