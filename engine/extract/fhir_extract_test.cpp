#include "extract/fhir_extract.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "fhir/json_format.h"
#include "fhir/xml_format.h"

namespace explainer::extract {
namespace {

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream all;
  all << in.rdbuf();
  return all.str();
}

std::filesystem::path fixtures() {
  return std::filesystem::path(EXPLAINER_SOURCE_DIR) / "tests/fixtures/fhir";
}

fhir::Element parse(const std::string& text) {
  auto parsed = text.find_first_not_of(" \t\r\n") != std::string::npos &&
                        text[text.find_first_not_of(" \t\r\n")] == '<'
                    ? fhir::parse_xml(text)
                    : fhir::parse_json(text);
  EXPECT_TRUE(parsed.ok()) << (parsed.ok() ? "" : parsed.error().describe());
  return parsed.ok() ? std::move(*parsed) : fhir::make_resource("Basic");
}

fhir::Element fixture(const std::string& relative) {
  return parse(read_file(fixtures() / relative));
}

std::string b64(const std::string& s) {
  static const char* alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < s.size(); i += 3) {
    const unsigned v = (static_cast<unsigned char>(s[i]) << 16) |
                       (static_cast<unsigned char>(s[i + 1]) << 8) |
                       static_cast<unsigned char>(s[i + 2]);
    for (int k = 18; k >= 0; k -= 6) out.push_back(alphabet[(v >> k) & 63]);
  }
  if (i + 1 == s.size()) {
    const unsigned v = static_cast<unsigned char>(s[i]) << 16;
    out += {alphabet[(v >> 18) & 63], alphabet[(v >> 12) & 63], '=', '='};
  } else if (i + 2 == s.size()) {
    const unsigned v =
        (static_cast<unsigned char>(s[i]) << 16) | (static_cast<unsigned char>(s[i + 1]) << 8);
    out += {alphabet[(v >> 18) & 63], alphabet[(v >> 12) & 63], alphabet[(v >> 6) & 63], '='};
  }
  return out;
}

std::string report_json(const std::string& status, const std::string& extra) {
  return R"({"resourceType":"DiagnosticReport","id":"r1","status":")" + status +
         R"(","code":{"text":"MRI knee"})" + extra + "}";
}

FhirReport only_report(fhir::Element& document, const FhirExtractOptions& options = {}) {
  auto reports = extract_fhir_reports(document, options);
  EXPECT_EQ(reports.size(), 1u);
  return reports.empty() ? FhirReport{} : reports.front();
}

TEST(FhirExtract, ConclusionIsTheFirstSourceAndReportFieldsAreFilled) {
  auto doc = fixture("radiology/mri-lumbar-spine.json");
  const FhirReport r = only_report(doc);
  EXPECT_EQ(r.view.impression_source, core::ImpressionSource::kConclusion);
  EXPECT_NE(r.view.impression.find("L4-L5 disc bulge"), std::string::npos);
  EXPECT_NE(r.view.impression.find("No evidence of metastatic disease"), std::string::npos);
  EXPECT_TRUE(r.view.released);
  EXPECT_EQ(r.view.status, "final");
  EXPECT_EQ(r.view.accession, "ACC-TEST-0001");
  EXPECT_EQ(r.view.modality, "MR");
  EXPECT_EQ(r.view.body_region, "spine");
  EXPECT_EQ(r.view.study_name, "MRI lumbar spine without contrast");
  EXPECT_EQ(r.view.study_datetime, "2026-11-20T08:30:00Z");
  EXPECT_EQ(r.id, "mri-lspine-1");
  EXPECT_EQ(r.found.location, fhir::ReportLocation::kTopLevel);
  EXPECT_EQ(r.found.report, &doc);
  EXPECT_TRUE(r.no_impression_reason.empty());
}

