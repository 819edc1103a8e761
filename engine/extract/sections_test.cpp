#include "extract/sections.h"

#include <gtest/gtest.h>

namespace explainer::extract {
namespace {

TEST(Sections, Headers) {
  std::string_view rest;
  EXPECT_TRUE(is_impression_header("IMPRESSION:", &rest));
  EXPECT_EQ(rest, "");
  EXPECT_TRUE(is_impression_header("  Impressions:  text here ", &rest));
  EXPECT_EQ(rest, "text here");
  EXPECT_TRUE(is_impression_header("conclusion: x"));
  EXPECT_TRUE(is_impression_header("CONCLUSIONS:"));
  EXPECT_FALSE(is_impression_header("IMPRESSION"));
  EXPECT_FALSE(is_impression_header("No impression: x"));
  EXPECT_FALSE(is_impression_header("1. IMPRESSION: x"));

  EXPECT_TRUE(is_section_header("FINDINGS:"));
  EXPECT_TRUE(is_section_header("Recommendation: follow-up"));
  EXPECT_TRUE(is_section_header("CLINICAL HISTORY: pain"));
  EXPECT_TRUE(is_section_header("ADDITIONAL NOTE:"));
  EXPECT_TRUE(is_section_header("IMPRESSION:"));
  EXPECT_FALSE(is_section_header("Liver: normal"));      // mixed case, not a known heading
  EXPECT_FALSE(is_section_header("L4-L5: disc bulge"));  // digits
  EXPECT_FALSE(is_section_header("CT: x"));              // too short to be a heading
  EXPECT_FALSE(is_section_header("No colon here"));
}

TEST(Sections, SignatureLines) {
  EXPECT_TRUE(is_signature_line("Electronically signed by: Dr X"));
  EXPECT_TRUE(is_signature_line("  Dictated by Dr X"));
  EXPECT_FALSE(is_signature_line("No signed consent issue."));
}

TEST(Sections, ImpressionUpToNextHeader) {
  const std::vector<std::string> lines = {
      "FINDINGS:",  "Something.", "", "IMPRESSION:",          "",
      "1. One.   ", "2. Two.",    "", "RECOMMENDATION: none", "IMPRESSION: late."};
  EXPECT_EQ(impression_section(lines), "1. One.\n2. Two.\nlate.");
}

TEST(Sections, NoneOrEmpty) {
  EXPECT_EQ(impression_section({"FINDINGS: ok"}), "");
  EXPECT_EQ(impression_section({"IMPRESSION:", "", "FINDINGS: x"}), "");
  EXPECT_EQ(impression_section({}), "");
}

TEST(Sections, SplitLines) {
  EXPECT_EQ(split_lines("a\r\nb\n\nc"), (std::vector<std::string>{"a", "b", "", "c"}));
  EXPECT_EQ(split_lines(""), (std::vector<std::string>{""}));
}

}  // namespace
}  // namespace explainer::extract
