#include "core/redact.h"

#include <gtest/gtest.h>

namespace explainer::core {
namespace {

TEST(RedactId, IsStableShortAndDoesNotContainTheInput) {
  const std::string tag = redact_id("ACC-778899");
  EXPECT_EQ(tag.size(), 12u);
  EXPECT_EQ(tag, redact_id("ACC-778899"));
  EXPECT_NE(tag, redact_id("ACC-778898"));
  EXPECT_EQ(tag.find("778899"), std::string::npos);
}

TEST(RedactId, EmptyIdentifierIsADash) { EXPECT_EQ(redact_id(""), "-"); }

}  // namespace
}  // namespace explainer::core