TEST(FhirExtract, PlainTextPresentedFormGivesItsImpressionSectionOnly) {
  auto doc = fixture("radiology/ct-chest-presented-form.json");
  const FhirReport r = only_report(doc);
  EXPECT_EQ(r.view.impression_source, core::ImpressionSource::kPresentedForm);
  EXPECT_NE(r.view.impression.find("6 mm right upper lobe pulmonary nodule."), std::string::npos);
  EXPECT_EQ(r.view.impression.find("Cough"), std::string::npos);
  EXPECT_EQ(r.view.impression.find("solid nodule"), std::string::npos)
      << "findings section must not leak";
  EXPECT_EQ(r.view.impression.find("Dictated"), std::string::npos);
  EXPECT_TRUE(r.view.released) << "amended counts as released";
  EXPECT_EQ(r.view.study_datetime, "2026-11-21T10:00:00Z") << "effectivePeriod.start";
  EXPECT_EQ(r.view.accession, "ACC-TEST-0002") << "first identifier when none is typed ACSN";
  EXPECT_EQ(r.view.modality, "CT");
}

TEST(FhirExtract, HtmlPresentedFormIsStrippedOfMarkup) {
  const std::string html =
      "<html><head><style>p{}</style></head><body><p>FINDINGS: Fluid.</p>"
      "<p><b>IMPRESSION:</b><br/>Small joint effusion &amp; Baker&#39;s cyst.</p></body></html>";
  auto doc = parse(report_json(
      "final", R"(,"presentedForm":[{"contentType":"text/html","data":")" + b64(html) + "\"}]"));
  const FhirReport r = only_report(doc);
  EXPECT_EQ(r.view.impression_source, core::ImpressionSource::kPresentedForm);
  EXPECT_EQ(r.view.impression, "Small joint effusion & Baker's cyst.");
}

TEST(FhirExtract, XhtmlPresentedFormWithoutSectionsIsABareImpression) {
  const std::string xhtml =
      "<div xmlns=\"http://www.w3.org/1999/xhtml\"><p>Torn medial meniscus.</p></div>";
  auto doc = parse(
      report_json("final", R"(,"presentedForm":[{"contentType":"application/xhtml+xml","data":")" +
                               b64(xhtml) + "\"}]"));
  EXPECT_EQ(only_report(doc).view.impression, "Torn medial meniscus.");
}

TEST(FhirExtract, TextWithOtherSectionsButNoImpressionGivesNothing) {
  const std::string text = "FINDINGS: Meniscal tear.\nTECHNIQUE: Standard.";
  auto doc = parse(report_json(
      "final", R"(,"presentedForm":[{"contentType":"text/plain","data":")" + b64(text) + "\"}]"));
  const FhirReport r = only_report(doc);
  EXPECT_TRUE(r.view.impression.empty());
  EXPECT_EQ(r.no_impression_reason, "presented_form_no_impression");
}

TEST(FhirExtract, ConclusionWinsOverPresentedFormAndObservations) {
  const std::string text = "IMPRESSION: Something else.";
  auto doc = parse(report_json(
      "final",
      R"(,"conclusion":"Meniscal tear.","presentedForm":[{"contentType":"text/plain","data":")" +
          b64(text) + "\"}]"));
  const FhirReport r = only_report(doc);
  EXPECT_EQ(r.view.impression, "Meniscal tear.");
  EXPECT_EQ(r.view.impression_source, core::ImpressionSource::kConclusion);
}

