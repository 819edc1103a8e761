#include "extract/fhir_extract.h"

#include <Poco/Base64Decoder.h>
#include <libxml/HTMLparser.h>
#include <libxml/parser.h>

#include <algorithm>
#include <cctype>
#include <mutex>
#include <sstream>

#include "extract/inference.h"
#include "extract/sections.h"

namespace explainer::extract {
namespace {

using fhir::Element;

constexpr std::string_view kLoinc = "http://loinc.org";
constexpr std::string_view kImpressionLoinc = "19005-8";

std::string trimmed(std::string_view s) {
  const auto space = [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; };
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  return std::string(s);
}

std::string lower(std::string_view s) {
  std::string out;
  for (char c : s) out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  return out;
}

bool contains(const std::vector<std::string>& values, const std::string& value) {
  return std::find(values.begin(), values.end(), value) != values.end();
}

std::string join_lines(const std::vector<std::string>& lines) {
  std::string out;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (i > 0) out.push_back('\n');
    out += lines[i];
  }
  return out;
}

// Media type without parameters, lower case: "Text/HTML; charset=utf-8" -> "text/html".
std::string media_type(std::string_view content_type) {
  return lower(trimmed(content_type.substr(0, content_type.find(';'))));
}

bool is_html_type(const std::string& type) {
  return type == "text/html" || type == "application/xhtml" || type == "application/xhtml+xml";
}

// Drops a leading impression heading line ("IMPRESSION:" alone, or its rest) and blank edges.
std::string strip_impression_heading(std::vector<std::string> lines) {
  std::size_t first = 0;
  std::size_t end = lines.size();
  while (first < end && trimmed(lines[first]).empty()) ++first;
  std::string_view rest;
  if (first < end && is_impression_header(lines[first], &rest)) {
    if (trimmed(rest).empty()) {
      ++first;
      while (first < end && trimmed(lines[first]).empty()) ++first;
    } else {
      lines[first] = trimmed(rest);
    }
  }
  while (end > first && trimmed(lines[end - 1]).empty()) --end;
  for (auto& line : lines) {
    while (!line.empty() && std::isspace(static_cast<unsigned char>(line.back()))) line.pop_back();
  }
  return join_lines({lines.begin() + static_cast<std::ptrdiff_t>(first),
                     lines.begin() + static_cast<std::ptrdiff_t>(end)});
}

// Impression of a free-text report: its impression section(s), else the whole text when it has
// no section headers at all (then it is a bare impression), else "".
std::string impression_of_text(std::string_view text) {
  const std::vector<std::string> lines = split_lines(text);
  std::string section = impression_section(lines);
  if (!section.empty()) return section;
  for (const auto& line : lines) {
    if (is_section_header(line)) return {};
  }
  return strip_impression_heading(lines);
}

// --- HTML -> text --------------------------------------------------------------------------

bool is_block(std::string_view name) {
  static constexpr std::string_view kBlocks[] = {
      "p",      "div",    "br", "li", "ul",    "ol",      "h1",   "h2",         "h3",
      "h4",     "h5",     "h6", "tr", "table", "section", "pre",  "blockquote", "article",
      "header", "footer", "dd", "dt", "dl",    "hr",      "body", "html",       "title"};
  return std::find(std::begin(kBlocks), std::end(kBlocks), name) != std::end(kBlocks);
}

void append_text(std::string& out, std::string_view text, bool preformatted) {
  for (char c : text) {
    if (!preformatted && (c == '\n' || c == '\r' || c == '\t')) c = ' ';
    if (!preformatted && c == ' ' && (out.empty() || out.back() == ' ' || out.back() == '\n'))
      continue;
    out.push_back(c);
  }
}

void walk_html(const xmlNode* node, std::string& out, bool preformatted, int depth) {
  if (depth > 200) return;
  for (; node; node = node->next) {
    if (node->type == XML_TEXT_NODE || node->type == XML_CDATA_SECTION_NODE) {
      if (node->content)
        append_text(out, reinterpret_cast<const char*>(node->content), preformatted);
      continue;
    }
    if (node->type != XML_ELEMENT_NODE) continue;
    const std::string name = lower(reinterpret_cast<const char*>(node->name));
    if (name == "script" || name == "style" || name == "head") continue;
    const bool block = is_block(name);
    if (block && !out.empty() && out.back() != '\n') out.push_back('\n');
    walk_html(node->children, out, preformatted || name == "pre", depth + 1);
    if (block && !out.empty() && out.back() != '\n') out.push_back('\n');
  }
}

// --- Resolving references ------------------------------------------------------------------

struct Context {
  const Element* bundle = nullptr;  // innermost Bundle holding the report, if any
};

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// Resolves `reference` from `report` to a resource of `type`: "#id" among the report's contained
// resources, else a Bundle entry whose fullUrl equals it, or whose resource is Type/id.
const Element* resolve(const Element& report, const Element* bundle, const std::string& reference,
                       std::string_view type) {
  if (reference.empty()) return nullptr;
  if (reference.front() == '#') {
    const Element* found = fhir::DiagnosticReportView(report).contained(reference);
    return found && found->resource_type == type ? found : nullptr;
  }
  if (!bundle) return nullptr;
  for (const auto& entry : fhir::bundle_entries(*bundle)) {
    if (!entry.resource || entry.resource->resource_type != type) continue;
    if (!entry.full_url.empty() && entry.full_url == reference) return entry.resource;
    const std::string id = entry.resource->value_of("id");
    if (id.empty()) continue;
    const std::string relative = std::string(type) + "/" + id;
    if (reference == relative || ends_with(reference, "/" + relative)) return entry.resource;
    // A versioned reference "Observation/id/_history/n" still names the resource.
    if (reference.rfind(relative + "/_history/", 0) == 0) return entry.resource;
  }
  return nullptr;
}

bool is_impression_observation(const Element& observation) {
  const Element* code = observation.child("code");
  if (!code) return false;
  for (const auto& coding : fhir::codings_of(*code)) {
    if (coding.code == kImpressionLoinc && (coding.system.empty() || coding.system == kLoinc))
      return true;
  }
  return false;
}

void add_codes(std::vector<core::Code>& codes, const Element& concept_element) {
  for (auto& coding : fhir::codings_of(concept_element)) {
    if (trimmed(coding.code).empty()) continue;
    codes.push_back({coding.system, trimmed(coding.code), coding.display});
  }
}

std::string impression_from_observations(const Element& report, const Element* bundle,
                                         std::vector<core::Code>& codes) {
  std::vector<std::string> lines;
  for (const std::string& reference : fhir::DiagnosticReportView(report).result_references()) {
    const Element* observation = resolve(report, bundle, reference, "Observation");
    if (!observation || !is_impression_observation(*observation)) continue;
    const std::string status = observation->value_of("status");
    if (status == "entered-in-error" || status == "cancelled") continue;
    if (const Element* value = observation->child("valueCodeableConcept")) add_codes(codes, *value);
    for (std::string& line : split_lines(observation->value_of("valueString")))
      lines.push_back(std::move(line));
  }
  return strip_impression_heading(std::move(lines));
}

// First presentedForm that yields impression text; `why_not` explains an empty result.
std::string impression_from_presented_forms(const fhir::DiagnosticReportView& report,
                                            std::string& why_not) {
  bool any_text = false, any_pdf = false, any_url = false;
  for (const auto& form : report.presented_forms()) {
    const std::string type = media_type(form.content_type);
    if (form.data_base64.empty()) {
      if (!form.url.empty()) any_url = true;
      continue;
    }
    if (type != "text/plain" && !is_html_type(type)) {
      if (type == "application/pdf") any_pdf = true;
      continue;
    }
    any_text = true;
    std::string decoded;
    if (!decode_base64(form.data_base64, decoded)) continue;
    const std::string text = is_html_type(type) ? html_to_text(decoded) : decoded;
    std::string impression = impression_of_text(text);
    if (!impression.empty()) return impression;
  }
  if (any_text) {
    why_not = "presented_form_no_impression";
  } else if (any_pdf) {
    why_not = "presented_form_pdf_only";
  } else if (any_url) {
    why_not = "presented_form_url_only";
  }
  return {};
}

std::string accession_of(const Element& report) {
  std::string first;
  for (const Element* identifier : report.children_named("identifier")) {
    const std::string value = trimmed(identifier->value_of("value"));
    if (value.empty()) continue;
    if (const Element* type = identifier->child("type")) {
      for (const auto& coding : fhir::codings_of(*type)) {
        if (coding.code == "ACSN") return value;
      }
    }
    if (first.empty()) first = value;
  }
  return first;
}

std::string patient_language(const Element& report, const Element* bundle) {
  const Element* patient = resolve(report, bundle, report.value_at("subject.reference"), "Patient");
  if (!patient) return {};
  const auto languages = fhir::patient_languages(*patient);
  if (languages.empty()) return {};
  const auto preferred = std::find_if(languages.begin(), languages.end(),
                                      [](const fhir::PatientLanguage& l) { return l.preferred; });
  const auto& chosen = preferred != languages.end() ? *preferred : languages.front();
  return iso639_1_language(chosen.code);
}

// The innermost Bundle holding `found` (its entry's parent), found by walking the tree.
const Element* bundle_of(const Element& root, const Element* entry, int depth = 0) {
  if (!entry || depth > 16) return nullptr;
  if (root.resource_type != "Bundle") return nullptr;
  for (const Element* e : root.children_named("entry")) {
    if (e == entry) return &root;
    if (const Element* inner = e->child("resource"); inner && inner->resource_type == "Bundle") {
      if (const Element* b = bundle_of(*inner, entry, depth + 1)) return b;
    }
  }
  return nullptr;
}

core::ReportView view_of(const Element& report, const Element* bundle, int index,
                         const FhirExtractOptions& options, std::string& no_impression_reason) {
  const fhir::DiagnosticReportView dr(report);
  core::ReportView view;
  view.group_index = index;
  view.accession = accession_of(report);
  view.status = dr.status();
  view.released = contains(options.released_statuses, view.status);
  view.study_name = trimmed(dr.code_text());
  view.modality = infer_modality("", view.study_name);
  view.body_region = infer_body_region(view.study_name);
  view.study_datetime = report.value_of("effectiveDateTime");
  if (view.study_datetime.empty()) view.study_datetime = report.value_at("effectivePeriod.start");
  view.patient_language = patient_language(report, bundle);

  for (const Element* concept_element : report.children_named("conclusionCode")) {
    add_codes(view.codes, *concept_element);
  }
  std::string why_not;
  view.impression = trimmed(dr.conclusion());
  if (!view.impression.empty()) {
    view.impression = dr.conclusion();
    view.impression_source = core::ImpressionSource::kConclusion;
  }
  if (view.impression.empty()) {
    view.impression = impression_from_presented_forms(dr, why_not);
    if (!view.impression.empty()) view.impression_source = core::ImpressionSource::kPresentedForm;
  }
  if (view.impression.empty()) {
    view.impression = impression_from_observations(report, bundle, view.codes);
    if (!view.impression.empty())
      view.impression_source = core::ImpressionSource::kImpressionObservation;
  }
  if (view.impression.empty() && !view.codes.empty())
    view.impression_source = core::ImpressionSource::kCodesOnly;
  if (view.impression.empty() && view.codes.empty()) {
    no_impression_reason = why_not.empty() ? "no_impression" : why_not;
  }
  return view;
}

}  // namespace

