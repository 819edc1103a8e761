#include "fhir/diagnostic_report.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "fhir/json_format.h"
#include "fhir/test_support.h"
#include "fhir/xml_format.h"

namespace explainer::fhir {
namespace {

using testing::canonical_xml;
using testing::fixture_dir;
using testing::read_file;

Element load(const std::string& relative) {
  const auto path = fixture_dir() / relative;
  const std::string text = read_file(path);
  auto parsed = path.extension() == ".xml" ? parse_xml(text) : parse_json(text);
  EXPECT_TRUE(parsed.ok()) << relative << ": " << parsed.error().describe();
  return parsed.ok() ? *parsed : Element{};
}

TEST(DiagnosticReport, TopLevelReportFields) {
  Element doc = load("spec_examples/diagnosticreport-example-ultrasound.json");
  auto found = find_diagnostic_reports(doc);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].location, ReportLocation::kTopLevel);
  EXPECT_EQ(found[0].container, nullptr);
  DiagnosticReportView report(*found[0].report);
  EXPECT_EQ(report.id(), "ultrasound");
  EXPECT_EQ(report.status(), "final");
  EXPECT_FALSE(report.conclusion().empty());
  EXPECT_EQ(report.subject_reference(), "Patient/example");
  EXPECT_EQ(report.code_text(), "Abdominal Ultrasound");
}

TEST(DiagnosticReport, ReportsInsideBundleEntries) {
  for (const char* file : {"spec_examples/diagnosticreport-examples-general.json",
                           "spec_examples/diagnosticreport-examples-general.xml"}) {
    SCOPED_TRACE(file);
    Element bundle = load(file);
    ASSERT_EQ(bundle.resource_type, "Bundle");
    auto found = find_diagnostic_reports(bundle);
    EXPECT_EQ(found.size(), 17u);
    for (const auto& f : found) {
      EXPECT_EQ(f.location, ReportLocation::kBundleEntry);
      ASSERT_NE(f.container, nullptr);
      EXPECT_EQ(f.container->name, "entry");
      EXPECT_FALSE(DiagnosticReportView(*f.report).status().empty());
    }
    const auto entries = bundle_entries(bundle);
    ASSERT_FALSE(entries.empty());
    EXPECT_FALSE(entries[0].full_url.empty());
    ASSERT_NE(entries[0].resource, nullptr);
  }
}

TEST(DiagnosticReport, ConclusionCodesAndMeta) {
  Element doc = load("spec_examples/diagnosticreport-example-f202-bloodculture.json");
  auto found = find_diagnostic_reports(doc);
  ASSERT_FALSE(found.empty());
  DiagnosticReportView report(*found[0].report);
  const auto codes = report.conclusion_codes();
  ASSERT_FALSE(codes.empty());
  EXPECT_EQ(codes[0].system, "http://snomed.info/sct");
  EXPECT_FALSE(codes[0].code.empty());
}

TEST(DiagnosticReport, PresentedFormsFromUsCore) {
  Element xray = load("us_core/DiagnosticReport-chest-xray-report.json");
  auto forms = DiagnosticReportView(xray).presented_forms();
  ASSERT_EQ(forms.size(), 1u);
  EXPECT_NE(forms[0].content_type.find("xhtml"), std::string::npos);
  EXPECT_FALSE(forms[0].data_base64.empty());

  Element cardiology = load("us_core/DiagnosticReport-cardiology-report.json");
  auto pdf = DiagnosticReportView(cardiology).presented_forms();
  ASSERT_EQ(pdf.size(), 1u);
  EXPECT_TRUE(pdf[0].data_base64.empty());
  EXPECT_FALSE(pdf[0].url.empty());
}

TEST(DiagnosticReport, ContainedResourcesResultsAndLanguages) {
  for (const char* file : {"handwritten/tricky-report.json", "handwritten/tricky-report.xml"}) {
    SCOPED_TRACE(file);
    Element doc = load(file);
    DiagnosticReportView report(doc);
    EXPECT_EQ(report.version_id(), "7");
    EXPECT_EQ(report.code_text(), "CT head");
    EXPECT_EQ(report.result_references(), std::vector<std::string>{"#imp1"});
    const Element* impression = report.contained("#imp1");
    ASSERT_NE(impression, nullptr);
    EXPECT_EQ(impression->resource_type, "Observation");
    EXPECT_EQ(impression->find_path("code.coding")->value_of("code"), "19005-8");
    EXPECT_EQ(report.contained("nope"), nullptr);
    EXPECT_EQ(report.contained("#"), nullptr);

    const Element* patient = report.contained(report.subject_reference());
    ASSERT_NE(patient, nullptr);
    const auto languages = patient_languages(*patient);
    ASSERT_EQ(languages.size(), 1u);
    EXPECT_EQ(languages[0].code, "es");
    EXPECT_TRUE(languages[0].preferred);
    ASSERT_EQ(report.presented_forms().size(), 1u);
    EXPECT_EQ(report.presented_forms()[0].language, "en");
  }
}

