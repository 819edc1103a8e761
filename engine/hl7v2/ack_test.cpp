#include "hl7v2/ack.h"

#include <gtest/gtest.h>

namespace explainer::hl7v2 {
namespace {

class FixedClock final : public core::Clock {
 public:
  std::int64_t now_unix_ms() const override {
    return 1735732800123;  // 2025-01-01T12:00:00.123Z
  }
  std::chrono::steady_clock::time_point steady_now() const override { return {}; }
};

Message parsed(std::string_view bytes) {
  ParseResult result = parse(bytes);
  EXPECT_TRUE(result.ok()) << result.error.text;
  return result.ok() ? std::move(*result.message) : Message{};
}

const std::string kOriginal =
    "MSH|^~\\&|RIS^1.2.3^ISO|RADIOLOGY|EXPL|HOSP|20250101110000||ORU^R01^ORU_R01|MSG0001|P|2.5.1\r"
    "PID|1\r";

TEST(Ack, OriginalModeAccept) {
  const Message m = parsed(kOriginal);
  EXPECT_EQ(ack_mode(m), AckMode::kOriginal);
  EXPECT_TRUE(ack_wanted(m, AckStatus::kAccept));
  AckRequest request;
  request.control_id = "ACK1";
  request.timestamp = "20250101120000";
  EXPECT_EQ(build_ack(m, request),
            "MSH|^~\\&|EXPL|HOSP|RIS^1.2.3^ISO|RADIOLOGY|20250101120000||ACK^R01^ACK|ACK1|P|2.5.1\r"
            "MSA|AA|MSG0001\r");
}

TEST(Ack, RejectWithErrorsAndGeneratedHeaderValues) {
  const Message m = parsed(kOriginal);
  FixedClock clock;
  AckRequest request;
  request.status = AckStatus::kReject;
  request.clock = &clock;
  request.errors.push_back({error_code::kRequiredFieldMissing,
                            {"OBR", 1, 25},
                            Severity::kError,
                            "OBR-25 result status | missing"});
  request.errors.push_back(
      {error_code::kApplicationInternalError, {}, Severity::kWarning, "store busy"});
  const std::string ack = build_ack(m, request);
  const Message parsed_ack = parsed(ack);
  EXPECT_EQ(parsed_ack.header().datetime, "20250101120000+0000");
  EXPECT_EQ(parsed_ack.header().control_id.size(), 18u);
  EXPECT_EQ(parsed_ack.header().control_id[0], 'A');
  EXPECT_EQ(parsed_ack.segment(1).raw(), "MSA|AR|MSG0001|OBR-25 result status \\F\\ missing");
  EXPECT_EQ(parsed_ack.segment(2).raw(),
            "ERR||OBR^1^25|101^Required field missing^HL70357|E||||OBR-25 result status \\F\\ "
            "missing");
  EXPECT_EQ(parsed_ack.segment(3).raw(),
            "ERR|||207^Application internal error^HL70357|W||||store busy");
  EXPECT_NE(generate_control_id(clock), generate_control_id(clock));
}

TEST(Ack, EnhancedModeHonoursAcceptAckType) {
  const std::string base = "MSH|^~\\&|RIS|R|EXPL|H|20250101||ORU^R01^ORU_R01|M2|P|2.6|||";
  const Message al = parsed(base + "AL|NE\r");
  EXPECT_EQ(ack_mode(al), AckMode::kEnhanced);
  EXPECT_TRUE(ack_wanted(al, AckStatus::kAccept));
  EXPECT_FALSE(application_ack_requested(al));
  AckRequest request;
  request.control_id = "C1";
  request.timestamp = "20250101";
  const std::string ack = build_ack(al, request);
  EXPECT_EQ(ack,
            "MSH|^~\\&|EXPL|H|RIS|R|20250101||ACK^R01^ACK|C1|P|2.6|||NE|NE\r"
            "MSA|CA|M2\r");
  request.status = AckStatus::kError;
  EXPECT_NE(build_ack(al, request).find("MSA|CE|M2"), std::string::npos);
  request.status = AckStatus::kReject;
  EXPECT_NE(build_ack(al, request).find("MSA|CR|M2"), std::string::npos);

  const Message ne = parsed(base + "NE|AL\r");
  EXPECT_FALSE(ack_wanted(ne, AckStatus::kAccept));
  EXPECT_FALSE(ack_wanted(ne, AckStatus::kReject));
  EXPECT_TRUE(application_ack_requested(ne));
  const Message er = parsed(base + "ER|NE\r");
  EXPECT_FALSE(ack_wanted(er, AckStatus::kAccept));
  EXPECT_TRUE(ack_wanted(er, AckStatus::kError));
  const Message su = parsed(base + "SU\r");
  EXPECT_TRUE(ack_wanted(su, AckStatus::kAccept));
  EXPECT_FALSE(ack_wanted(su, AckStatus::kReject));
}

TEST(Ack, OldVersionsUseErr1AndTwoComponentType) {
  const Message m = parsed("MSH|^~\\&|RIS|R|EXPL|H|20250101||ORU^R01|M3|P|2.3\r");
  AckRequest request;
  request.status = AckStatus::kError;
  request.control_id = "C3";
  request.timestamp = "20250101";
  request.errors.push_back({101, {"OBR", 1, 25}, Severity::kError, "missing"});
  EXPECT_EQ(build_ack(m, request),
            "MSH|^~\\&|EXPL|H|RIS|R|20250101||ACK^R01|C3|P|2.3\r"
            "MSA|AE|M3|missing\r"
            "ERR|OBR^1^25^101&Required field missing&HL70357\r");
}

TEST(Ack, UsesIncomingDelimitersAndCharset) {
  const Message m =
      parsed("MSH#$*!@#RIS#R#EXPL#H#20250101##ORU$R01$ORU_R01#M4#T#2.5.1######8859/1\r");
  AckRequest request;
  request.control_id = "C4";
  request.timestamp = "20250101";
  request.status = AckStatus::kReject;
  request.errors.push_back({201, {"MSH", 1, 9, 1, 2}, Severity::kError, "caf\xC3\xA9 #"});
  EXPECT_EQ(build_ack(m, request),
            "MSH#$*!@#EXPL#H#RIS#R#20250101##ACK$R01$ACK#C4#T#2.5.1######8859/1\r"
            "MSA#AR#M4#caf\xE9 !F!\r"
            "ERR##MSH$1$9$1$2#201$Unsupported event code$HL70357#E####caf\xE9 !F!\r");
}

TEST(Ack, UnparsedInputGetsBestEffortReject) {
  AckRequest request;
  request.status = AckStatus::kReject;
  request.control_id = "C5";
  request.timestamp = "20250101";
  request.errors.push_back({102, {"MSH", 1, 2}, Severity::kError, "bad encoding characters"});
  EXPECT_EQ(build_ack_for_unparsed("MSH|^~|RIS|R|EX\xFFPL|H|x||ORU^R01|ID<7>|P|2.5\r", request),
            "MSH|^~\\&|EXPL|H|RIS|R|20250101||ACK^R01^ACK|C5|P|2.5\r"
            "MSA|AR|ID7|bad encoding characters\r"
            "ERR||MSH^1^2|102^Data type error^HL70357|E||||bad encoding characters\r");
  const std::string garbage = build_ack_for_unparsed("\x00\x01 not hl7", request);
  EXPECT_EQ(garbage.substr(0, 9), "MSH|^~\\&|");
  EXPECT_NE(garbage.find("MSA|AR|"), std::string::npos);
  EXPECT_TRUE(parse(garbage).ok());
}

}  // namespace
}  // namespace explainer::hl7v2
