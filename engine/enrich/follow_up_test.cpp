#include "enrich/follow_up.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "extract/extract.h"
#include "extract/fhir_extract.h"
#include "fhir/json_format.h"
#include "fhir/xml_format.h"
#include "hl7v2/groups.h"

namespace explainer::enrich {
namespace {

std::string read_radiology_fixture(const std::string& name) {
  std::ifstream in(std::string(EXPLAINER_SOURCE_DIR) + "/tests/fixtures/radiology/" + name,
                   std::ios::binary);
  std::ostringstream all;
  all << in.rdbuf();
  return all.str();
}

std::vector<std::string> segments(const std::string& message) {
  std::vector<std::string> out;
  std::stringstream in(message);
  for (std::string s; std::getline(in, s, '\r');) out.push_back(s);
  return out;
}

HeldReference reference_of(const std::string& accession, int index, const std::string& report_id,
                           const std::string& finding, const std::string& content,
                           const std::string& version, const std::string& language) {
  return {index, report_id, accession, finding, content, version, language};
}

constexpr const char* kMetastasisReport =
    R"({"resourceType":"DiagnosticReport","id":"t1","status":"final",)"
    R"("identifier":[{"system":"urn:acc","value":"ACC77"}],)"
    R"("code":{"text":"MRI spine"},"subject":{"reference":"Patient/p1","display":"Riley"},)"
    R"("conclusion":"Osseous metastatic disease involving the L2 vertebral body."})";

class FollowUpTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    rules_ = new matching::RuleSetHolder;
    rules_->reload(std::string(EXPLAINER_SOURCE_DIR) + "/mappings");
    ASSERT_TRUE(rules_->current());
    auto lib = content::ContentLibrary::load(std::string(EXPLAINER_SOURCE_DIR) + "/content");
    ASSERT_TRUE(lib.ok());
    content_ = new content::ContentLibraryHolder(lib.library);
  }
  static void TearDownTestSuite() {
    delete rules_;
    delete content_;
  }
  // Enriches the metastasis ORU with `policy`; the message is kept in message_.
  V2Enrichment enrich_v2(const Policy& policy, V2Form form = V2Form::kFormattedText) {
    auto parsed = hl7v2::parse(oru_);
    EXPECT_TRUE(parsed.ok());
    message_ = std::make_unique<hl7v2::Message>(std::move(*parsed.message));
    return V2Enricher(*rules_, *content_, policy)
        .enrich(*message_, extract::extract_reports(*message_), form);
  }
  const std::string oru_ = read_radiology_fixture("mri-spine-metastasis.hl7");
  std::unique_ptr<hl7v2::Message> message_;
  static matching::RuleSetHolder* rules_;
  static content::ContentLibraryHolder* content_;
};

matching::RuleSetHolder* FollowUpTest::rules_ = nullptr;
content::ContentLibraryHolder* FollowUpTest::content_ = nullptr;

