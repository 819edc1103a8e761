#include "hl7v2/groups.h"

#include <gtest/gtest.h>

namespace explainer::hl7v2 {
namespace {

TEST(ObrGroups, SplitsAtObrAndOrcAndSkipsSpecimenObx) {
  const std::string input =
      "MSH|^~\\&|||||||ORU^R01|1|P|2.5.1\r"  // 0
      "PID|1\r"                              // 1
      "ORC|RE\r"                             // 2
      "OBR|1\r"                              // 3
      "NTE|1\r"                              // 4
      "OBX|1|TX\r"                           // 5
      "NTE|2\r"                              // 6
      "OBX|2|TX\r"                           // 7
      "SPM|1\r"                              // 8
      "OBX|3|NM\r"                           // 9
      "ORC|RE\r"                             // 10
      "OBR|2\r"                              // 11
      "TQ1|1\r"                              // 12
      "OBR|3\r"                              // 13
      "OBX|1|TX\r"                           // 14
      "NTE|1\r"                              // 15
      "FT1|1\r"                              // 16
      "PID|2\r"                              // 17
      "OBR|4\r";                             // 18
  const ParseResult parsed = parse(input);
  ASSERT_TRUE(parsed.ok());
  const auto groups = find_obr_groups(*parsed.message);
  ASSERT_EQ(groups.size(), 4u);
  EXPECT_EQ(groups[0].obr, 3u);
  EXPECT_EQ(groups[0].orc, 2u);
  EXPECT_EQ(groups[0].patient, 1u);
  EXPECT_EQ(groups[0].end, 10u);
  EXPECT_EQ(groups[0].observations, (std::vector<std::size_t>{5, 7}));
  EXPECT_EQ(groups[0].notes, (std::vector<std::size_t>{4, 6}));
  EXPECT_EQ(groups[0].insert_after, 7u);
  EXPECT_EQ(groups[1].obr, 11u);
  EXPECT_EQ(groups[1].end, 13u);
  EXPECT_TRUE(groups[1].observations.empty());
  EXPECT_EQ(groups[1].insert_after, 12u);
  EXPECT_FALSE(groups[2].orc.has_value());
  EXPECT_EQ(groups[2].insert_after, 15u);
  EXPECT_EQ(groups[2].end, 17u);
  EXPECT_EQ(groups[3].patient, 17u);
  EXPECT_EQ(groups[3].end, 19u);
  EXPECT_EQ(groups[3].insert_after, 18u);
}

TEST(ObrGroups, NoneWithoutObr) {
  const ParseResult parsed = parse("MSH|^~\\&|||||||ADT^A01|1|P|2.5\rPID|1\r");
  ASSERT_TRUE(parsed.ok());
  EXPECT_TRUE(find_obr_groups(*parsed.message).empty());
}

}  // namespace
}  // namespace explainer::hl7v2
