#include "hl7v2/escape.h"

#include <gtest/gtest.h>

namespace explainer::hl7v2 {
namespace {

const Delimiters kDefault{};

TEST(Unescape, DelimiterEscapes) {
  EXPECT_EQ(unescape(R"(a\F\b\S\c\T\d\R\e\E\f)", kDefault), R"(a|b^c&d~e\f)");
}

TEST(Unescape, FormattingCommands) {
  EXPECT_EQ(unescape(R"(one\.br\two)", kDefault), "one\ntwo");
  EXPECT_EQ(unescape(R"(one\.sp\two)", kDefault), "one\ntwo");
  EXPECT_EQ(unescape(R"(one\.sp 2\two)", kDefault), "one\n\ntwo");
  EXPECT_EQ(unescape(R"(\H\bold\N\ text)", kDefault), "bold text");
  EXPECT_EQ(unescape(R"(a\.sk 3\b)", kDefault), "a   b");
  EXPECT_EQ(unescape(R"(\.in 4\a\.fi\b)", kDefault), "ab");
  // A huge count is capped instead of allocating gigabytes.
  EXPECT_EQ(unescape(R"(\.sp 999999999999\)", kDefault).size(), 100u);
}

TEST(Unescape, HexBytes) {
  EXPECT_EQ(unescape(R"(\X0D0A\)", kDefault), "\r\n");
  EXPECT_EQ(decode_text(R"(caf\XE9\)", kDefault, Charset::kLatin1), "caf\xC3\xA9");
  EXPECT_EQ(decode_text(R"(caf\XC3A9\)", kDefault, Charset::kUtf8), "caf\xC3\xA9");
}

TEST(Unescape, UnknownAndBrokenEscapesPassThrough) {
  EXPECT_EQ(unescape(R"(\Zlocal\ \C2842\ \Xzz\ \Q\)", kDefault), R"(\Zlocal\ \C2842\ \Xzz\ \Q\)");
  EXPECT_EQ(unescape(R"(trailing \F)", kDefault), R"(trailing \F)");
  EXPECT_EQ(unescape(R"(\\)", kDefault), R"(\\)");
  EXPECT_EQ(unescape(R"(\P\)", kDefault), R"(\P\)");  // no truncation character
}

TEST(Unescape, CustomEscapeCharacter) {
  Delimiters d;
  d.field = '#';
  d.component = '$';
  d.repetition = '*';
  d.escape = '!';
  d.subcomponent = '@';
  d.truncation = '%';
  EXPECT_EQ(unescape("a!F!b!S!c!E!d!.br!e!P!", d), "a#b$c!d\ne%");
  EXPECT_EQ(unescape(R"(back\slash)", d), R"(back\slash)");
}

TEST(EncodeText, EscapesEscapeFirstThenDelimiters) {
  EXPECT_EQ(encode_text(R"(a|b^c&d~e\f)", kDefault, Charset::kUtf8), R"(a\F\b\S\c\T\d\R\e\E\f)");
}

TEST(EncodeText, LineBreaksAndControls) {
  EXPECT_EQ(encode_text("one\ntwo\r\nthree\rfour", kDefault, Charset::kUtf8),
            R"(one\.br\two\.br\three\.br\four)");
  EncodeOptions spaces;
  spaces.line_breaks_as_br = false;
  EXPECT_EQ(encode_text("a\nb\tc", kDefault, Charset::kUtf8, spaces), "a b c");
}

TEST(EncodeText, CharsetConversion) {
  bool lossy = false;
  EXPECT_EQ(encode_text("Ren\xC3\xA9", kDefault, Charset::kLatin1, {}, &lossy), "Ren\xE9");
  EXPECT_FALSE(lossy);
  EXPECT_EQ(encode_text("\xE2\x86\x92", kDefault, Charset::kLatin1, {}, &lossy), "?");
  EXPECT_TRUE(lossy);
}

TEST(EncodeText, RoundTripsThroughDecode) {
  Delimiters d;
  d.field = '#';
  d.component = '$';
  d.repetition = '*';
  d.escape = '!';
  d.subcomponent = '@';
  const std::string text = "x#y$z*w!v@u\\|^~&\nnext line \xC3\xA9";
  for (Charset cs : {Charset::kUtf8, Charset::kLatin1}) {
    EXPECT_EQ(decode_text(encode_text(text, d, cs), d, cs), text);
    EXPECT_EQ(decode_text(encode_text(text, kDefault, cs), kDefault, cs), text);
  }
}

}  // namespace
}  // namespace explainer::hl7v2
