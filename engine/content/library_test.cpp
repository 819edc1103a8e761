#include "content/library.h"

#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "content/render.h"

namespace explainer::content {
namespace {

std::string testdata(const std::string& relative) {
  return std::string(EXPLAINER_SOURCE_DIR) + "/engine/content/testdata/" + relative;
}

TEST(ContentLibrary, LoadsEveryLanguageFolder) {
  const auto result = ContentLibrary::load(testdata("valid/content"));
  ASSERT_TRUE(result.ok());
  EXPECT_TRUE(result.problems.empty());
  ASSERT_NE(result.library, nullptr);
  EXPECT_EQ(result.library->size(), 2u);
  EXPECT_EQ(result.library->languages(), (std::vector<std::string>{"en", "es"}));
}

TEST(ContentLibrary, FindsExactLanguageThenPrimarySubtagThenFallback) {
  const auto library = ContentLibrary::load(testdata("valid/content")).library;

  const auto spanish = library->find("bone_spot", "es", "en");
  ASSERT_TRUE(spanish);
  EXPECT_EQ(spanish.document->language, "es");
  EXPECT_FALSE(spanish.used_fallback);

  const auto regional = library->find("bone_spot", "ES-mx", "en");
  ASSERT_TRUE(regional);
  EXPECT_EQ(regional.document->language, "es");
  EXPECT_FALSE(regional.used_fallback);

  const auto french = library->find("bone_spot", "fr", "en");
  ASSERT_TRUE(french);
  EXPECT_EQ(french.document->language, "en");
  EXPECT_TRUE(french.used_fallback);

  EXPECT_FALSE(library->find("bone_spot", "fr", ""));
  EXPECT_FALSE(library->find("no_such_content", "en", "en"));
}

TEST(ContentLibrary, LeavesOutAndReportsDocumentsThatDoNotLoad) {
  const auto result = ContentLibrary::load(testdata("invalid"));
  EXPECT_FALSE(result.ok());
  // Every file under invalid/ is named differently from its content_id (bone_spot) or
  // fails to parse, so nothing is loaded.
  EXPECT_EQ(result.library->size(), 0u);
  bool reported_mismatch = false;
  for (const auto& problem : result.problems) {
    if (problem.reason.find("differs from the file name") != std::string::npos) {
      reported_mismatch = true;
    }
  }
  EXPECT_TRUE(reported_mismatch);
}

TEST(ContentLibrary, MissingFolderIsAnErrorWithAnEmptyLibrary) {
  const auto result = ContentLibrary::load(testdata("no-such-folder"));
  EXPECT_FALSE(result.ok());
  ASSERT_NE(result.library, nullptr);
  EXPECT_EQ(result.library->size(), 0u);
}

TEST(ContentLibraryHolder, StartsEmptyAndSwapsOnSuccessfulReload) {
  ContentLibraryHolder holder;
  ASSERT_NE(holder.current(), nullptr);
  EXPECT_EQ(holder.current()->size(), 0u);

  const auto result = holder.reload(testdata("valid/content"));
  EXPECT_TRUE(result.ok());
  EXPECT_EQ(holder.current()->size(), 2u);
  EXPECT_EQ(holder.current(), result.library);
}

TEST(ContentLibraryHolder, FailedReloadKeepsThePreviousSnapshot) {
  ContentLibraryHolder holder;
  ASSERT_TRUE(holder.reload(testdata("valid/content")).ok());
  const auto before = holder.current();

  const auto failed = holder.reload(testdata("invalid"));
  EXPECT_FALSE(failed.ok());
  EXPECT_EQ(holder.current(), before);
  EXPECT_TRUE(holder.current()->find("bone_spot", "en"));
}

TEST(ContentLibraryHolder, ReadersKeepTheirSnapshotWhileReloadsHappen) {
  ContentLibraryHolder holder(ContentLibrary::load(testdata("valid/content")).library);
  std::atomic<bool> stop{false};
  std::atomic<int> bad_reads{0};
  std::vector<std::thread> readers;
  for (int i = 0; i < 2; ++i) {
    readers.emplace_back([&] {
      while (!stop.load()) {
        const auto snapshot = holder.current();
        const auto found = snapshot->find("bone_spot", "es");
        if (!found || found.document->title.empty()) bad_reads.fetch_add(1);
      }
    });
  }
  for (int i = 0; i < 10; ++i) {
    holder.reload(testdata(i % 2 ? "valid/content" : "invalid"));  // failures keep the old one
  }
  stop.store(true);
  for (auto& reader : readers) reader.join();
  EXPECT_EQ(bad_reads.load(), 0);
}

TEST(ContentLibrary, FromDocumentsKeepsTheFirstOfDuplicates) {
  ContentDocument first;
  first.content_id = "a";
  first.language = "en";
  first.title = "first";
  ContentDocument second = first;
  second.title = "second";
  const auto library = ContentLibrary::from_documents({first, second});
  EXPECT_EQ(library->size(), 1u);
  EXPECT_EQ(library->find("a", "en").document->title, "first");
}

TEST(ContentLibrary, CachedRenderingsEqualTheRenderFunctions) {
  const auto library = ContentLibrary::load(testdata("valid/content")).library;
  ASSERT_FALSE(library->documents().empty());
  for (const ContentDocument& document : library->documents()) {
    EXPECT_EQ(library->plain_text(document), render_plain_text(document)) << document.content_id;
    EXPECT_EQ(library->html_fragment(document), render_html_fragment(document))
        << document.content_id;
  }
  // A document that is not part of the snapshot is rendered on the spot, not looked up.
  ContentDocument outsider = library->documents().front();
  outsider.title = "A different title";
  EXPECT_EQ(library->plain_text(outsider), render_plain_text(outsider));
  EXPECT_NE(library->plain_text(outsider), library->plain_text(library->documents().front()));
  EXPECT_EQ(library->html_fragment(outsider), render_html_fragment(outsider));
}

}  // namespace
}  // namespace explainer::content
