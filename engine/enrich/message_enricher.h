// Enriches one message given as bytes: HL7 v2 (ER7) or a FHIR R4 resource (JSON or XML).
//
// This is the single code path behind `explainer enrich`, `explainer filter` and libexplainer
// (engine/embed), so all three deliver byte-identical output for the same input, rules,
// content and policy. Steps: detect (or take) the format, parse, extract the reports, enrich
// (v2_enricher.h / fhir_enricher.h) and produce exactly what would be delivered downstream:
// the enriched message, or — when nothing was added — the input as received (a FHIR resource
// converted only when another output format was asked for).
//
// Thread safety: MessageEnricher::enrich() is const and may be called concurrently; each call
// reads one snapshot of the rules and one of the content library. Never throws except
// std::bad_alloc.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "content/library.h"
#include "enrich/fhir_enricher.h"
#include "enrich/selection.h"
#include "enrich/v2_enricher.h"
#include "extract/extract.h"
#include "extract/fhir_extract.h"
#include "matching/rule_holder.h"

namespace explainer::enrich {

enum class MessageFormat { kHl7v2, kFhirJson, kFhirXml };
// "hl7v2", "fhir+json", "fhir+xml".
const char* to_string(MessageFormat format);

// FHIR is recognised by the first non-space character after an optional UTF-8 byte order
// mark ('{' JSON, '<' XML); anything else is taken for HL7 v2.
MessageFormat detect_message_format(std::string_view bytes);

struct MessageEnrichOptions {
  std::optional<MessageFormat> input_format;  // nullopt: detect_message_format()
  V2Form v2_form = V2Form::kFormattedText;
  FhirMode fhir_mode = FhirMode::kTransactionBundle;
  std::optional<FhirFormat> fhir_output_format;  // nullopt: the input's format
  extract::ExtractOptions v2_extract;
  extract::FhirExtractOptions fhir_extract;
};

// One explanation attached (or held) for one report, format-neutral.
struct MessageExplanation {
  int report_index = 0;  // 0-based OBR group / DiagnosticReport
  std::string finding_id;
  std::string content_id;
  std::string version;
  std::string language;
  std::string review_status;
  bool used_fallback = false;
  std::string attached_as;  // "OBX 4" (v2) or the DocumentReference reference (FHIR); "" if held
};

struct MessageEnrichment {
  bool ok = false;              // false: the input could not be read (or converted); see error
  std::string error;            // "not a readable HL7 v2 message: ..." — names no patient data
  bool internal_error = false;  // !ok because of a bug in enrichment, not because of the input
  MessageFormat format = MessageFormat::kHl7v2;  // the input's format
  // What would be delivered (meaningful when ok): the enriched message, or the input as received.
  std::string output;
  bool enriched = false;  // at least one explanation was attached
  std::vector<MessageExplanation> added;
  std::vector<MessageExplanation> held;      // policy "hold": not attached
  std::map<std::string, int> not_explained;  // reason -> findings, over all reports
  std::string reason;                        // when nothing was added: why
};

class MessageEnricher {
 public:
  // The holders must outlive the enricher; their snapshots may be swapped at any time.
  // FHIR timestamps (DocumentReference.date) are the current UTC time unless the environment
  // variable EXPLAINER_NOW (a FHIR instant, read here once) fixes them for reproducible output.
  MessageEnricher(const matching::RuleSetHolder& rules,
                  const content::ContentLibraryHolder& content, Policy policy);

  MessageEnrichment enrich(std::string_view bytes, const MessageEnrichOptions& options) const;

 private:
  MessageEnrichment enrich_v2(std::string_view bytes, const MessageEnrichOptions& options) const;
  MessageEnrichment enrich_fhir(std::string_view bytes, MessageFormat format,
                                const MessageEnrichOptions& options) const;

  V2Enricher v2_;
  FhirEnricher fhir_;
  std::string now_;
};

// {"format":"hl7v2","enriched":true,"reason":"","explanations":[{"report":0,"finding_id":..,
//  "content_id":..,"version":..,"language":..,"review_status":..,"used_fallback":false,
//  "attached_as":".."}],"held":[...same without attached_as...],"not_explained":{"negated":1}}
// plus "error" when !ok. No accession numbers, identifiers or report text. Compact UTF-8 JSON.
std::string message_enrichment_summary_json(const MessageEnrichment& enrichment);

}  // namespace explainer::enrich
