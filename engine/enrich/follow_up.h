// Follow-ups for held explanations (policy "hold") that an operator released
// (`explainer review release`). The report itself went downstream long ago; the follow-up
// carries the one explanation and references that report.
//
// HL7 v2 — an MDM^T02 (original document notification and content) built from the stored
// original ORU:
//   MSH|^~\&|EXPLAINER|<ORU MSH-4>|<ORU MSH-5>|<ORU MSH-6>|<now>||MDM^T02^MDM_T02|<control id>|
//       <ORU MSH-11>|<ORU MSH-12>  (+ MSH-18 copied when the ORU had one)
//   EVN|T02|<now>
//   PID  copied byte for byte from the report's patient (nearest PID before its OBR)
//   PV1  copied byte for byte when the ORU has one before the OBR
//   TXA|1|PE|...  TXA-2 "PE" (patient explanation: a local value of user table 0270),
//       TXA-3 FT or TEXT (ED), TXA-4/TXA-6 now, TXA-12 <document number>^EXPLAINER,
//       TXA-13 <accession> (the report's accession, as the parent document),
//       TXA-14 ORU OBR-2 and TXA-15 ORU OBR-3 copied byte for byte (placer / filler order
//       numbers), TXA-17 AU for approved content, DO for draft, TXA-19 AV
//   OBX|1|FT or ED|...  exactly the OBX the v2 enricher would have attached
//       (build_explanation_obx), in the ORU's delimiters and character set.
//
// FHIR — a transaction Bundle with one POST DocumentReference entry (request.ifNoneExist on its
// identifier; the identifier is the one the enricher would have used, so a re-release or an
// earlier attachment of the same explanation is not created twice), built by
// build_explanation_document_reference(): subject copied from the report, context.related =
// the report (its Bundle fullUrl, or DiagnosticReport/<id>).
//
// Content: the library's current document for the held content id and language. When its
// version differs from the held one the follow-up carries the current version and says so in
// FollowUp::content_version (the caller reports it). Retired or missing content: no follow-up.
//
// Pure functions; thread-safe.
#pragma once

#include <optional>
#include <string>

#include "content/library.h"
#include "enrich/fhir_enricher.h"
#include "enrich/v2_enricher.h"

namespace explainer::enrich {

// What was held, as recorded when the report came in.
struct HeldReference {
  int report_index = 0;   // v2 OBR group index / FHIR extracted report index
  std::string report_id;  // FHIR only
  std::string accession;
  std::string finding_id;
  std::string content_id;
  std::string content_version;
  std::string language;
};

struct FollowUp {
  std::optional<std::string> payload;  // nullopt: not built, see error
  std::string error;                   // operator-readable, no patient data
  std::string content_version;         // the version actually sent
};

// `original` is the stored ORU (any HL7 v2 framing the parser accepts). `control_id` becomes
// MSH-10 and the TXA-12 document number; `now` is an HL7 DTM (e.g. "20261125153000").
FollowUp build_v2_follow_up(const std::string& original, const HeldReference& held,
                            const content::ContentLibrary& library, V2Form form,
                            const std::string& control_id, const std::string& now);

// `original` is the stored FHIR request body in `input` format; the Bundle is written in
// `output` format. `now` is a FHIR instant ("" = the current UTC time).
FollowUp build_fhir_follow_up(const std::string& original, FhirFormat input,
                              const HeldReference& held, const content::ContentLibrary& library,
                              FhirFormat output, const std::string& now = {});

}  // namespace explainer::enrich
