#include "hl7v2/charset.h"

#include <gtest/gtest.h>

namespace explainer::hl7v2 {
namespace {

TEST(Charset, Msh18Names) {
  EXPECT_EQ(charset_from_msh18("").charset, Charset::kUtf8);
  EXPECT_EQ(charset_from_msh18("UNICODE UTF-8").charset, Charset::kUtf8);
  EXPECT_EQ(charset_from_msh18("8859/1").charset, Charset::kLatin1);
  EXPECT_EQ(charset_from_msh18(" 8859/1 ").charset, Charset::kLatin1);
  EXPECT_EQ(charset_from_msh18("ASCII").charset, Charset::kAscii);
  const CharsetInfo unknown = charset_from_msh18("ISO IR87");
  EXPECT_FALSE(unknown.recognised);
  EXPECT_EQ(unknown.charset, Charset::kUtf8);
}

TEST(Charset, Latin1ToUtf8) {
  EXPECT_EQ(to_utf8("Jos\xE9 M\xFCller", Charset::kLatin1), "Jos\xC3\xA9 M\xC3\xBCller");
}

TEST(Charset, InvalidUtf8BecomesReplacementCharacter) {
  EXPECT_EQ(to_utf8("a\xE9z", Charset::kUtf8), "a\xEF\xBF\xBDz");
  EXPECT_EQ(to_utf8("\xC0\xAF", Charset::kUtf8), "\xEF\xBF\xBD\xEF\xBF\xBD");  // overlong
  EXPECT_EQ(to_utf8("\xED\xA0\x80", Charset::kUtf8).find("\xED"), std::string::npos);
  EXPECT_EQ(to_utf8("ok \xE2\x82", Charset::kUtf8), "ok \xEF\xBF\xBD\xEF\xBF\xBD");
  EXPECT_EQ(to_utf8("\xF0\x9F\x98\x80", Charset::kUtf8), "\xF0\x9F\x98\x80");
}

TEST(Charset, FromUtf8ReportsLoss) {
  bool lossy = false;
  EXPECT_EQ(from_utf8("caf\xC3\xA9", Charset::kLatin1, &lossy), "caf\xE9");
  EXPECT_FALSE(lossy);
  EXPECT_EQ(from_utf8("\xE2\x82\xAC 5", Charset::kLatin1, &lossy), "? 5");
  EXPECT_TRUE(lossy);
  EXPECT_EQ(from_utf8("caf\xC3\xA9", Charset::kAscii, &lossy), "caf?");
  EXPECT_TRUE(lossy);
}

}  // namespace
}  // namespace explainer::hl7v2
