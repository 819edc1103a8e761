#include "extract/extract.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace explainer::extract {
namespace {

using core::ImpressionSource;
namespace fs = std::filesystem;

std::string read_fixture(const std::string& relative) {
  std::ifstream in(fs::path(EXPLAINER_SOURCE_DIR) / "tests" / "fixtures" / relative,
                   std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

hl7v2::Message parse_text(std::string_view bytes) {
  hl7v2::ParseResult result = hl7v2::parse(bytes);
  EXPECT_TRUE(result.ok()) << result.error.text;
  return result.ok() ? std::move(*result.message) : hl7v2::Message{};
}

std::vector<core::ReportView> reports_of(const std::string& fixture) {
  const std::string bytes = read_fixture(fixture);
  EXPECT_FALSE(bytes.empty()) << fixture;
  return extract_reports(parse_text(bytes));
}

// ---- synthetic radiology fixtures (tests/fixtures/radiology/README.md) ----

TEST(ExtractRadiology, MriLumbarSpine) {
  const auto reports = reports_of("radiology/mri-lumbar-spine.hl7");
  ASSERT_EQ(reports.size(), 1u);
  const core::ReportView& r = reports[0];
  EXPECT_EQ(r.group_index, 0);
  EXPECT_EQ(r.accession, "ACC100001");
  EXPECT_EQ(r.status, "F");
  EXPECT_TRUE(r.released);
  EXPECT_EQ(r.study_name, "MRI LUMBAR SPINE WO CONTRAST");
  EXPECT_EQ(r.study_datetime, "20250314081500");
  EXPECT_EQ(r.modality, "MR");
  EXPECT_EQ(r.body_region, "spine");
  EXPECT_EQ(r.patient_language, "en");
  EXPECT_EQ(r.impression_source, ImpressionSource::kReportTextSection);
  EXPECT_EQ(r.impression,
            "1. L4-L5 broad-based disc bulge with mild central canal stenosis.\n"
            "2. Small right paracentral disc protrusion at L5-S1 contacting the descending S1 "
            "nerve root.\n"
            "3. No evidence of fracture or metastatic disease.");
  EXPECT_TRUE(r.codes.empty());
}

TEST(ExtractRadiology, MriKneeFormattedText) {
  const auto reports = reports_of("radiology/mri-knee.hl7");
  ASSERT_EQ(reports.size(), 1u);
  EXPECT_EQ(reports[0].body_region, "knee");
  EXPECT_EQ(reports[0].patient_language, "en");
  EXPECT_EQ(reports[0].impression,
            "1. Complex tear of the posterior horn of the medial meniscus.\n"
            "2. Intact anterior cruciate ligament. No ACL tear.\n"
            "3. Small joint effusion.");
}

TEST(ExtractRadiology, CtChestImpressionObservationAndCodes) {
  const auto reports = reports_of("radiology/ct-chest.hl7");
  ASSERT_EQ(reports.size(), 1u);
  const core::ReportView& r = reports[0];
  EXPECT_EQ(r.modality, "CT");
  EXPECT_EQ(r.body_region, "chest");
  EXPECT_EQ(r.patient_language, "en");
  EXPECT_EQ(r.impression_source, ImpressionSource::kImpressionObservation);
  EXPECT_EQ(r.impression,
            "1. 8 mm solid pulmonary nodule in the right upper lobe. Follow-up chest CT in 6 to 12 "
            "months is recommended.\n"
            "2. Moderate centrilobular emphysema.");
  ASSERT_EQ(r.codes.size(), 1u);
  EXPECT_EQ(r.codes[0].system, "RADLEX");
  EXPECT_EQ(r.codes[0].code, "RID49482");
  EXPECT_EQ(r.codes[0].display, "Category 3 Non-critical Actionable Finding");
}

TEST(ExtractRadiology, XrChestSpanishConclusion) {
  const auto reports = reports_of("radiology/xr-chest-spanish.hl7");
  ASSERT_EQ(reports.size(), 1u);
  EXPECT_EQ(reports[0].patient_language, "es");
  EXPECT_EQ(reports[0].modality, "CR");  // OBR-24 "RAD", inferred from "XR CHEST 2 VIEWS"
  EXPECT_EQ(reports[0].body_region, "chest");
  EXPECT_EQ(reports[0].impression,
            "Mild bibasilar atelectasis. No focal consolidation, pleural effusion, or "
            "pneumothorax.");
}

TEST(ExtractRadiology, SpineMetastasisStopsAtRecommendation) {
  const auto reports = reports_of("radiology/mri-spine-metastasis.hl7");
  ASSERT_EQ(reports.size(), 1u);
  EXPECT_EQ(reports[0].body_region, "spine");
  EXPECT_EQ(reports[0].impression,
            "Multiple enhancing lesions in T10 and L2 consistent with osseous metastatic disease.\n"
            "No pathologic fracture or epidural extension.");
}

TEST(ExtractRadiology, UltrasoundLatin1) {
  const std::string bytes = read_fixture("radiology/us-abdomen-latin1.hl7");
  const hl7v2::Message m = parse_text(bytes);
  EXPECT_EQ(m.charset(), hl7v2::Charset::kLatin1);
  EXPECT_EQ(m.segment(*m.find("PID")).text(5, 1, 2), "REN\xC3\x89");
  const auto reports = extract_reports(m);
  ASSERT_EQ(reports.size(), 1u);
  EXPECT_EQ(reports[0].modality, "US");
  EXPECT_EQ(reports[0].body_region, "abdomen");
  EXPECT_EQ(reports[0].impression,
            "1. Cholelithiasis (gallstones) without sonographic evidence of acute cholecystitis.\n"
            "2. Hepatic steatosis.");
}

TEST(ExtractRadiology, PreliminaryIsNotReleased) {
  const auto reports = reports_of("radiology/preliminary-report.hl7");
  ASSERT_EQ(reports.size(), 1u);
  EXPECT_EQ(reports[0].status, "P");
  EXPECT_FALSE(reports[0].released);
  EXPECT_EQ(reports[0].body_region, "brain");
  EXPECT_FALSE(reports[0].impression.empty());
  ExtractOptions with_prelim;
  with_prelim.released_statuses = {"F", "C", "P"};
  EXPECT_TRUE(
      extract_reports(parse_text(read_fixture("radiology/preliminary-report.hl7")), with_prelim)[0]
          .released);
}

TEST(ExtractRadiology, BrainEscapes) {
  const auto reports = reports_of("radiology/mri-brain-escapes.hl7");
  ASSERT_EQ(reports.size(), 1u);
  EXPECT_EQ(reports[0].impression,
            "1. Scattered white matter hyperintensities, most likely chronic small vessel ischemic "
            "change & age-related.\n"
            "2. No acute infarct, hemorrhage, or mass.");
}

TEST(ExtractRadiology, TwoReports) {
  const auto reports = reports_of("radiology/two-reports.hl7");
  ASSERT_EQ(reports.size(), 2u);
  EXPECT_EQ(reports[0].group_index, 0);
  EXPECT_EQ(reports[0].accession, "ACC100009");
  EXPECT_EQ(reports[0].modality, "CT");
  EXPECT_EQ(reports[0].body_region, "abdomen");
  EXPECT_EQ(reports[0].impression,
            "1. Simple left renal cyst.\n2. Nonobstructing right renal stone.");
  EXPECT_EQ(reports[1].group_index, 1);
  EXPECT_EQ(reports[1].accession, "ACC100010");
  EXPECT_EQ(reports[1].modality, "MR");
  EXPECT_EQ(reports[1].body_region, "shoulder");
  EXPECT_EQ(reports[1].impression,
            "1. Supraspinatus tendinosis without rotator cuff tear.\n"
            "2. Moderate acromioclavicular joint arthropathy.");
}

TEST(ExtractRadiology, NoImpression) {
  const auto reports = reports_of("radiology/no-impression.hl7");
  ASSERT_EQ(reports.size(), 1u);
  EXPECT_TRUE(reports[0].impression.empty());
  EXPECT_EQ(reports[0].impression_source, ImpressionSource::kNone);
  EXPECT_EQ(reports[0].body_region, "neck");
  EXPECT_TRUE(reports[0].released);
}

TEST(ExtractRadiology, WrongTypeHasNoReports) {
  EXPECT_TRUE(reports_of("radiology/adt-a01.hl7").empty());
}

// ---- public fixtures (tests/fixtures/hl7v2) ----

TEST(ExtractPublic, Dcm4cheStructuredReportHasNoImpressionButCodes) {
  const auto reports = reports_of("hl7v2/dcm4che_testdata/ORU_R01-SR.hl7");
  ASSERT_EQ(reports.size(), 1u);
  const core::ReportView& r = reports[0];
  EXPECT_EQ(r.accession, "FillerOrderNumberImagingServiceRequest");
  EXPECT_EQ(r.status, "F");
  EXPECT_TRUE(r.released);
  EXPECT_EQ(r.study_name, "Microscopic Observation");
  EXPECT_EQ(r.study_datetime, "20220324193057");
  EXPECT_TRUE(r.impression.empty());
  EXPECT_EQ(r.impression_source, ImpressionSource::kNone);
  ASSERT_EQ(r.codes.size(), 3u);
  EXPECT_EQ(r.codes[0].code, "C65.2");
  EXPECT_EQ(r.codes[0].system, "ICD-10");
  EXPECT_EQ(r.codes[1].code, "51.71");
  EXPECT_EQ(r.codes[2].code, "CT10");
}

TEST(ExtractPublic, Dcm4cheParentAndPdf) {
  const auto parent = reports_of("hl7v2/dcm4che_testdata/ORU_R01__at_ed2fd02e4-parent.hl7");
  ASSERT_EQ(parent.size(), 1u);
  EXPECT_EQ(parent[0].accession, "B601Z");
  EXPECT_EQ(parent[0].study_name, "2");
  EXPECT_TRUE(parent[0].impression.empty());
  const auto pdf = reports_of("hl7v2/dcm4che_testdata/ORU_R01-PDF.hl7");
  ASSERT_EQ(pdf.size(), 1u);
  EXPECT_TRUE(pdf[0].impression.empty());  // the report is only in an ED (PDF) OBX
  EXPECT_EQ(pdf[0].accession, "FillerOrderNumberImagingServiceRequest");
}

TEST(ExtractPublic, MicrosoftAndNodeSamplesAreNotImpressions) {
  for (const char* fixture :
       {"hl7v2/ms_fhir_converter/ORU-R01-01.hl7",
        "hl7v2/ms_fhir_converter/LRI_2.0-NG_CBC_Typ_Message.hl7",
        "hl7v2/ms_fhir_converter/ORU-R01-RMGEAD.hl7",
        "hl7v2/node_hl7_complete/valid__nist__ORU_R01_2.5.1_SampleTestCase1.hl7",
        "hl7v2/node_hl7_complete/valid__cerner__cerner_en.hl7"}) {
    SCOPED_TRACE(fixture);
    const auto reports = reports_of(fixture);
    ASSERT_FALSE(reports.empty());
    for (const auto& r : reports) EXPECT_TRUE(r.impression.empty());
  }
  const auto athena = reports_of("hl7v2/node_hl7_complete/valid__athena-health__oru-example.hl7");
  ASSERT_EQ(athena.size(), 1u);  // OBR without OBX
  EXPECT_TRUE(athena[0].impression.empty());
}

TEST(ExtractPublic, WrongTypesHaveNoReportsOrNoImpression) {
  EXPECT_TRUE(reports_of("hl7v2/dcm4che_testdata/ADT_A31-UpdatePersonInfo.hl7").empty());
  // extract_reports does not look at MSH-9 (check_inbound gates types): an MDM with an OBR
  // yields a view, but there is no impression in it.
  const auto mdm = reports_of("hl7v2/ms_fhir_converter/MDM-T02-01.hl7");
  ASSERT_EQ(mdm.size(), 1u);
  EXPECT_TRUE(mdm[0].impression.empty());
  // The MDM^T04 carries a chest report but no OBR: nothing to extract.
  EXPECT_TRUE(
      reports_of("hl7v2/node_hl7_complete/valid__remote-operations__mdm-example.hl7").empty());
}

// ---- gaps covered with inline messages ----

// `count` separators: moves from field n to field n + count.
std::string gap(int count, char separator = '|') {
  return std::string(count, separator);
}

TEST(ExtractCases, CustomDelimitersAndImpSuffix) {
  const hl7v2::Message m = parse_text(
      std::string("MSH#$*!@#RIS#H#EX#H#20250101##ORU$R01$ORU_R01#C1#P#2.3\r") +
      "PID#1##1##TESTPATIENT$ALEX" + gap(10, '#') + "SPA$Spanish$HL70296\r" +
      "OBR#1#P1#F1#71020$XR CHEST$C4" + gap(20, '#') + "CR#F\r" +
      "OBX#1#TX#71020@GDT$$C4##Lungs are clear!.br!No effusion." + gap(6, '#') + "F\r" +
      "OBX#2#CE#71020@IMP$$C4##$Right lower lobe pneumonia!T!small effusion*$No pneumothorax" +
      gap(6, '#') + "F\r");
  const auto reports = extract_reports(m);
  ASSERT_EQ(reports.size(), 1u);
  EXPECT_EQ(reports[0].patient_language, "es");
  EXPECT_EQ(reports[0].modality, "CR");
  EXPECT_EQ(reports[0].impression_source, ImpressionSource::kImpressionObservation);
  EXPECT_EQ(reports[0].impression, "Right lower lobe pneumonia@small effusion\nNo pneumothorax");
  EXPECT_EQ(reports[0].accession, "F1");
}

TEST(ExtractCases, AccessionFallsBackToPlacerAndLineEndingsAndBom) {
  const std::string body =
      std::string("MSH|^~\\&|RIS|H|EX|H|20250101||ORU^R01|C2|P|2.5.1\n") +
      "PID|1||1||TESTPATIENT^ALEX" + gap(10) + "ENG\n" +
      "OBR|1|PLACER9||^CT HEAD|||20250101\n"
      "OBX|1|TX|18782-3^^LN||Impressions:  No acute intracranial abnormality.  ||||||F\n"
      "OBX|2|TX|18782-3^^LN||Signed by: Dr Example||||||F\n";
  for (const std::string& input : {body, "\xEF\xBB\xBF" + body, std::string("\r\n") + body}) {
    const auto reports = extract_reports(parse_text(input));
    ASSERT_EQ(reports.size(), 1u);
    EXPECT_EQ(reports[0].accession, "PLACER9");
    EXPECT_EQ(reports[0].study_name, "CT HEAD");
    EXPECT_EQ(reports[0].modality, "CT");
    EXPECT_EQ(reports[0].status, "");
    EXPECT_FALSE(reports[0].released);
    EXPECT_EQ(reports[0].impression, "No acute intracranial abnormality.");
  }
}

TEST(ExtractCases, SkipsDeletedObservationsAndKeepsOrderAcrossImpressionObx) {
  const hl7v2::Message m =
      parse_text(std::string("MSH|^~\\&|RIS|H|EX|H|20250101||ORU^R01|C3|P|2.5.1\r") +
                 "OBR|1|P|F|^MRI BRAIN" + gap(20) + "MR|C\r" +
                 "OBX|1|TX|19005-8^Impression^LN||IMPRESSION:||||||F\r"
                 "OBX|2|TX|19005-8^Impression^LN||First line.~Second line.||||||C\r"
                 "OBX|3|TX|19005-8^Impression^LN||Wrong patient text.||||||W\r"
                 "OBX|4|ST|^^^19005-8^Impression^LN||Third \\H\\line\\N\\.||||||F\r");
  const auto reports = extract_reports(m);
  ASSERT_EQ(reports.size(), 1u);
  EXPECT_TRUE(reports[0].released);  // C = corrected
  EXPECT_EQ(reports[0].impression, "First line.\nSecond line.\nThird line.");
}

TEST(ExtractCases, MultipleGroupsWithPatientPerGroup) {
  const hl7v2::Message m =
      parse_text(std::string("MSH|^~\\&|RIS|H|EX|H|20250101||ORU^R01|C4|P|2.5.1\r") +
                 "PID|1||1||A" + gap(10) + "en\r" + "OBR|1||F1|^US ABDOMEN" + gap(20) + "US|F\r" +
                 "OBX|1|FT|X||FINDINGS: Normal.\\.br\\IMPRESSION: Normal abdomen.||||||F\r" +
                 "PID|2||2||B" + gap(10) + "fr-CA\r" + "OBR|1||F2|^XR LEFT HAND" + gap(20) +
                 "RAD|P\r" + "OBX|1|TX|X||CONCLUSION:~No fracture.~~ADDENDUM: none||||||P\r");
  const auto reports = extract_reports(m);
  ASSERT_EQ(reports.size(), 2u);
  EXPECT_EQ(reports[0].patient_language, "en");
  EXPECT_EQ(reports[0].impression, "Normal abdomen.");
  EXPECT_EQ(reports[1].patient_language, "fr");
  EXPECT_EQ(reports[1].modality, "CR");
  EXPECT_EQ(reports[1].body_region, "hand");
  EXPECT_FALSE(reports[1].released);
  EXPECT_EQ(reports[1].impression, "No fracture.");
  EXPECT_EQ(report_text(m, 1), "CONCLUSION:\nNo fracture.\n\nADDENDUM: none");
  EXPECT_EQ(report_text(m, 5), "");
}

TEST(ExtractCases, InvalidUtf8AndUnknownCharsetDoNotBreakExtraction) {
  const hl7v2::Message m = parse_text(
      std::string("MSH|^~\\&|RIS|H|EX|H|20250101||ORU^R01|C5|P|2.5.1||||||WINDOWS-1252\r") +
      "OBR|1||F|^CT CHEST" + gap(20) + "CT|F\r" +
      "OBX|1|TX|X||IMPRESSION: Caf\xE9 nodule \\XE9\\.||||||F\r");
  EXPECT_FALSE(m.charset_recognised());
  const auto reports = extract_reports(m);
  ASSERT_EQ(reports.size(), 1u);
  EXPECT_EQ(reports[0].impression, "Caf\xEF\xBF\xBD nodule \xEF\xBF\xBD.");
}

}  // namespace
}  // namespace explainer::extract
