#include "enrich/message_enricher.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace explainer::enrich {
namespace {

std::string read_fixture(const std::string& relative) {
  std::ifstream in(std::string(EXPLAINER_SOURCE_DIR) + "/tests/fixtures/" + relative,
                   std::ios::binary);
  std::ostringstream all;
  all << in.rdbuf();
  return all.str();
}

class MessageEnricherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(rules_.reload(std::string(EXPLAINER_SOURCE_DIR) + "/mappings").ok());
    ASSERT_TRUE(content_.reload(std::string(EXPLAINER_SOURCE_DIR) + "/content").ok());
  }
  matching::RuleSetHolder rules_;
  content::ContentLibraryHolder content_;
  Policy policy_;
  MessageEnricher enricher_{rules_, content_, policy_};
};

TEST(DetectMessageFormat, ByFirstCharacter) {
  EXPECT_EQ(detect_message_format("MSH|^~\\&|"), MessageFormat::kHl7v2);
  EXPECT_EQ(detect_message_format("  \n{\"resourceType\":1}"), MessageFormat::kFhirJson);
  EXPECT_EQ(detect_message_format("\xEF\xBB\xBF<DiagnosticReport/>"), MessageFormat::kFhirXml);
  EXPECT_EQ(detect_message_format(""), MessageFormat::kHl7v2);
}

TEST_F(MessageEnricherTest, V2IsEnrichedAndSummarised) {
  const auto result = enricher_.enrich(read_fixture("radiology/mri-lumbar-spine.hl7"), {});
  ASSERT_TRUE(result.ok) << result.error;
  EXPECT_TRUE(result.enriched);
  ASSERT_FALSE(result.added.empty());
  EXPECT_EQ(result.added.front().attached_as.rfind("OBX ", 0), 0u);
  EXPECT_NE(result.output.find("EXPL-"), std::string::npos);
  const std::string summary = message_enrichment_summary_json(result);
  EXPECT_NE(summary.find("\"enriched\":true"), std::string::npos);
  EXPECT_NE(summary.find("\"finding_id\":\"disc_bulge\""), std::string::npos);
}

TEST_F(MessageEnricherTest, NothingToAddDeliversTheInputAsReceived) {
  const std::string input = read_fixture("radiology/no-impression.hl7");
  const auto result = enricher_.enrich(input, {});
  ASSERT_TRUE(result.ok);
  EXPECT_FALSE(result.enriched);
  EXPECT_EQ(result.output, input);
  EXPECT_EQ(result.reason, "no_impression");
}

TEST_F(MessageEnricherTest, HeldExplanationsAreListedWithoutAccession) {
  const auto result = enricher_.enrich(read_fixture("radiology/mri-spine-metastasis.hl7"), {});
  ASSERT_TRUE(result.ok);
  ASSERT_EQ(result.held.size(), 1u);
  EXPECT_EQ(result.held.front().finding_id, "spinal_metastasis");
}

TEST_F(MessageEnricherTest, FhirJsonCanBeWrittenAsXml) {
  MessageEnrichOptions options;
  options.fhir_output_format = FhirFormat::kXml;
  const auto result =
      enricher_.enrich(read_fixture("fhir/radiology/mri-lumbar-spine.json"), options);
  ASSERT_TRUE(result.ok) << result.error;
  EXPECT_EQ(result.format, MessageFormat::kFhirJson);
  EXPECT_TRUE(result.enriched);
  EXPECT_EQ(result.output.rfind("<", 0), 0u);
}

TEST_F(MessageEnricherTest, UnreadableInputIsAnErrorNotAnException) {
  for (const char* input : {"", "garbage", "{\"resourceType\":", "<a", "MSH|"}) {
    const auto result = enricher_.enrich(input, {});
    EXPECT_FALSE(result.ok) << input;
    EXPECT_FALSE(result.internal_error) << input;
    EXPECT_FALSE(result.error.empty()) << input;
    EXPECT_NE(message_enrichment_summary_json(result).find("\"ok\":false"), std::string::npos);
  }
}

TEST_F(MessageEnricherTest, ForcedFormatIsUsed) {
  MessageEnrichOptions options;
  options.input_format = MessageFormat::kHl7v2;
  const auto result = enricher_.enrich("{\"resourceType\":\"DiagnosticReport\"}", options);
  EXPECT_FALSE(result.ok);
  EXPECT_EQ(result.format, MessageFormat::kHl7v2);
}

}  // namespace
}  // namespace explainer::enrich
