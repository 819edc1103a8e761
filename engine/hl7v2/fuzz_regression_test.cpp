// Inputs found by the er7_fuzz libFuzzer target (engine/hl7v2/fuzz) and other hostile inputs.
// Each must parse or fail cleanly, and round-trip where it parsed.
#include <gtest/gtest.h>

#include "hl7v2/hl7v2.h"

namespace explainer::hl7v2 {
namespace {

void exercise(std::string_view input) {
  const ParseResult result = parse(input);
  if (!result.ok()) {
    EXPECT_FALSE(result.error.text.empty());
    const std::string ack = build_ack_for_unparsed(input, AckRequest{});
    EXPECT_TRUE(parse(ack).ok());
    return;
  }
  const Message& m = *result.message;
  (void)dump_structure(m);
  (void)find_obr_groups(m);
  (void)check_inbound(result);
  const std::string once = m.serialize();
  const ParseResult again = parse(once);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again.message->serialize(), once);
  EXPECT_TRUE(parse(build_ack(m, AckRequest{})).ok());
}

TEST(FuzzRegression, HostileInputs) {
  const std::vector<std::string> inputs = {
      std::string("MSH|^~\\&\0|", 9),
      "MSH|^~\\&|\\",
      "MSH|^~\\&|\\X4\\",
      "MSH|^~\\&|||||||\\.sp 99999999999999999999\\",
      "MSH|^~\\&#|A\r\n\r\nOBX|1|TX|||a\\P\\b",
      "\xEF\xBB\xBF",
      "\xEF\xBB\xBF\r\nMSH|^~\\&",
      "MSH|^~\\&||||||||||||||||||\xFF\xFE",
      "MSH\xFF^~\\&",
      std::string(1000, '|'),
      "MSH|^~\\&\r" + std::string(5000, '\r') + "PID",
      "MSH|^~\\&\rOBR\rOBR|\rOBX|\rSPM\rOBX",
  };
  for (const std::string& input : inputs) {
    SCOPED_TRACE(testing::PrintToString(input.substr(0, 40)));
    exercise(input);
  }
}

}  // namespace
}  // namespace explainer::hl7v2