TEST(FhirExtract, PresentedFormWinsOverImpressionObservation) {
  auto doc = parse(
      R"({"resourceType":"DiagnosticReport","status":"final","code":{"text":"CT"},
      "contained":[{"resourceType":"Observation","id":"i","status":"final","code":{"coding":[{"system":"http://loinc.org","code":"19005-8"}]},"valueString":"From observation."}],
      "result":[{"reference":"#i"}],
      "presentedForm":[{"contentType":"text/plain","data":")" +
      b64("IMPRESSION: From text.") + "\"}]}");
  EXPECT_EQ(only_report(doc).view.impression, "From text.");
}

TEST(FhirExtract, ConclusionCodesGoToCodesAndAloneMakeCodesOnly) {
  auto doc = parse(report_json(
      "final",
      R"(,"conclusionCode":[{"coding":[{"system":"http://snomed.info/sct","code":"197321007","display":"Steatosis"}]}])"));
  const FhirReport r = only_report(doc);
  EXPECT_EQ(r.view.impression_source, core::ImpressionSource::kCodesOnly);
  EXPECT_TRUE(r.view.impression.empty());
  ASSERT_EQ(r.view.codes.size(), 1u);
  EXPECT_EQ(r.view.codes[0].system, "http://snomed.info/sct");
  EXPECT_EQ(r.view.codes[0].code, "197321007");
  EXPECT_TRUE(r.no_impression_reason.empty());
}

TEST(FhirExtract, CodesAreKeptAlongsideText) {
  auto doc = parse(report_json(
      "final",
      R"(,"conclusion":"Fatty liver.","conclusionCode":[{"coding":[{"system":"http://snomed.info/sct","code":"197321007"}]}])"));
  const FhirReport r = only_report(doc);
  EXPECT_EQ(r.view.impression_source, core::ImpressionSource::kConclusion);
  EXPECT_EQ(r.view.codes.size(), 1u);
}

TEST(FhirExtract, ReferencedObservationsInABundleAndPreferredPatientLanguage) {
  auto doc = fixture("radiology/bundle-spanish-patient.json");
  const FhirReport r = only_report(doc);
  EXPECT_EQ(r.view.impression_source, core::ImpressionSource::kImpressionObservation);
  EXPECT_EQ(r.view.impression, "Small right pleural effusion. No pneumonia.")
      << "only the 19005-8 observation, heading dropped";
  EXPECT_EQ(r.view.patient_language, "es") << "preferred communication, es-MX -> es";
  EXPECT_EQ(r.found.location, fhir::ReportLocation::kBundleEntry);
  EXPECT_EQ(r.full_url, "https://ehr.example.test/fhir/DiagnosticReport/xr-chest-3");
  EXPECT_EQ(r.view.modality, "CR");
  EXPECT_EQ(r.view.body_region, "chest");
}

TEST(FhirExtract, ObservationFoundByFullUrlAndEnteredInErrorIgnored) {
  auto doc = parse(R"({"resourceType":"Bundle","type":"transaction","entry":[
    {"fullUrl":"urn:uuid:1b0c0a4e-0000-4000-8000-000000000001","resource":{"resourceType":"Observation","status":"final",
      "code":{"coding":[{"system":"http://loinc.org","code":"19005-8"}]},"valueString":"Gallstones."}},
    {"fullUrl":"urn:uuid:1b0c0a4e-0000-4000-8000-000000000002","resource":{"resourceType":"Observation","status":"entered-in-error",
      "code":{"coding":[{"system":"http://loinc.org","code":"19005-8"}]},"valueString":"Kidney stone."}},
    {"fullUrl":"urn:uuid:1b0c0a4e-0000-4000-8000-000000000003","resource":{"resourceType":"DiagnosticReport","status":"final","code":{"text":"US abdomen"},
      "result":[{"reference":"urn:uuid:1b0c0a4e-0000-4000-8000-000000000001"},{"reference":"urn:uuid:1b0c0a4e-0000-4000-8000-000000000002"}]},
     "request":{"method":"POST","url":"DiagnosticReport"}}]})");
  const FhirReport r = only_report(doc);
  EXPECT_EQ(r.view.impression, "Gallstones.");
  EXPECT_EQ(r.full_url, "urn:uuid:1b0c0a4e-0000-4000-8000-000000000003");
}

TEST(FhirExtract, ContainedObservationAndPatientFromXml) {
  auto doc = fixture("radiology/ct-head-contained.xml");
  const FhirReport r = only_report(doc);
  EXPECT_EQ(r.view.impression_source, core::ImpressionSource::kImpressionObservation);
  EXPECT_NE(r.view.impression.find("Chronic small vessel ischemic change."), std::string::npos);
  EXPECT_EQ(r.view.patient_language, "en");
  EXPECT_TRUE(r.view.released) << "corrected counts as released";
}

TEST(FhirExtract, PdfOnlyAndUrlOnlyReportsSayWhy) {
  auto pdf = fixture("radiology/pdf-only.json");
  const FhirReport p = only_report(pdf);
  EXPECT_TRUE(p.view.impression.empty());
  EXPECT_EQ(p.view.impression_source, core::ImpressionSource::kNone);
  EXPECT_EQ(p.no_impression_reason, "presented_form_pdf_only");

  auto url = parse(report_json(
      "final", R"(,"presentedForm":[{"contentType":"text/plain","url":"https://x.test/r.txt"}])"));
  EXPECT_EQ(only_report(url).no_impression_reason, "presented_form_url_only");

  auto none = parse(report_json("final", ""));
  EXPECT_EQ(only_report(none).no_impression_reason, "no_impression");
}

TEST(FhirExtract, InvalidBase64IsNotAnImpression) {
  auto doc = parse(report_json(
      "final", R"(,"presentedForm":[{"contentType":"text/plain","data":"@@@not base64@@@"}])"));
  const FhirReport r = only_report(doc);
  EXPECT_TRUE(r.view.impression.empty());
  EXPECT_EQ(r.no_impression_reason, "presented_form_no_impression");
}

TEST(FhirExtract, ReleasedStatusesAreConfigurable) {
  for (const char* status : {"final", "amended", "corrected", "appended"}) {
    auto doc = parse(report_json(status, R"(,"conclusion":"x")"));
    EXPECT_TRUE(only_report(doc).view.released) << status;
  }
  for (const char* status :
       {"registered", "partial", "preliminary", "cancelled", "entered-in-error", "unknown"}) {
    auto doc = parse(report_json(status, R"(,"conclusion":"x")"));
    EXPECT_FALSE(only_report(doc).view.released) << status;
  }
  FhirExtractOptions only_final;
  only_final.released_statuses = {"final"};
  auto amended = parse(report_json("amended", R"(,"conclusion":"x")"));
  EXPECT_FALSE(only_report(amended, only_final).view.released);
}

TEST(FhirExtract, Base64DecoderAcceptsLineBreaksAndRejectsGarbage) {
  std::string out;
  EXPECT_TRUE(decode_base64("SU1Q\r\nUkVT\nU0lP\nTjo=", out));
  EXPECT_EQ(out, "IMPRESSION:");
  EXPECT_FALSE(decode_base64("abc", out));
  EXPECT_FALSE(decode_base64("ab$=", out));
}

TEST(FhirExtract, EverySpecExampleExtractsWithoutSurprises) {
  int reports = 0;
  for (const auto& entry : std::filesystem::directory_iterator(fixtures() / "spec_examples")) {
    auto doc = parse(read_file(entry.path()));
    for (const auto& r : extract_fhir_reports(doc)) {
      ++reports;
      EXPECT_TRUE(!r.view.impression.empty() || !r.view.codes.empty() ||
                  !r.no_impression_reason.empty())
          << entry.path().filename();
    }
  }
  EXPECT_EQ(reports, 66) << "33 DiagnosticReports in the JSON examples and 33 in their XML twins";
  auto brain = fixture("spec_examples/diagnosticreport-example-f201-brainct.json");
  const FhirReport r = only_report(brain);
  EXPECT_EQ(r.view.impression_source, core::ImpressionSource::kConclusion);
  EXPECT_FALSE(r.view.codes.empty());
  auto gingival = fixture("spec_examples/diagnosticreport-example-gingival-mass.json");
  EXPECT_EQ(only_report(gingival).no_impression_reason, "presented_form_pdf_only");
}

}  // namespace
}  // namespace explainer::extract
