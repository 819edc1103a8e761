#include "enrich/v2_enricher.h"

#include <Poco/Base64Decoder.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "extract/extract.h"

namespace explainer::enrich {
namespace {

std::string read_fixture(const std::string& name) {
  std::ifstream in(std::string(EXPLAINER_SOURCE_DIR) + "/tests/fixtures/radiology/" + name, std::ios::binary);
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

class V2EnricherTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    rules_ = new matching::RuleSetHolder;
    const auto loaded = rules_->reload(std::string(EXPLAINER_SOURCE_DIR) + "/mappings");
    ASSERT_TRUE(rules_->current()) << "shipped mappings must load";
    auto lib = content::ContentLibrary::load(std::string(EXPLAINER_SOURCE_DIR) + "/content");
    ASSERT_TRUE(lib.ok());
    content_ = new content::ContentLibraryHolder(lib.library);
  }
  static void TearDownTestSuite() {
    delete rules_;
    delete content_;
  }

  V2Enrichment run(const std::string& fixture, V2Form form = V2Form::kFormattedText, Policy policy = {}) {
    original_ = read_fixture(fixture);
    auto parsed = hl7v2::parse(original_);
    EXPECT_TRUE(parsed.ok());
    message_ = std::make_unique<hl7v2::Message>(std::move(*parsed.message));
    const auto reports = extract::extract_reports(*message_);
    V2Enricher enricher(*rules_, *content_, policy);
    return enricher.enrich(*message_, reports, form);
  }

  std::vector<std::string> added_segments(const std::string& enriched) {
    std::vector<std::string> added;
    for (const auto& s : segments(enriched)) {
      if (s.find("^99EXPLAINER") != std::string::npos) added.push_back(s);
    }
    return added;
  }

