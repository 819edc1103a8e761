// Read accessors and small builders for what Explainer needs from FHIR documents:
// DiagnosticReports wherever they sit (top level, Bundle entries, contained), their
// impression-bearing fields, Bundle entries and Patient languages.
//
// Views hold pointers into an Element tree: they are valid while the tree is alive
// and unchanged in structure. Read-only functions are thread-safe on a shared tree.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "fhir/element.h"

namespace explainer::fhir {

struct Coding {
  std::string system;
  std::string code;
  std::string display;
};

struct Attachment {
  std::string content_type;  // as sent, may carry ";charset=..."
  std::string language;
  std::string data_base64;  // still base64-encoded
  std::string url;
  std::string title;
};

// Where a DiagnosticReport was found.
enum class ReportLocation { kTopLevel, kBundleEntry, kContained };

struct FoundReport {
  Element* report = nullptr;     // the DiagnosticReport element (resource_type set)
  Element* container = nullptr;  // Bundle.entry element or containing resource; null at top level
  ReportLocation location = ReportLocation::kTopLevel;
  int index = 0;  // entry / contained index within the container
};

// Finds DiagnosticReports: the document itself, Bundle entries (also nested Bundles),
// and resources contained in any of those. Document order.
std::vector<FoundReport> find_diagnostic_reports(Element& document);

class DiagnosticReportView {
 public:
  explicit DiagnosticReportView(const Element& report) : report_(&report) {}

  const Element& element() const { return *report_; }
  std::string id() const { return report_->value_of("id"); }
  std::string version_id() const { return report_->value_at("meta.versionId"); }
  std::string status() const { return report_->value_of("status"); }
  // code.text, else the first coding display, else "".
  std::string code_text() const;
  std::vector<Coding> code_codings() const;
  std::string subject_reference() const { return report_->value_at("subject.reference"); }
  std::string conclusion() const { return report_->value_of("conclusion"); }
  std::vector<Coding> conclusion_codes() const;  // all codings of all conclusionCode
  std::vector<Attachment> presented_forms() const;
  std::vector<std::string> result_references() const;  // result[].reference
  // Contained resource with id `id_or_local_ref` ("imp1" or "#imp1"); nullptr if none.
  const Element* contained(std::string_view id_or_local_ref) const;

 private:
  const Element* report_;
};

std::vector<Coding> codings_of(const Element& codeable_concept);
Attachment attachment_of(const Element& attachment);

struct BundleEntry {
  const Element* entry = nullptr;
  std::string full_url;
  const Element* resource = nullptr;  // nullptr when the entry has none
  std::string request_method;
  std::string request_url;
};
std::vector<BundleEntry> bundle_entries(const Element& bundle);

struct PatientLanguage {
  std::string code;  // language.coding.code (BCP-47), else language.text
  bool preferred = false;
};
std::vector<PatientLanguage> patient_languages(const Element& patient);

// Appends a Bundle entry {fullUrl?, resource, request?} (empty strings are omitted).
Element& add_bundle_entry(Element& bundle, Element resource, std::string full_url = {},
                          std::string request_method = {}, std::string request_url = {});

}  // namespace explainer::fhir
