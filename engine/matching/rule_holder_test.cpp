#include "matching/rule_holder.h"

#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <thread>

#include "matching/matcher.h"
#include "matching/test_support.h"

namespace explainer::matching {
namespace {

namespace fs = std::filesystem;

// A private copy of the repo's mappings that the test may break and repair.
fs::path copy_mappings(const std::string& name) {
  const fs::path dir = fs::path(EXPLAINER_BINARY_DIR) / "matching-test" / name;
  fs::remove_all(dir);
  fs::create_directories(dir);
  fs::copy(testing::repo_path("mappings"), dir, fs::copy_options::recursive);
  return dir;
}

TEST(RuleSetHolder, FailedReloadKeepsPreviousSnapshot) {
  const fs::path dir = copy_mappings("holder-fail");
  RuleSetHolder holder;
  EXPECT_EQ(holder.current(), nullptr);
  ASSERT_TRUE(holder.reload(dir).ok());
  const auto first = holder.current();
  ASSERT_NE(first, nullptr);

  std::ofstream(dir / "findings" / "broken.json") << "{\n  \"format_version\": 1,\n  oops\n}";
  const LoadResult failed = holder.reload(dir);
  EXPECT_FALSE(failed.ok());
  ASSERT_FALSE(failed.errors.empty());
  EXPECT_NE(failed.errors[0].file.find("broken.json"), std::string::npos);
  EXPECT_EQ(failed.errors[0].line, 3);
  EXPECT_EQ(holder.current(), first);

  fs::remove(dir / "findings" / "broken.json");
  ASSERT_TRUE(holder.reload(dir).ok());
  EXPECT_NE(holder.current(), first);
}

TEST(RuleSetHolder, ReadersNeverSeeAGapDuringReloads) {
  const fs::path dir = copy_mappings("holder-race");
  RuleSetHolder holder;
  ASSERT_TRUE(holder.reload(dir).ok());
  std::atomic<bool> stop{false};
  std::atomic<int> bad{0};
  std::atomic<int> done{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 2; ++t) {
    readers.emplace_back([&] {
      while (!stop.load()) {
        const auto snapshot = holder.current();
        if (!snapshot) {
          ++bad;
          continue;
        }
        const auto r = Matcher(snapshot).match("Small right pleural effusion.");
        if (r.findings.size() != 1) ++bad;
        ++done;
      }
    });
  }
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(holder.reload(dir).ok());
  while (done.load() < 50) std::this_thread::yield();
  stop = true;
  for (auto& t : readers) t.join();
  EXPECT_EQ(bad.load(), 0);
}

}  // namespace
}  // namespace explainer::matching
