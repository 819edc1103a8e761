#include "enrich/message_enricher.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cctype>
#include <cstdlib>
#include <new>

#include "fhir/json_format.h"
#include "fhir/xml_format.h"
#include "hl7v2/message.h"

namespace explainer::enrich {

const char* to_string(MessageFormat format) {
  switch (format) {
    case MessageFormat::kHl7v2:
      return "hl7v2";
    case MessageFormat::kFhirJson:
      return "fhir+json";
    case MessageFormat::kFhirXml:
      return "fhir+xml";
  }
  return "hl7v2";
}

MessageFormat detect_message_format(std::string_view bytes) {
  std::size_t i = bytes.substr(0, 3) == "\xEF\xBB\xBF" ? 3 : 0;
  while (i < bytes.size() && std::isspace(static_cast<unsigned char>(bytes[i]))) ++i;
  if (i < bytes.size() && bytes[i] == '{') return MessageFormat::kFhirJson;
  if (i < bytes.size() && bytes[i] == '<') return MessageFormat::kFhirXml;
  return MessageFormat::kHl7v2;
}

MessageEnricher::MessageEnricher(const matching::RuleSetHolder& rules,
                                 const content::ContentLibraryHolder& content, Policy policy)
    : v2_(rules, content, policy), fhir_(rules, content, policy) {
  if (const char* now = std::getenv("EXPLAINER_NOW")) now_ = now;
}

MessageEnrichment MessageEnricher::enrich(std::string_view bytes,
                                          const MessageEnrichOptions& options) const {
  try {
    const MessageFormat format = options.input_format.value_or(detect_message_format(bytes));
    if (format == MessageFormat::kHl7v2) return enrich_v2(bytes, options);
    return enrich_fhir(bytes, format, options);
  } catch (const std::bad_alloc&) {
    throw;
  } catch (const std::exception& e) {
    // An enrichment bug must not lose the message: the caller forwards it unenriched.
    MessageEnrichment failed;
    failed.error = std::string("enrichment failed: ") + e.what();
    failed.internal_error = true;
    return failed;
  }
}

MessageEnrichment MessageEnricher::enrich_v2(std::string_view bytes,
                                             const MessageEnrichOptions& options) const {
  MessageEnrichment out;
  out.format = MessageFormat::kHl7v2;
  const auto parsed = hl7v2::parse(bytes);
  if (!parsed.ok()) {
    out.error = "not a readable HL7 v2 message: " + parsed.error.text;
    return out;
  }
  const auto reports = extract::extract_reports(*parsed.message, options.v2_extract);
  auto result = v2_.enrich(*parsed.message, reports, options.v2_form);
  out.ok = true;
  for (const auto& a : result.added) {
    out.added.push_back({a.group_index, a.finding_id, a.content_id, a.version, a.language,
                         a.review_status, a.used_fallback, "OBX " + a.obx_set_id});
  }
  for (const auto& h : result.held) {
    out.held.push_back(
        {h.group_index, h.finding_id, h.content_id, h.version, h.language, "", false, ""});
  }
  out.not_explained = std::move(result.not_explained);
  out.reason = std::move(result.reason);
  out.enriched = result.payload.has_value();
  out.output = result.payload ? std::move(*result.payload) : std::string(bytes);
  return out;
}

MessageEnrichment MessageEnricher::enrich_fhir(std::string_view bytes, MessageFormat format,
                                               const MessageEnrichOptions& options) const {
  MessageEnrichment out;
  out.format = format;
  const FhirFormat input_format =
      format == MessageFormat::kFhirXml ? FhirFormat::kXml : FhirFormat::kJson;
  auto parsed = input_format == FhirFormat::kXml ? fhir::parse_xml(bytes) : fhir::parse_json(bytes);
  if (!parsed) {
    out.error = std::string("not a readable FHIR ") + to_string(input_format) +
                " resource: " + parsed.error().describe();
    return out;
  }
  const FhirFormat output_format = options.fhir_output_format.value_or(input_format);
  const auto reports = extract::extract_fhir_reports(*parsed, options.fhir_extract);
  FhirEnrichOptions fhir_options;
  fhir_options.mode = options.fhir_mode;
  fhir_options.format = output_format;
  fhir_options.pretty = true;
  fhir_options.now = now_;
  auto result = fhir_.enrich(*parsed, reports, fhir_options);
  for (const auto& a : result.added) {
    out.added.push_back({a.report_index, a.finding_id, a.content_id, a.version, a.language,
                         a.review_status, a.used_fallback, a.document_reference});
  }
  for (const auto& h : result.held) {
    out.held.push_back(
        {h.report_index, h.finding_id, h.content_id, h.version, h.language, "", false, ""});
  }
  out.not_explained = std::move(result.not_explained);
  out.reason = std::move(result.reason);
  if (result.payload) {
    out.ok = true;
    out.enriched = true;
    out.output = std::move(*result.payload);
    return out;
  }
  // Nothing added: the resource as received (converted when another format was asked for).
  if (output_format == input_format) {
    out.ok = true;
    out.output = std::string(bytes);
    return out;
  }
  fhir::WriteOptions write_options;
  write_options.pretty = true;
  auto converted = output_format == FhirFormat::kXml ? fhir::write_xml(*parsed, write_options)
                                                     : fhir::write_json(*parsed, write_options);
  if (!converted) {
    out.error = std::string("cannot write the resource as ") + to_string(output_format) + ": " +
                converted.error().describe();
    return out;
  }
  out.ok = true;
  out.output = std::move(*converted);
  return out;
}

namespace {

using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer>;

void write_string(JsonWriter& w, const std::string& text) {
  w.String(text.data(), static_cast<rapidjson::SizeType>(text.size()));
}

void write_explanation(JsonWriter& w, const MessageExplanation& e, bool with_attachment) {
  w.StartObject();
  w.Key("report");
  w.Int(e.report_index);
  w.Key("finding_id");
  write_string(w, e.finding_id);
  w.Key("content_id");
  write_string(w, e.content_id);
  w.Key("version");
  write_string(w, e.version);
  w.Key("language");
  write_string(w, e.language);
  if (with_attachment) {
    w.Key("review_status");
    write_string(w, e.review_status);
    w.Key("used_fallback");
    w.Bool(e.used_fallback);
    w.Key("attached_as");
    write_string(w, e.attached_as);
  }
  w.EndObject();
}

}  // namespace

std::string message_enrichment_summary_json(const MessageEnrichment& enrichment) {
  rapidjson::StringBuffer buffer;
  JsonWriter w(buffer);
  w.StartObject();
  w.Key("format");
  w.String(to_string(enrichment.format));
  w.Key("ok");
  w.Bool(enrichment.ok);
  if (!enrichment.ok) {
    w.Key("error");
    write_string(w, enrichment.error);
  }
  w.Key("enriched");
  w.Bool(enrichment.enriched);
  w.Key("reason");
  write_string(w, enrichment.reason);
  w.Key("explanations");
  w.StartArray();
  for (const auto& a : enrichment.added) write_explanation(w, a, true);
  w.EndArray();
  w.Key("held");
  w.StartArray();
  for (const auto& h : enrichment.held) write_explanation(w, h, false);
  w.EndArray();
  w.Key("not_explained");
  w.StartObject();
  for (const auto& [why, n] : enrichment.not_explained) {
    w.Key(why.data(), static_cast<rapidjson::SizeType>(why.size()));
    w.Int(n);
  }
  w.EndObject();
  w.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

}  // namespace explainer::enrich