TEST_F(FollowUpTest, HeldV2ExplanationBecomesAnMdmT02ReferencingTheReport) {
  const V2Enrichment held = enrich_v2(Policy{});  // default: sensitive findings are held
  ASSERT_EQ(held.held.size(), 1u) << held.reason;
  const HeldExplanation& h = held.held[0];
  EXPECT_EQ(h.finding_id, "spinal_metastasis");
  EXPECT_EQ(h.accession, "ACC100005");

  const FollowUp follow_up =
      build_v2_follow_up(oru_,
                         reference_of(h.accession, h.group_index, "", h.finding_id, h.content_id,
                                      h.version, h.language),
                         *content_->current(), V2Form::kFormattedText, "EXPL-7", "20261125150000");
  ASSERT_TRUE(follow_up.payload) << follow_up.error;
  EXPECT_EQ(follow_up.content_version, h.version);

  auto parsed = hl7v2::parse(*follow_up.payload);
  ASSERT_TRUE(parsed.ok());
  const hl7v2::Message& mdm = *parsed.message;
  EXPECT_EQ(mdm.header().message_type(), "MDM^T02");
  EXPECT_EQ(mdm.header().control_id, "EXPL-7");
  const auto lines = segments(*follow_up.payload);
  ASSERT_EQ(lines.size(), 6u) << *follow_up.payload;
  EXPECT_EQ(lines[0].substr(0, 33), "MSH|^~\\&|EXPLAINER|GENERAL_HOSP|E");
  EXPECT_EQ(lines[1], "EVN|T02|20261125150000");
  EXPECT_EQ(lines[2], segments(oru_)[1]) << "PID copied byte for byte";
  EXPECT_EQ(lines[3], segments(oru_)[2]) << "PV1 copied byte for byte";
  const hl7v2::Segment txa = mdm.segment(4);
  EXPECT_EQ(txa.id(), "TXA");
  EXPECT_EQ(txa.text(2), "PE");
  EXPECT_EQ(txa.text(3), "FT");
  EXPECT_EQ(txa.text(13), "ACC100005");
  EXPECT_EQ(std::string(txa.raw(14)), "PLC100005^EHR");
  EXPECT_EQ(std::string(txa.raw(15)), "ACC100005^RIS");
  EXPECT_EQ(txa.text(17), "DO") << "shipped content is draft";
  EXPECT_EQ(txa.text(19), "AV");

  // The OBX is the one the enricher attaches when the policy says attach.
  Policy attach;
  attach.sensitive = Action::kAttach;
  const V2Enrichment attached = enrich_v2(attach);
  ASSERT_TRUE(attached.payload);
  std::string enricher_obx;
  for (const auto& s : segments(*attached.payload)) {
    if (s.find("EXPL-" + h.content_id) != std::string::npos) enricher_obx = s;
  }
  ASSERT_FALSE(enricher_obx.empty());
  const std::string ours = lines[5];
  EXPECT_EQ(ours.substr(0, 6), "OBX|1|");
  EXPECT_EQ(ours.substr(ours.find('|', 4)), enricher_obx.substr(enricher_obx.find('|', 4)));
}

TEST_F(FollowUpTest, EncapsulatedFormSaysTextInTxaAndEdInObx) {
  const V2Enrichment held = enrich_v2(Policy{});
  ASSERT_EQ(held.held.size(), 1u);
  const auto& h = held.held[0];
  const FollowUp follow_up = build_v2_follow_up(
      oru_,
      reference_of(h.accession, h.group_index, "", h.finding_id, h.content_id, h.version,
                   h.language),
      *content_->current(), V2Form::kEncapsulatedHtml, "EXPL-8", "20261125150000");
  ASSERT_TRUE(follow_up.payload) << follow_up.error;
  const auto lines = segments(*follow_up.payload);
  EXPECT_NE(lines[4].find("|TEXT|"), std::string::npos);
  EXPECT_EQ(lines[5].substr(0, 9), "OBX|1|ED|");
}

TEST_F(FollowUpTest, UnknownContentOrGroupGivesAnErrorNotAMessage) {
  const auto library = content_->current();
  auto missing =
      build_v2_follow_up(oru_, reference_of("A", 0, "", "f", "no_such_content", "1", "en"),
                         *library, V2Form::kFormattedText, "X", "20261125150000");
  EXPECT_FALSE(missing.payload);
  EXPECT_NE(missing.error.find("no longer"), std::string::npos);
  auto no_group = build_v2_follow_up(
      oru_, reference_of("A", 5, "", "spinal_metastasis", "spinal_metastasis", "1", "en"), *library,
      V2Form::kFormattedText, "X", "20261125150000");
  EXPECT_FALSE(no_group.payload);
}