bool decode_base64(std::string_view text, std::string& out) {
  std::string compact;
  compact.reserve(text.size());
  for (char c : text) {
    if (!std::isspace(static_cast<unsigned char>(c))) compact.push_back(c);
  }
  if (compact.size() % 4 != 0) return false;
  for (char c : compact) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '+' && c != '/' && c != '=')
      return false;
  }
  try {
    std::istringstream in(compact);
    Poco::Base64Decoder decoder(in);
    std::ostringstream decoded;
    decoded << decoder.rdbuf();
    out = decoded.str();
    return true;
  } catch (const std::exception&) {
    return false;
  }
}

std::string html_to_text(std::string_view html) {
  static std::once_flag init;
  std::call_once(init, [] { xmlInitParser(); });
  if (html.empty()) return {};
  htmlDocPtr doc = htmlReadMemory(html.data(), static_cast<int>(html.size()), nullptr, "UTF-8",
                                  HTML_PARSE_NONET | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
                                      HTML_PARSE_RECOVER | HTML_PARSE_NOBLANKS);
  if (!doc) return {};
  std::string raw;
  walk_html(xmlDocGetRootElement(doc), raw, false, 0);
  xmlFreeDoc(doc);
  // Trim each line and collapse runs of blank lines.
  std::vector<std::string> lines;
  for (const auto& line : split_lines(raw)) {
    std::string t = trimmed(line);
    if (t.empty() && (lines.empty() || lines.back().empty())) continue;
    lines.push_back(std::move(t));
  }
  while (!lines.empty() && lines.back().empty()) lines.pop_back();
  return join_lines(lines);
}

std::vector<FhirReport> extract_fhir_reports(fhir::Element& document,
                                             const FhirExtractOptions& options) {
  std::vector<FhirReport> reports;
  const auto found = fhir::find_diagnostic_reports(document);
  for (std::size_t i = 0; i < found.size(); ++i) {
    FhirReport report;
    report.found = found[i];
    const Element& element = *found[i].report;
    const Element* bundle = nullptr;
    if (found[i].location == fhir::ReportLocation::kBundleEntry) {
      bundle = bundle_of(document, found[i].container);
      report.full_url = found[i].container->value_of("fullUrl");
    }
    report.id = element.value_of("id");
    report.view =
        view_of(element, bundle, static_cast<int>(i), options, report.no_impression_reason);
    reports.push_back(std::move(report));
  }
  return reports;
}

}  // namespace explainer::extract
