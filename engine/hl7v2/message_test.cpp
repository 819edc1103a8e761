#include "hl7v2/message.h"

#include <gtest/gtest.h>

namespace explainer::hl7v2 {
namespace {

const std::string kOru =
    "MSH|^~\\&|RIS|HOSP|EXPL|HOSP|20250101120000||ORU^R01^ORU_R01|CTRL1|P|2.5.1|||AL|NE||"
    "UNICODE UTF-8\r"
    "PID|1||123^^^HOSP^MR||TESTPATIENT^ALEX||19700101|U|||||||en\r"
    "OBR|1|PL1|FL1^RIS|MRLS^MRI LUMBAR SPINE^L|||20250101110000\r"
    "OBX|1|TX|18782-3^Study observation^LN||line one~line two\\.br\\three||||||F\r"
    "OBX|2|TX|19005-8^Impression^LN||No acute \\T\\ stable \\F\\ ok||||||F\r";

Message parsed(std::string_view bytes) {
  ParseResult result = parse(bytes);
  EXPECT_TRUE(result.ok()) << result.error.text;
  return result.ok() ? std::move(*result.message) : Message{};
}

TEST(Parse, HeaderAccessors) {
  const Message m = parsed(kOru);
  const MessageHeader& h = m.header();
  EXPECT_EQ(h.sending_application, "RIS");
  EXPECT_EQ(h.sending_facility, "HOSP");
  EXPECT_EQ(h.receiving_application, "EXPL");
  EXPECT_EQ(h.receiving_facility, "HOSP");
  EXPECT_EQ(h.datetime, "20250101120000");
  EXPECT_EQ(h.message_code, "ORU");
  EXPECT_EQ(h.trigger_event, "R01");
  EXPECT_EQ(h.message_structure, "ORU_R01");
  EXPECT_EQ(h.message_type(), "ORU^R01");
  EXPECT_EQ(h.control_id, "CTRL1");
  EXPECT_EQ(h.processing_id, "P");
  EXPECT_EQ(h.version, "2.5.1");
  EXPECT_EQ(h.accept_ack_type, "AL");
  EXPECT_EQ(h.application_ack_type, "NE");
  EXPECT_EQ(h.character_set, "UNICODE UTF-8");
  EXPECT_EQ(m.charset(), Charset::kUtf8);
  EXPECT_TRUE(m.warnings().empty());
}

TEST(Parse, FieldNumberingAndParts) {
  const Message m = parsed(kOru);
  ASSERT_EQ(m.segment_count(), 5u);
  const Segment msh = m.segment(0);
  EXPECT_EQ(msh.raw(1), "|");
  EXPECT_EQ(msh.raw(2), "^~\\&");
  EXPECT_EQ(msh.repetition_count(2), 1);
  EXPECT_EQ(msh.raw(9, 1, 2), "R01");
  EXPECT_EQ(msh.field_count(), 18);
  const Segment pid = m.segment(1);
  EXPECT_EQ(pid.id(), "PID");
  EXPECT_EQ(pid.raw(3), "123^^^HOSP^MR");
  EXPECT_EQ(pid.raw(3, 1, 4), "HOSP");
  EXPECT_EQ(pid.component_count(3), 5);
  EXPECT_EQ(pid.raw(3, 1, 6), "");
  EXPECT_EQ(pid.raw(3, 2), "");
  EXPECT_EQ(pid.raw(99), "");
  EXPECT_EQ(pid.text(15), "en");
  const Segment obx = m.segment(3);
  EXPECT_EQ(obx.repetition_count(5), 2);
  EXPECT_EQ(obx.text(5, 2), "line two\nthree");
  EXPECT_EQ(m.segment(4).text(5), "No acute & stable | ok");
  EXPECT_EQ(m.find("OBX"), 3u);
  EXPECT_EQ(m.find("OBX", 4), 4u);
  EXPECT_FALSE(m.find("ZZZ").has_value());
  EXPECT_EQ(m.sequence_of(4), 2);
  EXPECT_EQ(m.segment(99).raw(), "");
}

TEST(Parse, Subcomponents) {
  const Message m = parsed("MSH|^~\\&|A|B|C|D|||ORU^R01|1|P|2.3\rOBX|1|CE|E793&IMP^^99EKG||x\r");
  const Segment obx = m.segment(1);
  EXPECT_EQ(obx.raw(3, 1, 1), "E793&IMP");
  EXPECT_EQ(obx.raw(3, 1, 1, 2), "IMP");
  EXPECT_EQ(obx.subcomponent_count(3, 1, 1), 2);
  EXPECT_EQ(obx.raw(3, 1, 3), "99EKG");
}

TEST(Parse, CanonicalInputRoundTripsByteForByte) {
  const Message m = parsed(kOru);
  EXPECT_EQ(m.serialize(), kOru);
}

TEST(Parse, LineEndingsAndBomAreNormalised) {
  std::string lf = kOru;
  for (char& c : lf) {
    if (c == '\r') c = '\n';
  }
  EXPECT_EQ(parsed(lf).serialize(), kOru);
  std::string crlf;
  for (char c : kOru) {
    crlf += c == '\r' ? std::string("\r\n") : std::string(1, c);
  }
  EXPECT_EQ(parsed(crlf).serialize(), kOru);
  const Message with_bom = parsed("\xEF\xBB\xBF" + kOru);
  EXPECT_TRUE(with_bom.had_bom());
  EXPECT_EQ(with_bom.serialize(), kOru);
  EXPECT_EQ(with_bom.received().substr(0, 3), "\xEF\xBB\xBF");
  // No final terminator, blank lines, leading newlines.
  std::string messy = "\r\n" + kOru.substr(0, kOru.size() - 1);
  messy.insert(messy.find("PID"), "\n\n");
  EXPECT_EQ(parsed(messy).serialize(), kOru);
}

TEST(Parse, CustomDelimiters) {
  const Message m = parsed(
      "MSH#$*!@%#RIS#H##H#20250101##ORU$R01$ORU_R01#C9#P#2.7\r"
      "OBX#1#TX#19005-8$Impression$LN##a!F!b!S!c!.br!d!P!e*second\r");
  EXPECT_EQ(m.delimiters().field, '#');
  EXPECT_EQ(m.delimiters().component, '$');
  EXPECT_EQ(m.delimiters().repetition, '*');
  EXPECT_EQ(m.delimiters().escape, '!');
  EXPECT_EQ(m.delimiters().subcomponent, '@');
  EXPECT_EQ(m.delimiters().truncation, '%');
  EXPECT_EQ(m.header().message_type(), "ORU^R01");
  EXPECT_EQ(m.header().control_id, "C9");
  EXPECT_EQ(m.segment(0).raw(2), "$*!@%");
  const Segment obx = m.segment(1);
  EXPECT_EQ(obx.raw(3, 1, 1), "19005-8");
  EXPECT_EQ(obx.text(5, 1), "a#b$c\nd%e");
  EXPECT_EQ(obx.text(5, 2), "second");
  EXPECT_EQ(m.encode("x#y\\z"), "x!F!y\\z");
}

TEST(Parse, Latin1Message) {
  const Message m = parsed(
      "MSH|^~\\&|RIS|H|||||ORU^R01|1|P|2.5.1||||||8859/1\r"
      "PID|1||1||REN\xC9^ZO\xC9\r");
  EXPECT_EQ(m.charset(), Charset::kLatin1);
  EXPECT_EQ(m.segment(1).text(5, 1, 1), "REN\xC3\x89");
  EXPECT_EQ(m.encode("\xC3\x89t\xC3\xA9"), "\xC9t\xE9");
}

TEST(Parse, UnknownCharsetIsReportedAndReadAsUtf8) {
  const Message m =
      parsed("MSH|^~\\&|||||||ORU^R01|1|P|2.5||||||KLINGON\rNTE|1||caf\xC3\xA9 \xFF\r");
  EXPECT_FALSE(m.charset_recognised());
  EXPECT_EQ(m.charset(), Charset::kUtf8);
  EXPECT_FALSE(m.warnings().empty());
  EXPECT_EQ(m.segment(1).text(3), "caf\xC3\xA9 \xEF\xBF\xBD");
}

TEST(Parse, Failures) {
  EXPECT_EQ(parse("").error.code, 100);
  EXPECT_EQ(parse("\r\n\r\n").error.code, 100);
  EXPECT_EQ(parse("PID|1\r").error.code, 100);
  EXPECT_EQ(parse("hello world").error.code, 100);
  EXPECT_EQ(parse("MSH").error.code, 102);
  EXPECT_EQ(parse("MSHA^~\\&").error.code, 102);
  const ParseResult short_msh2 = parse("MSH|^~|A");
  ASSERT_FALSE(short_msh2.ok());
  EXPECT_EQ(short_msh2.error.code, 102);
  EXPECT_EQ(short_msh2.error.location.format(), "MSH^1^2");
  EXPECT_EQ(parse("MSH|^^\\&|A").error.code, 102);    // duplicate
  EXPECT_EQ(parse("MSH|^~\\&X|A").error.code, 102);   // alphanumeric
  EXPECT_EQ(parse("MSH|^~\\&#!|A").error.code, 102);  // too many
}

TEST(Parse, MinimalMessages) {
  EXPECT_TRUE(parse("MSH|^~\\&").ok());
  EXPECT_TRUE(parse("MSH|^~\\&\r").ok());
  const Message m = parsed("MSH|^~\\&|");
  EXPECT_EQ(m.header().control_id, "");
  EXPECT_EQ(m.serialize(), "MSH|^~\\&|\r");
}

TEST(Parse, OddSegmentsAreKeptWithWarnings) {
  const std::string input = "MSH|^~\\&|||||||ORU^R01|1|P|2.5\rtoolong|x\r  \rMSH|^~\\&\r";
  const Message m = parsed(input);
  EXPECT_EQ(m.segment_count(), 4u);
  EXPECT_EQ(m.warnings().size(), 3u);
  EXPECT_EQ(m.serialize(), input);
}

TEST(Edit, InsertAfterKeepsOriginalBytesAndIndexes) {
  Message m = parsed(kOru);
  ASSERT_TRUE(m.insert_after(4, "OBX|3|TX|PATEXPL^Explanation^99LOCAL||text||||||F"));
  ASSERT_TRUE(m.insert_after(2, "NTE|1|L|note"));
  ASSERT_TRUE(m.insert_after(4, "OBX|4|TX|PATEXPL^Explanation^99LOCAL||more||||||F"));
  EXPECT_FALSE(m.insert_after(5, "OBX|9"));
  EXPECT_FALSE(m.insert_after(0, "OBX|9\rPID|2"));
  EXPECT_FALSE(m.insert_after(0, ""));
  EXPECT_TRUE(m.edited());
  EXPECT_EQ(m.segment(4).raw(1), "2");  // original indexes unchanged
  std::string expected = kOru;
  expected.insert(expected.find("OBX|1"), "NTE|1|L|note\r");
  expected +=
      "OBX|3|TX|PATEXPL^Explanation^99LOCAL||text||||||F\r"
      "OBX|4|TX|PATEXPL^Explanation^99LOCAL||more||||||F\r";
  EXPECT_EQ(m.serialize(), expected);
  // The copy is independent and points into its own bytes.
  const Message copy = m;
  EXPECT_EQ(copy.serialize(), expected);
  EXPECT_EQ(copy.segment(1).text(5, 1, 1), "TESTPATIENT");
}

TEST(Edit, Replace) {
  Message m = parsed(kOru);
  EXPECT_FALSE(m.replace(0, "PID|1"));
  EXPECT_FALSE(m.replace(0, "MSH#^~\\&"));
  EXPECT_TRUE(m.replace(1, "PID|1||123"));
  EXPECT_TRUE(m.replace(1, "PID|1||456"));
  std::string expected = kOru;
  const std::size_t at = expected.find("PID");
  expected.replace(at, expected.find('\r', at) - at, "PID|1||456");
  EXPECT_EQ(m.serialize(), expected);
}

TEST(Build, SegmentAndComponents) {
  const Delimiters d;
  EXPECT_EQ(
      build_segment("OBX", {"1", "TX", join_components({"X", "Y", "", ""}, d), "", "v", "", ""}, d),
      "OBX|1|TX|X^Y||v");
  EXPECT_EQ(build_segment("MSH", {"APP", "FAC"}, d), "MSH|^~\\&|APP|FAC");
  EXPECT_EQ(build_segment("ZZZ", {}, d), "ZZZ");
}

TEST(Build, EnrichmentObxRoundTripsThroughParse) {
  Message m =
      parsed("MSH|^~\\&|RIS|H|||||ORU^R01|1|P|2.5.1||||||8859/1\rOBR|1\rOBX|1|TX|X||text||||||F\r");
  const Delimiters& d = m.delimiters();
  const std::string text = "Your scan shows a \xC3\xA9 | ^ & ~ \\ thing.\nSecond line.";
  std::string obx = build_segment(
      "OBX",
      {"2", "TX", join_components({"PATEXPL", m.encode("Patient explanation"), "99LOCAL"}, d), "1",
       m.encode(text), "", "", "", "", "", "F"},
      d);
  ASSERT_TRUE(m.insert_after(2, obx));
  const Message again = parsed(m.serialize());
  ASSERT_EQ(again.segment_count(), 4u);
  const Segment added = again.segment(3);
  EXPECT_EQ(added.text(3, 1, 1), "PATEXPL");
  EXPECT_EQ(added.text(5), text);
  EXPECT_EQ(added.text(11), "F");
  EXPECT_NE(added.raw(5).find('\xE9'), std::string_view::npos);  // written as Latin-1
}

TEST(ErrorLocation, Format) {
  EXPECT_EQ((ErrorLocation{"MSH", 1, 10}).format(), "MSH^1^10");
  EXPECT_EQ((ErrorLocation{"MSH", 1, 9, 1, 2}).format('$'), "MSH$1$9$1$2");
  EXPECT_EQ((ErrorLocation{"OBR", 2, 4, 0, 1}).format(), "OBR^2^4^^1");
  EXPECT_EQ((ErrorLocation{"MSH", 1}).format(), "MSH^1");
}

}  // namespace
}  // namespace explainer::hl7v2
