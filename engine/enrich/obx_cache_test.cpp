#include "enrich/obx_cache.h"

#include <gtest/gtest.h>

#include <string>

namespace explainer::enrich {
namespace {

std::shared_ptr<const content::ContentLibrary> empty_snapshot() {
  return content::ContentLibrary::from_documents({});
}

TEST(ExplanationObxCache, BuildsOncePerKeyAndReturnsTheBuiltText) {
  ExplanationObxCache cache;
  const auto snapshot = empty_snapshot();
  int builds = 0;
  const auto build = [&builds] {
    ++builds;
    return std::string("|FT|text");
  };
  EXPECT_EQ(*cache.get_or_build(snapshot, "a", build), "|FT|text");
  EXPECT_EQ(*cache.get_or_build(snapshot, "a", build), "|FT|text");
  EXPECT_EQ(builds, 1);
  cache.get_or_build(snapshot, "b", build);
  EXPECT_EQ(builds, 2);
  EXPECT_EQ(cache.size(), 2u);
}

TEST(ExplanationObxCache, AnotherSnapshotEmptiesTheCache) {
  ExplanationObxCache cache;
  const auto first = empty_snapshot();
  const auto second = empty_snapshot();
  cache.get_or_build(first, "a", [] { return std::string("old"); });
  EXPECT_EQ(*cache.get_or_build(second, "a", [] { return std::string("new"); }), "new");
  EXPECT_EQ(cache.size(), 1u);
  // Going back to the first snapshot builds again rather than serving the second one's text.
  EXPECT_EQ(*cache.get_or_build(first, "a", [] { return std::string("old"); }), "old");
}

TEST(ExplanationObxCache, SizeIsBounded) {
  ExplanationObxCache cache;
  const auto snapshot = empty_snapshot();
  for (std::size_t i = 0; i < ExplanationObxCache::kMaxEntries + 10; ++i) {
    const auto text =
        cache.get_or_build(snapshot, std::to_string(i), [i] { return std::to_string(i); });
    ASSERT_EQ(*text, std::to_string(i));
  }
  EXPECT_LE(cache.size(), ExplanationObxCache::kMaxEntries);
}

}  // namespace
}  // namespace explainer::enrich
