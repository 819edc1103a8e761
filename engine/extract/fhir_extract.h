// Finds the reports inside a parsed FHIR R4 document: one FhirReport (core::ReportView plus
// where the DiagnosticReport sits) per DiagnosticReport that fhir::find_diagnostic_reports()
// finds (top level, Bundle entries incl. nested Bundles, contained), in that order.
//
// Impression text, first source that yields text:
//   1. DiagnosticReport.conclusion (source kConclusion);
//   2. presentedForm attachments with inline `data` whose contentType is text/plain, text/html
//      or application/xhtml(+xml): base64-decoded (UTF-8 assumed), markup stripped (libxml2
//      HTML parser); the IMPRESSION:/CONCLUSION: section(s) when present, else the whole text
//      only when it has no section headers at all (a bare impression); first attachment that
//      yields text wins (source kPresentedForm);
//   3. Observations coded LOINC 19005-8 referenced from `result`: contained ("#id") or Bundle
//      entries (by fullUrl, "Observation/<id>" or a fullUrl ending in "/Observation/<id>");
//      valueString of each, in `result` order, joined with '\n'; a leading "IMPRESSION:" heading
//      is dropped; Observations with status entered-in-error / cancelled are ignored
//      (source kImpressionObservation).
// Codes: every coding of every conclusionCode (and valueCodeableConcept codings of impression
// Observations) goes to ReportView::codes; with codes but no text the source is kCodesOnly.
// When nothing yields text or codes, FhirReport::no_impression_reason says why
// ("presented_form_pdf_only", "presented_form_url_only", "no_impression").
//
// Other fields: status / released (configurable status list), study_name = code text,
// modality / body_region inferred from it (inference.h), study_datetime = effectiveDateTime or
// effectivePeriod.start, accession = identifier typed ACSN (v2-0203), else the first identifier
// value, patient_language = Patient.communication (preferred first, else first) of the subject
// Patient when present (contained "#id", or a Bundle entry matched by fullUrl or Patient/<id>).
//
// Pure function of the document; thread-safe on a shared document. Never throws except
// std::bad_alloc.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/report.h"
#include "fhir/diagnostic_report.h"
#include "fhir/element.h"

namespace explainer::extract {

struct FhirExtractOptions {
  // DiagnosticReport.status values that count as released (safe to explain to the patient).
  std::vector<std::string> released_statuses = {"final", "amended", "corrected", "appended"};
};

struct FhirReport {
  // view.group_index is this report's index in find_diagnostic_reports(document) order, which
  // is stable for any copy of the document (the enricher relies on it).
  core::ReportView view;
  // Locator into the document passed to extract_fhir_reports(); valid while that tree is
  // alive and structurally unchanged.
  fhir::FoundReport found;
  std::string id;        // DiagnosticReport.id ("" when absent)
  std::string full_url;  // Bundle entry fullUrl when the report is a Bundle entry
  // Why there is no impression when view.impression and view.codes are empty; "" otherwise.
  std::string no_impression_reason;
};

std::vector<FhirReport> extract_fhir_reports(fhir::Element& document,
                                             const FhirExtractOptions& options = {});

// Decodes base64 (line breaks tolerated) into `out`; false when `text` is not valid base64.
bool decode_base64(std::string_view text, std::string& out);

// Visible text of an HTML / XHTML fragment: block elements end lines, <br> breaks lines,
// script/style dropped, entities decoded. UTF-8 in and out.
std::string html_to_text(std::string_view html);

}  // namespace explainer::extract