  static matching::RuleSetHolder* rules_;
  static content::ContentLibraryHolder* content_;
  std::string original_;
  std::unique_ptr<hl7v2::Message> message_;
};

matching::RuleSetHolder* V2EnricherTest::rules_ = nullptr;
content::ContentLibraryHolder* V2EnricherTest::content_ = nullptr;

TEST_F(V2EnricherTest, AffirmedSpineFindingsGetOneObxEachAfterTheLastObxWithSetIdsContinuing) {
  const auto result = run("mri-lumbar-spine.hl7");
  ASSERT_TRUE(result.payload);
  std::vector<std::string> ids;
  for (const auto& a : result.added) ids.push_back(a.finding_id);
  // "No evidence of fracture or metastatic disease" must not produce anything.
  for (const auto& id : ids) {
    EXPECT_NE(id, "spinal_metastasis");
    EXPECT_NE(id, "vertebral_compression_fracture");
  }
  EXPECT_NE(std::find(ids.begin(), ids.end(), "disc_bulge"), ids.end());
  EXPECT_NE(std::find(ids.begin(), ids.end(), "disc_herniation"), ids.end());
  EXPECT_NE(std::find(ids.begin(), ids.end(), "spinal_stenosis"), ids.end());

  const auto out = segments(*result.payload);
  const auto in = segments(original_);
  ASSERT_EQ(out.size(), in.size() + result.added.size());
  // The original ends with OBX|19; the new OBX follow it, numbered from 20, FT, status F.
  for (std::size_t i = 0; i < in.size(); ++i) EXPECT_EQ(out[i], in[i]) << "segment " << i;
  for (std::size_t k = 0; k < result.added.size(); ++k) {
    const std::string& obx = out[in.size() + k];
    EXPECT_EQ(obx.rfind("OBX|" + std::to_string(20 + k) + "|FT|EXPL-", 0), 0u) << obx;
    EXPECT_NE(obx.find("^Patient explanation: "), std::string::npos);
    EXPECT_NE(obx.find("\\.br\\"), std::string::npos);
    EXPECT_EQ(obx.substr(obx.size() - 2), "|F");
  }
}

TEST_F(V2EnricherTest, RemovingTheAddedSegmentsGivesBackTheOriginalBytes) {
  for (const char* f : {"mri-knee.hl7", "ct-chest.hl7", "two-reports.hl7", "mri-brain-escapes.hl7"}) {
    const auto result = run(f);
    ASSERT_TRUE(result.payload) << f;
    std::string rebuilt;
    for (const auto& s : segments(*result.payload)) {
      if (s.find("^99EXPLAINER") == std::string::npos) rebuilt += s + "\r";
    }
    EXPECT_EQ(rebuilt, original_) << f;
  }
}

// The explanation segments are cached per content snapshot (obx_cache.h): a second message must
// get the same bytes, and a message with other delimiters its own encoding, not the cached one.
TEST_F(V2EnricherTest, CachedExplanationsAreIdenticalAndFollowEachMessagesDelimiters) {
  const std::string original = read_fixture("mri-lumbar-spine.hl7");
  ASSERT_EQ(original.find('$'), std::string::npos);
  std::string dollar = original;  // '$' as the component separator instead of '^'
  for (char& c : dollar) {
    if (c == '^') c = '$';
  }
  V2Enricher enricher(*rules_, *content_, Policy{});
  auto enrich = [&enricher](const std::string& bytes) {
    auto parsed = hl7v2::parse(bytes);
    EXPECT_TRUE(parsed.ok());
    const auto reports = extract::extract_reports(*parsed.message);
    return enricher.enrich(*parsed.message, reports, V2Form::kFormattedText);
  };
  const auto first = enrich(original);
  const auto second = enrich(original);
  ASSERT_TRUE(first.payload && second.payload);
  EXPECT_EQ(*first.payload, *second.payload);

  const auto other = enrich(dollar);
  ASSERT_TRUE(other.payload);
  ASSERT_EQ(other.added.size(), first.added.size());
  std::size_t explanations = 0;
  for (const auto& s : segments(*other.payload)) {
    if (s.find("$99EXPLAINER") == std::string::npos) continue;
    ++explanations;
    EXPECT_NE(s.find("$Patient explanation: "), std::string::npos) << s;
    EXPECT_EQ(s.find('^'), std::string::npos) << s;
  }
  EXPECT_EQ(explanations, other.added.size());
}

TEST_F(V2EnricherTest, NegatedAclTearInTheKneeReportIsNotExplained) {
  const auto result = run("mri-knee.hl7");
  ASSERT_TRUE(result.payload);
  bool meniscus = false;
  for (const auto& a : result.added) {
    EXPECT_NE(a.finding_id, "acl_tear");
    meniscus = meniscus || a.finding_id == "meniscal_tear";
  }
  EXPECT_TRUE(meniscus);
}

TEST_F(V2EnricherTest, SensitiveFindingIsHeldByDefaultAndAttachedWhenPolicySaysSo) {
  const auto held = run("mri-spine-metastasis.hl7");
  ASSERT_EQ(held.held.size(), 1u);
  EXPECT_EQ(held.held.front().finding_id, "spinal_metastasis");
  for (const auto& a : held.added) EXPECT_NE(a.finding_id, "spinal_metastasis");

  Policy attach;
  attach.sensitive = Action::kAttach;
  const auto attached = run("mri-spine-metastasis.hl7", V2Form::kFormattedText, attach);
  ASSERT_TRUE(attached.payload);
  bool found = false;
  for (const auto& a : attached.added) found = found || a.finding_id == "spinal_metastasis";
  EXPECT_TRUE(found);
}

TEST_F(V2EnricherTest, SpanishSpeakingPatientGetsSpanishContent) {
  const auto result = run("xr-chest-spanish.hl7");
  ASSERT_TRUE(result.payload);
  ASSERT_FALSE(result.added.empty());
  for (const auto& a : result.added) {
    EXPECT_EQ(a.language, "es");
    EXPECT_FALSE(a.used_fallback);
  }
}

TEST_F(V2EnricherTest, UnknownPatientLanguageGetsTheDefaultLanguageWithoutAFallbackNote) {
  original_ = read_fixture("mri-knee.hl7");
  const std::string pid15 = "eng^English^ISO639";
  original_.erase(original_.find(pid15), pid15.size());
  auto parsed = hl7v2::parse(original_);
  ASSERT_TRUE(parsed.ok());
  const auto reports = extract::extract_reports(*parsed.message);
  ASSERT_TRUE(reports.front().patient_language.empty());
  V2Enricher enricher(*rules_, *content_, Policy{});
  const auto result = enricher.enrich(*parsed.message, reports, V2Form::kFormattedText);
  ASSERT_TRUE(result.payload);
  for (const auto& a : result.added) {
    EXPECT_EQ(a.language, "en");
    EXPECT_FALSE(a.used_fallback);
  }
  EXPECT_EQ(result.payload->find("not available in the requested language"), std::string::npos);
}

TEST_F(V2EnricherTest, PreliminaryReportGetsNothing) {
  const auto result = run("preliminary-report.hl7");
  EXPECT_FALSE(result.payload);
  EXPECT_EQ(result.reason, "not_released");
}

TEST_F(V2EnricherTest, ReportWithoutImpressionGetsNothing) {
  const auto result = run("no-impression.hl7");
  EXPECT_FALSE(result.payload);
  EXPECT_EQ(result.reason, "no_impression");
}

TEST_F(V2EnricherTest, RequireApprovedAttachesNothingFromADraftLibrary) {
  Policy strict;
  strict.require_approved = true;
  const auto result = run("mri-lumbar-spine.hl7", V2Form::kFormattedText, strict);
  EXPECT_FALSE(result.payload);
  EXPECT_GT(result.not_explained.at("content_not_approved"), 0);
}

TEST_F(V2EnricherTest, EncapsulatedHtmlFormCarriesBase64Html) {
  const auto result = run("mri-knee.hl7", V2Form::kEncapsulatedHtml);
  ASSERT_TRUE(result.payload);
  const auto added = added_segments(*result.payload);
  ASSERT_FALSE(added.empty());
  const std::string& obx = added.front();
  EXPECT_NE(obx.find("|ED|"), std::string::npos);
  const auto marker = obx.find("^TEXT^HTML^Base64^");
  ASSERT_NE(marker, std::string::npos) << obx;
  const auto start = marker + std::string("^TEXT^HTML^Base64^").size();
  const std::string data = obx.substr(start, obx.find('|', start) - start);
  std::istringstream in(data);
  Poco::Base64Decoder decoder(in);
  std::string html((std::istreambuf_iterator<char>(decoder)), std::istreambuf_iterator<char>());
  EXPECT_NE(html.find("<section"), std::string::npos) << html.substr(0, 200);
}

TEST_F(V2EnricherTest, DraftContentSaysSoInTheText) {
  const auto result = run("mri-knee.hl7");
  ASSERT_TRUE(result.payload);
  const auto added = added_segments(*result.payload);
  ASSERT_FALSE(added.empty());
  EXPECT_NE(added.front().find("raft"), std::string::npos) << added.front().substr(0, 300);
}

}  // namespace
}  // namespace explainer::enrich
