#include "hl7v2/inbound.h"

#include <gtest/gtest.h>

namespace explainer::hl7v2 {
namespace {

TEST(Inbound, AcceptsOruR01) {
  const InboundCheck check =
      check_inbound(parse("MSH|^~\\&|A|B|C|D|20250101||ORU^R01^ORU_R01|X1|P|2.5.1\r"));
  EXPECT_EQ(check.verdict, InboundVerdict::kAccept);
  EXPECT_TRUE(check.errors.empty());
  EXPECT_EQ(check.message_type, "ORU^R01");
  EXPECT_EQ(ack_request_for(check).status, AckStatus::kAccept);
}

TEST(Inbound, RejectsNonHl7) {
  const InboundCheck check = check_inbound(parse("GET / HTTP/1.1\r\n\r\n"));
  EXPECT_EQ(check.verdict, InboundVerdict::kReject);
  ASSERT_EQ(check.errors.size(), 1u);
  EXPECT_EQ(check.errors[0].code, 100);
  EXPECT_EQ(ack_request_for(check).status, AckStatus::kReject);
}

TEST(Inbound, RejectsMissingControlId) {
  const InboundCheck check = check_inbound(parse("MSH|^~\\&|A|B|C|D|20250101||ORU^R01||P|2.5\r"));
  EXPECT_EQ(check.verdict, InboundVerdict::kReject);
  ASSERT_EQ(check.errors.size(), 1u);
  EXPECT_EQ(check.errors[0].code, 101);
  EXPECT_EQ(check.errors[0].location.format(), "MSH^1^10");
}

TEST(Inbound, RejectsUnknownVersion) {
  const InboundCheck check = check_inbound(parse("MSH|^~\\&|A|B|C|D|1||ORU^R01|X|P|3.0\r"));
  EXPECT_EQ(check.verdict, InboundVerdict::kReject);
  ASSERT_EQ(check.errors.size(), 1u);
  EXPECT_EQ(check.errors[0].code, 203);
}

TEST(Inbound, ReportsWrongTypeAndEvent) {
  const InboundCheck adt = check_inbound(parse("MSH|^~\\&|A|B|C|D|1||ADT^A01|X|P|2.5\r"));
  EXPECT_EQ(adt.verdict, InboundVerdict::kUnsupportedType);
  ASSERT_EQ(adt.errors.size(), 1u);
  EXPECT_EQ(adt.errors[0].code, 200);
  EXPECT_EQ(adt.message_type, "ADT^A01");
  const InboundCheck r03 = check_inbound(parse("MSH|^~\\&|A|B|C|D|1||ORU^R30|X|P|2.5\r"));
  EXPECT_EQ(r03.verdict, InboundVerdict::kUnsupportedType);
  ASSERT_EQ(r03.errors.size(), 1u);
  EXPECT_EQ(r03.errors[0].code, 201);
  EXPECT_EQ(r03.errors[0].location.format(), "MSH^1^9^1^2");
  InboundPolicy policy;
  policy.accepted_types.push_back("ORU^R30");
  EXPECT_EQ(check_inbound(parse("MSH|^~\\&|A|B|C|D|1||ORU^R30|X|P|2.5\r"), policy).verdict,
            InboundVerdict::kAccept);
}

}  // namespace
}  // namespace explainer::hl7v2
