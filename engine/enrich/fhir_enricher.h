// Adds patient explanations to FHIR R4 DiagnosticReports (the FHIR twin of v2_enricher.h).
//
// Per released report (extract/fhir_extract.h) and per chosen explanation (selection.h) whose
// action is attach, one DocumentReference (profile fhir-profiles/explainer-education-document):
//   meta.profile = kEducationDocumentProfile; meta.tag = kTagSystem#generated,
//     kTagSystem#review-<draft|approved>, kContentSystem#<content id> (Coding.version = content
//     version, display = title);
//   language = content language; identifier = urn:ietf:rfc:3986 | urn:uuid:<name-based UUID of
//     report reference, content id, version, language> (stable across re-deliveries);
//   status current; docStatus final for approved content, preliminary for draft content;
//   type LOINC 34895-3 "Education note" + kTagSystem#patient-explanation, text;
//   category us-core-documentreference-category#clinical-note; subject = the report's subject
//   (copied); date = FhirEnrichOptions::now; author.display "Explainer"; description;
//   content[0] text/html (render_html_fragment), content[1] text/plain (render_plain_text), both
//     base64 with language, title, creation; a fallback-language note is prepended to both;
//   context.related = the report.
// and an extension kExplanationExtension (valueReference) on the DiagnosticReport per
// DocumentReference, added after its existing extensions. Nothing else in the input changes
// (presentedForm and conclusion are never touched): the output is the input plus additions.
//
// Modes:
//   kTransactionBundle — a DiagnosticReport document becomes a transaction Bundle: the report as
//     PUT DiagnosticReport/<id> (POST with a urn:uuid fullUrl when it has no id) + one POST entry
//     per DocumentReference (fullUrl urn:uuid:<uuid>, request.ifNoneExist on the identifier).
//     The extension points at the urn:uuid; context.related at the report's fullUrl or
//     DiagnosticReport/<id>. A transaction or batch Bundle keeps its type and gets the new
//     entries appended (note: a batch does not resolve urn:uuid references between entries).
//     Any other Bundle (collection, searchset, document, history...) becomes a new transaction
//     Bundle holding every original entry (fullUrl and resource as received; request PUT
//     Type/<id>, or POST Type without an id; search/response dropped) plus the new entries.
//   kContained — each DocumentReference is contained in its report (id "docref-N", N unused in
//     that report), the extension says "#docref-N", context.related says "#" (the container).
//     Bundles keep their type and entries.
// Reports in a nested Bundle (an entry whose resource is a Bundle, at any depth) are enriched
// in both modes with DocumentReferences contained in the report, as in kContained: inside a
// nested Bundle only a reference local to the report resolves (urn:uuid and relative
// references resolve within the Bundle that holds them, and the report is not created on the
// server as a resource of its own). A nested Bundle with a `signature` is left alone (reason
// "signed_bundle_report"): adding to it would break the signature.
// Reports contained in another resource are not enriched (reason "contained_report"): a
// contained resource may not contain resources itself (FHIR dom-2), and nothing outside its
// container may reference it, so an explanation could only be attached by changing the
// container, which is not ours to change.
//
// Thread safety: enrich() is const and may be called concurrently; each call reads one snapshot
// of the rules and one of the content library. Never throws except std::bad_alloc.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "content/library.h"
#include "enrich/selection.h"
#include "extract/fhir_extract.h"
#include "fhir/element.h"
#include "matching/rule_holder.h"

