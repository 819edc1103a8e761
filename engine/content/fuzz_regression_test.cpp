// Inputs that once broke a property of the content fuzz target
// (tests/fixtures/content/fuzz_regressions/*.md), and every shipped content document, keep
// passing the checks the target applies (fuzz/content_fuzz_oracle.h).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "content/fuzz/content_fuzz_oracle.h"

namespace explainer::content {
namespace {

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

int check_folder(const std::filesystem::path& dir) {
  int checked = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (!entry.is_regular_file() || entry.path().extension() != ".md") continue;
    SCOPED_TRACE(entry.path().string());
    EXPECT_EQ(fuzz::check_content_input(read_file(entry.path())), "");
    ++checked;
  }
  return checked;
}

TEST(ContentFuzzRegressions, StoredInputsSatisfyTheFuzzProperties) {
  EXPECT_GT(check_folder(std::filesystem::path(EXPLAINER_SOURCE_DIR) /
                         "tests/fixtures/content/fuzz_regressions"),
            0);
}

TEST(ContentFuzzRegressions, ShippedContentSatisfiesTheFuzzProperties) {
  const std::filesystem::path content = std::filesystem::path(EXPLAINER_SOURCE_DIR) / "content";
  EXPECT_GT(check_folder(content / "en"), 0);
  EXPECT_GT(check_folder(content / "es"), 0);
}

// Raw HTML and a javascript: link in an accepted document are neutralised by the renderings.
TEST(ContentFuzzRegressions, UnsafeMarkdownInAnAcceptedDocumentIsNeutralised) {
  const std::string valid =
      read_file(std::filesystem::path(EXPLAINER_SOURCE_DIR) / "content/en/ac_joint_arthropathy.md");
  ASSERT_TRUE(parse_document(valid, "x.md").ok());
  std::string with_link = valid;
  with_link.insert(with_link.find("## What this finding usually means") + 36,
                   "\n[click](javascript:alert(1)) <script>alert(1)</script>\n");
  ASSERT_TRUE(parse_document(with_link, "x.md").ok());
  EXPECT_EQ(fuzz::check_content_input(with_link), "");
}

// From fuzzing (fuzz_regressions/bare-cr-line-endings.md): libcmark counts a bare CR as a line
// ending, the loader did not, so after a stray CR every section was sliced from the wrong
// lines (text of one section shown under another heading).
TEST(ContentFuzzRegressions, BareCarriageReturnsDoNotShiftSections) {
  const std::string valid =
      read_file(std::filesystem::path(EXPLAINER_SOURCE_DIR) / "content/en/ac_joint_arthropathy.md");
  const auto original = parse_document(valid, "x.md");
  ASSERT_TRUE(original.ok());
  std::string with_crs = valid;
  const std::size_t first_section = with_crs.find("## What this finding usually means");
  with_crs.insert(with_crs.find("\n\n", first_section + 40) + 2, "\r\r\r\r\r");  // five blank lines
  const auto mutated = parse_document(with_crs, "x.md");
  ASSERT_TRUE(mutated.ok());
  for (std::size_t s = 1; s < kSectionCount; ++s) {
    SCOPED_TRACE(s);
    EXPECT_EQ(mutated.document->sections[s].markdown, original.document->sections[s].markdown);
    EXPECT_EQ(mutated.document->sections[s].line, original.document->sections[s].line + 5);
  }
  // A file with CR-only line endings is refused (yaml-cpp does not take a bare CR as a line
  // break in the metadata header), with a problem saying why; it is never mis-sliced.
  std::string cr_only = valid;
  for (char& c : cr_only) c = c == '\n' ? '\r' : c;
  const auto mac = parse_document(cr_only, "x.md");
  EXPECT_FALSE(mac.ok());
  ASSERT_FALSE(mac.problems.empty());
  EXPECT_NE(mac.problems.front().reason.find("metadata header"), std::string::npos);
}

// From fuzzing (fuzz_regressions/invalid-utf8-title.md): a byte that is not UTF-8 in the
// metadata went unchanged into the FHIR narrative, which then was not well-formed XML. A content
// file must be UTF-8: the loader refuses it naming the line.
TEST(ContentFuzzRegressions, InvalidUtf8IsRefusedWithItsLine) {
  const std::string valid =
      read_file(std::filesystem::path(EXPLAINER_SOURCE_DIR) / "content/en/ac_joint_arthropathy.md");
  std::string broken = valid;
  broken.insert(broken.find("title: \"") + 8, "\xA9");
  const auto result = parse_document(broken, "x.md");
  EXPECT_FALSE(result.ok());
  ASSERT_EQ(result.problems.size(), 1u);
  EXPECT_EQ(result.problems[0].line, 5);
  EXPECT_EQ(result.problems[0].reason, "the file is not valid UTF-8");
  for (const char* bad : {"\xC0\xAF", "\xED\xA0\x80", "\xF4\x90\x80\x80", "\xE2\x82"}) {
    std::string body = valid;
    body.insert(body.find("The AC joint"), bad);
    EXPECT_FALSE(parse_document(body, "x.md").ok()) << "accepted " << bad;
  }
  std::string accented = valid;
  accented.insert(accented.find("The AC joint"), "caf\xC3\xA9 \xF0\x9F\x98\x80 ");
  EXPECT_TRUE(parse_document(accented, "x.md").ok());
}

}  // namespace
}  // namespace explainer::content
