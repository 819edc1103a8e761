// Format-neutral view of one report inside an inbound message.
//
// Produced by engine/extract from an HL7 v2 OBR group or a FHIR DiagnosticReport;
// consumed by matching and enrichment. A plain value: copy or move freely.
#pragma once

#include <string>
#include <vector>

namespace explainer::core {

// A code carried by the report (v2 coded OBX, FHIR conclusionCode).
struct Code {
  std::string system;   // e.g. "http://snomed.info/sct", "LN", "RADLEX"
  std::string code;
  std::string display;
};

// Where the impression text came from; kept for counting and troubleshooting.
enum class ImpressionSource {
  kNone,
  kImpressionObservation,  // v2 OBX coded LOINC 19005-8 / &IMP; FHIR Observation 19005-8
  kReportTextSection,      // IMPRESSION:/CONCLUSION: section of the report text
  kConclusion,             // FHIR DiagnosticReport.conclusion
  kPresentedForm,          // FHIR presentedForm attachment text
  kCodesOnly,              // only coded findings (FHIR conclusionCode)
};

const char* to_string(ImpressionSource source);

struct ReportView {
  int group_index = 0;           // 0-based OBR group / resource index within the message
  std::string accession;         // v2 OBR-3 (filler order number) else OBR-2; FHIR identifier
  std::string status;            // v2 OBR-25 as sent; FHIR DiagnosticReport.status
  bool released = false;         // status is in the configured released set
  std::string modality;          // e.g. "MR", "CT" when known
  std::string body_region;       // free text or code display, when known
  std::string study_name;        // OBR-4 text / DiagnosticReport.code text
  std::string study_datetime;    // OBR-7 / effective[x], as sent
  std::string patient_language;  // ISO 639-1 when recognisable (v2 PID-15, FHIR communication)
  std::string impression;        // decoded UTF-8 text; empty when none was found
  ImpressionSource impression_source = ImpressionSource::kNone;
  std::vector<Code> codes;       // coded findings
};

}  // namespace explainer::core