TEST(DiagnosticReport, FindsContainedReports) {
  Element bundle = make_resource("Bundle");
  insert_primitive(bundle, "type", "collection");
  Element holder = make_resource("Basic");
  Element inner = make_resource("DiagnosticReport");
  insert_primitive(inner, "status", "final");
  add_contained(holder, std::move(inner));
  add_bundle_entry(bundle, std::move(holder), "urn:uuid:1");
  auto found = find_diagnostic_reports(bundle);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].location, ReportLocation::kContained);
  EXPECT_EQ(found[0].container->resource_type, "Basic");
}

// Adding an extension, a contained resource and a Bundle entry leaves every other
// element where it was, and the XML stays schema-valid (element order).
TEST(DiagnosticReport, BuildersDoNotDisturbTheRest) {
  const std::string original =
      read_file(fixture_dir() / "spec_examples" / "diagnosticreport-example-ultrasound.xml");
  auto parsed = parse_xml(original);
  ASSERT_TRUE(parsed.ok());
  Element doc = *parsed;
  auto found = find_diagnostic_reports(doc);
  ASSERT_EQ(found.size(), 1u);
  Element& report = *found[0].report;
  Element explanation = make_resource("DocumentReference");
  insert_primitive(explanation, "id", "expl1");
  insert_primitive(explanation, "status", "current");
  Element content = make_complex("content");
  Element attachment = make_complex("attachment");
  insert_primitive(attachment, "contentType", "text/plain");
  insert_primitive(attachment, "data", "SGVsbG8=");
  insert_child(content, std::move(attachment));
  insert_child(explanation, std::move(content));
  add_contained(report, std::move(explanation));
  Element reference = make_complex("valueReference");
  insert_primitive(reference, "reference", "#expl1");
  add_extension(report, "https://example.org/fhir/StructureDefinition/patient-explanation",
                std::move(reference));

  // contained and extension sit after text, before status.
  std::vector<std::string> names;
  for (const Element& child : report.children) names.push_back(child.name);
  const auto position = [&](const std::string& n) {
    return std::find(names.begin(), names.end(), n) - names.begin();
  };
  EXPECT_LT(position("text"), position("contained"));
  EXPECT_LT(position("contained"), position("extension"));
  EXPECT_LT(position("extension"), position("status"));

  auto written = write_xml(doc);
  ASSERT_TRUE(written.ok()) << written.error().describe();
  // Remove what we added; the rest must equal the original.
  auto reparsed = parse_xml(*written);
  ASSERT_TRUE(reparsed.ok());
  Element stripped = *reparsed;
  auto& children = stripped.children;
  children.erase(std::remove_if(children.begin(), children.end(),
                                [](const Element& c) {
                                  return c.name == "contained" || c.name == "extension";
                                }),
                 children.end());
  auto restored = write_xml(stripped);
  ASSERT_TRUE(restored.ok());
  EXPECT_EQ(canonical_xml(original), canonical_xml(*restored));

  if (testing::have_xmllint()) {
    const auto path = std::filesystem::path(EXPLAINER_BINARY_DIR) / "fhir-builder-output.xml";
    std::ofstream(path, std::ios::binary) << *written;
    std::string output;
    EXPECT_EQ(testing::xmllint_validate({path}, &output), 0) << output;
  }

  // JSON: the extension and contained resource come out as arrays.
  auto json = write_json(doc);
  ASSERT_TRUE(json.ok());
  EXPECT_NE(json->find(R"("contained":[{"resourceType":"DocumentReference","id":"expl1")"),
            std::string::npos)
      << *json;
  EXPECT_NE(
      json->find(
          R"("extension":[{"url":"https://example.org/fhir/StructureDefinition/patient-explanation","valueReference":{"reference":"#expl1"}}])"),
      std::string::npos)
      << *json;
}

TEST(DiagnosticReport, AddBundleEntryWritesRequest) {
  Element bundle = make_resource("Bundle");
  insert_primitive(bundle, "type", "transaction");
  Element report = make_resource("DiagnosticReport");
  insert_primitive(report, "status", "final");
  add_bundle_entry(bundle, std::move(report), "urn:uuid:abc", "POST", "DiagnosticReport");
  auto json = write_json(bundle);
  ASSERT_TRUE(json.ok());
  EXPECT_EQ(*json,
            R"({"resourceType":"Bundle","type":"transaction","entry":[{"fullUrl":"urn:uuid:abc",)"
            R"("resource":{"resourceType":"DiagnosticReport","status":"final"},)"
            R"("request":{"method":"POST","url":"DiagnosticReport"}}]})");
  const auto entries = bundle_entries(bundle);
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].request_method, "POST");
  EXPECT_EQ(entries[0].request_url, "DiagnosticReport");
  EXPECT_EQ(entries[0].resource->resource_type, "DiagnosticReport");
}

}  // namespace
}  // namespace explainer::fhir