namespace explainer::enrich {

inline constexpr std::string_view kFhirCanonicalBase = "https://explainer-project.org/fhir";
inline constexpr std::string_view kExplanationExtension =
    "https://explainer-project.org/fhir/StructureDefinition/explainer-explanation";
inline constexpr std::string_view kEducationDocumentProfile =
    "https://explainer-project.org/fhir/StructureDefinition/explainer-education-document";
inline constexpr std::string_view kTagSystem =
    "https://explainer-project.org/fhir/CodeSystem/explainer-tag";
inline constexpr std::string_view kFindingSystem =
    "https://explainer-project.org/fhir/CodeSystem/explainer-finding";
inline constexpr std::string_view kContentSystem =
    "https://explainer-project.org/fhir/CodeSystem/explainer-content";

enum class FhirMode { kTransactionBundle, kContained };
enum class FhirFormat { kJson, kXml };
// "bundle" | "contained"; "json" | "xml". parse_* return nullopt for anything else.
const char* to_string(FhirMode mode);
const char* to_string(FhirFormat format);
std::optional<FhirMode> parse_fhir_mode(std::string_view text);
std::optional<FhirFormat> parse_fhir_format(std::string_view text);

struct FhirEnrichOptions {
  FhirMode mode = FhirMode::kTransactionBundle;
  // Serialise the enriched document into FhirEnrichment::payload in this format (nullopt: only
  // FhirEnrichment::document is filled).
  std::optional<FhirFormat> format = FhirFormat::kJson;
  bool pretty = false;
  // DocumentReference.date and attachment creation (FHIR instant); "" = the current UTC time.
  std::string now;
};

struct FhirAddedExplanation {
  int report_index = 0;  // FhirReport::view.group_index
  std::string report_id;
  std::string finding_id;
  std::string content_id;
  std::string version;
  std::string language;
  std::string review_status;
  bool used_fallback = false;
  std::string document_reference;  // as written in the extension: "urn:uuid:..." or "#docref-N"
};

struct FhirHeldExplanation {
  int report_index = 0;
  std::string report_id;
  std::string accession;
  std::string finding_id;
  std::string content_id;
  std::string version;
  std::string language;
};

// What happened to one finding of one report (for the summary).
struct FhirFindingOutcome {
  std::string finding_id;
  std::string display;
  std::string assertion;  // matching::to_string(Assertion)
  std::string outcome;    // "attached", "held", or the not-explained reason ("negated", ...)
};

struct FhirReportOutcome {
  int report_index = 0;
  std::string report_id;
  std::string status;
  bool released = false;
  std::string impression_source;  // core::to_string(ImpressionSource)
  std::vector<FhirFindingOutcome> findings;
  std::string reason;  // why nothing was attached to this report ("" when something was)
};

struct FhirEnrichment {
  // The enriched document; nullopt when nothing was added (deliver the input as received).
  std::optional<fhir::Element> document;
  // `document` serialised per FhirEnrichOptions::format; nullopt when nothing was added, no
  // format was asked for, or serialisation failed (then reason = "serialize_failed").
  std::optional<std::string> payload;
  std::vector<FhirAddedExplanation> added;
  std::vector<FhirHeldExplanation> held;     // policy "hold": not attached, waiting for release
  std::map<std::string, int> not_explained;  // reason -> findings, over all reports
  std::vector<FhirReportOutcome> reports;    // one per extracted report, in order
  // When nothing was added: the first report's reason ("not_released", "no_match",
  // "presented_form_pdf_only", "held_for_review", ...; "no_diagnostic_report" when there is none).
  std::string reason;
};

// The DocumentReference described above for `chosen` (document non-null), without an id:
// subject copied from `subject` when non-null, context.related = `related`, identifier
// urn:uuid:<uuid>, date and attachment creation `now` ("" = the current UTC time). Also used
// for the follow-up of a released held explanation (follow_up.h).
fhir::Element build_explanation_document_reference(
    const content::ContentLibrary& library, const Chosen& chosen, const fhir::Element* subject,
    const std::string& related, const std::string& uuid, const std::string& now = {});

class FhirEnricher {
 public:
  // The holders must outlive the enricher; their snapshots may be swapped at any time.
  FhirEnricher(const matching::RuleSetHolder& rules, const content::ContentLibraryHolder& content,
               Policy policy);

  // `reports` must come from extract_fhir_reports() on `document` (or on an identical copy).
  FhirEnrichment enrich(const fhir::Element& document,
                        const std::vector<extract::FhirReport>& reports,
                        const FhirEnrichOptions& options = {}) const;

 private:
  const matching::RuleSetHolder& rules_;
  const content::ContentLibraryHolder& content_;
  Policy policy_;
};

// {"reason": "...", "not_explained": {...}, "held": [...], "reports": [{"index", "id", "status",
//  "released", "impression_source", "reason", "findings": [{"finding_id", "display",
//  "assertion", "outcome"}], "explanations": [{"finding_id", "content_id", "version",
//  "language", "review_status", "used_fallback", "reference"}]}]}
// No accession numbers or report text. Compact JSON, UTF-8.
std::string fhir_enrichment_summary_json(const FhirEnrichment& enrichment);

}  // namespace explainer::enrich