TEST_F(FollowUpTest, HeldFhirExplanationBecomesADocumentReferenceRelatedToTheReport) {
  auto parsed = fhir::parse_json(kMetastasisReport);
  ASSERT_TRUE(parsed.ok());
  fhir::Element input = std::move(*parsed);
  const auto reports = extract::extract_fhir_reports(input);
  const FhirEnrichment enriched = FhirEnricher(*rules_, *content_, Policy{}).enrich(input, reports);
  ASSERT_EQ(enriched.held.size(), 1u) << enriched.reason;
  const auto& h = enriched.held[0];
  const HeldReference held = reference_of(h.accession, h.report_index, h.report_id, h.finding_id,
                                          h.content_id, h.version, h.language);

  for (const FhirFormat format : {FhirFormat::kJson, FhirFormat::kXml}) {
    const FollowUp follow_up =
        build_fhir_follow_up(kMetastasisReport, FhirFormat::kJson, held, *content_->current(),
                             format, "2026-11-25T15:00:00Z");
    ASSERT_TRUE(follow_up.payload) << follow_up.error;
    auto bundle = format == FhirFormat::kXml ? fhir::parse_xml(*follow_up.payload)
                                             : fhir::parse_json(*follow_up.payload);
    ASSERT_TRUE(bundle.ok()) << *follow_up.payload;
    EXPECT_EQ(bundle->resource_type, "Bundle");
    EXPECT_EQ(bundle->value_of("type"), "transaction");
    const auto entries = bundle->children_named("entry");
    ASSERT_EQ(entries.size(), 1u);
    const fhir::Element* doc = entries[0]->child("resource");
    ASSERT_NE(doc, nullptr);
    EXPECT_EQ(doc->resource_type, "DocumentReference");
    EXPECT_EQ(doc->value_at("context.related.reference"), "DiagnosticReport/t1");
    EXPECT_EQ(doc->value_at("subject.reference"), "Patient/p1");
    EXPECT_EQ(entries[0]->value_at("request.method"), "POST");
    EXPECT_EQ(entries[0]->value_at("request.url"), "DocumentReference");
    EXPECT_EQ(entries[0]
                  ->value_at("request.ifNoneExist")
                  .rfind("identifier=urn:ietf:rfc:3986|urn:uuid:", 0),
              0u);
    std::string html;
    ASSERT_TRUE(extract::decode_base64(
        doc->children_named("content")[0]->value_at("attachment.data"), html));
    const auto lookup = content_->current()->find(h.content_id, h.language);
    ASSERT_TRUE(lookup);
    EXPECT_NE(html.find(lookup.document->title), std::string::npos);
  }
}

// The XML follow-up Bundle against the official FHIR R4 schema (tests/fhir-validation checks
// everything `explainer enrich` emits the same way). Needs xmllint (libxml2-utils).
TEST_F(FollowUpTest, FhirFollowUpIsValidAgainstTheR4Schema) {
  if (std::system("command -v xmllint >/dev/null 2>&1") != 0) GTEST_SKIP() << "xmllint missing";
  auto parsed = fhir::parse_json(kMetastasisReport);
  ASSERT_TRUE(parsed.ok());
  fhir::Element input = std::move(*parsed);
  const auto reports = extract::extract_fhir_reports(input);
  const auto enriched = FhirEnricher(*rules_, *content_, Policy{}).enrich(input, reports);
  ASSERT_EQ(enriched.held.size(), 1u);
  const auto& h = enriched.held[0];
  const FollowUp follow_up =
      build_fhir_follow_up(kMetastasisReport, FhirFormat::kJson,
                           reference_of(h.accession, h.report_index, h.report_id, h.finding_id,
                                        h.content_id, h.version, h.language),
                           *content_->current(), FhirFormat::kXml, "2026-11-25T15:00:00Z");
  ASSERT_TRUE(follow_up.payload) << follow_up.error;
  const auto dir = std::filesystem::temp_directory_path() /
                   ("explainer-follow-up-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto good = dir / "follow-up.xml";
  const auto broken = dir / "broken.xml";
  std::ofstream(good, std::ios::binary) << *follow_up.payload;
  std::string typo = *follow_up.payload;
  typo.replace(typo.find("<docStatus "), 11, "<docStatusTypo ");
  std::ofstream(broken, std::ios::binary) << typo;
  const std::string xsd =
      std::string(EXPLAINER_SOURCE_DIR) + "/tests/fixtures/fhir-schemas/fhir-single.xsd";
  const auto validate = [&](const std::filesystem::path& file) {
    return std::system(
        ("xmllint --noout --schema '" + xsd + "' '" + file.string() + "' >/dev/null 2>&1").c_str());
  };
  EXPECT_EQ(validate(good), 0) << *follow_up.payload;
  EXPECT_NE(validate(broken), 0) << "negative control: the validator must reject a typo";
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace explainer::enrich
