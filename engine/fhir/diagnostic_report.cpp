#include "fhir/diagnostic_report.h"

namespace explainer::fhir {
namespace {

void collect_reports(Element& resource, Element* container, ReportLocation location, int index,
                     std::vector<FoundReport>& out, int depth) {
  if (depth > 16) return;  // nested Bundles deeper than this are not followed
  if (resource.resource_type == "DiagnosticReport") {
    out.push_back({&resource, container, location, index});
  }
  int contained_index = 0;
  for (Element& child : resource.children) {
    if (child.name == "contained" && child.resource_type == "DiagnosticReport") {
      out.push_back({&child, &resource, ReportLocation::kContained, contained_index});
    }
    if (child.name == "contained") ++contained_index;
  }
  if (resource.resource_type == "Bundle") {
    int entry_index = 0;
    for (Element* entry : resource.children_named("entry")) {
      if (Element* inner = entry->child("resource"); inner && inner->is_resource()) {
        collect_reports(*inner, entry, ReportLocation::kBundleEntry, entry_index, out, depth + 1);
      }
      ++entry_index;
    }
  }
}

}  // namespace

std::vector<FoundReport> find_diagnostic_reports(Element& document) {
  std::vector<FoundReport> found;
  collect_reports(document, nullptr, ReportLocation::kTopLevel, 0, found, 0);
  return found;
}

std::vector<Coding> codings_of(const Element& codeable_concept) {
  std::vector<Coding> codings;
  for (const Element* coding : codeable_concept.children_named("coding")) {
    codings.push_back(
        {coding->value_of("system"), coding->value_of("code"), coding->value_of("display")});
  }
  return codings;
}

Attachment attachment_of(const Element& attachment) {
  return {attachment.value_of("contentType"), attachment.value_of("language"),
          attachment.value_of("data"), attachment.value_of("url"), attachment.value_of("title")};
}

std::string DiagnosticReportView::code_text() const {
  const Element* code = report_->child("code");
  if (!code) return {};
  if (const std::string* text = code->child_value("text")) return *text;
  for (const Coding& coding : codings_of(*code)) {
    if (!coding.display.empty()) return coding.display;
  }
  return {};
}

std::vector<Coding> DiagnosticReportView::code_codings() const {
  const Element* code = report_->child("code");
  return code ? codings_of(*code) : std::vector<Coding>{};
}

std::vector<Coding> DiagnosticReportView::conclusion_codes() const {
  std::vector<Coding> all;
  for (const Element* concept_element : report_->children_named("conclusionCode")) {
    for (Coding& coding : codings_of(*concept_element)) all.push_back(std::move(coding));
  }
  return all;
}

std::vector<Attachment> DiagnosticReportView::presented_forms() const {
  std::vector<Attachment> forms;
  for (const Element* form : report_->children_named("presentedForm")) {
    forms.push_back(attachment_of(*form));
  }
  return forms;
}

std::vector<std::string> DiagnosticReportView::result_references() const {
  std::vector<std::string> references;
  for (const Element* result : report_->children_named("result")) {
    if (const std::string* reference = result->child_value("reference")) {
      references.push_back(*reference);
    }
  }
  return references;
}

const Element* DiagnosticReportView::contained(std::string_view id_or_local_ref) const {
  if (!id_or_local_ref.empty() && id_or_local_ref.front() == '#') id_or_local_ref.remove_prefix(1);
  if (id_or_local_ref.empty()) return nullptr;
  for (const Element* resource : report_->children_named("contained")) {
    if (const std::string* id = resource->child_value("id"); id && *id == id_or_local_ref) {
      return resource;
    }
  }
  return nullptr;
}

std::vector<BundleEntry> bundle_entries(const Element& bundle) {
  std::vector<BundleEntry> entries;
  for (const Element* entry : bundle.children_named("entry")) {
    BundleEntry view;
    view.entry = entry;
    view.full_url = entry->value_of("fullUrl");
    const Element* resource = entry->child("resource");
    view.resource = resource && resource->is_resource() ? resource : nullptr;
    view.request_method = entry->value_at("request.method");
    view.request_url = entry->value_at("request.url");
    entries.push_back(std::move(view));
  }
  return entries;
}

std::vector<PatientLanguage> patient_languages(const Element& patient) {
  std::vector<PatientLanguage> languages;
  for (const Element* communication : patient.children_named("communication")) {
    const Element* language = communication->child("language");
    if (!language) continue;
    PatientLanguage entry;
    for (const Coding& coding : codings_of(*language)) {
      if (!coding.code.empty()) {
        entry.code = coding.code;
        break;
      }
    }
    if (entry.code.empty()) entry.code = language->value_of("text");
    entry.preferred = communication->value_of("preferred") == "true";
    if (!entry.code.empty()) languages.push_back(std::move(entry));
  }
  return languages;
}

Element& add_bundle_entry(Element& bundle, Element resource, std::string full_url,
                          std::string request_method, std::string request_url) {
  Element entry = make_complex("entry");
  entry.type = types::find_type("Bundle_Entry");
  if (!full_url.empty()) insert_primitive(entry, "fullUrl", std::move(full_url));
  resource.name = "resource";
  insert_child(entry, std::move(resource));
  if (!request_method.empty() || !request_url.empty()) {
    Element request = make_complex("request");
    request.type = types::find_type("Bundle_Request");
    if (!request_method.empty()) insert_primitive(request, "method", std::move(request_method));
    if (!request_url.empty()) insert_primitive(request, "url", std::move(request_url));
    insert_child(entry, std::move(request));
  }
  return insert_child(bundle, std::move(entry));
}

}  // namespace explainer::fhir
