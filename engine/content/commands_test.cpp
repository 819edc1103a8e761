#include "content/commands.h"

#include <gtest/gtest.h>

#include <sstream>
#include <string>

namespace explainer::content {
namespace {

std::string testdata(const std::string& relative) {
  return std::string(EXPLAINER_SOURCE_DIR) + "/engine/content/testdata/" + relative;
}

TEST(ContentLintCommand, CleanLibraryExitsZero) {
  std::ostringstream out, err;
  const int rc = run_content_lint(
      {"--content", testdata("valid/content"), "--mappings=" + testdata("valid/mappings")}, out,
      err);
  EXPECT_EQ(rc, 0) << out.str();
  EXPECT_EQ(out.str(), "content lint: 2 documents, 0 errors, 0 warnings\n");
  EXPECT_EQ(err.str(), "");
}

TEST(ContentLintCommand, PrintsFileLineReasonAndExitsOne) {
  std::ostringstream out, err;
  const int rc = run_content_lint(
      {"--content", testdata("invalid"), "--mappings", testdata("valid/mappings")}, out, err);
  EXPECT_EQ(rc, 1);
  const std::string text = out.str();
  EXPECT_NE(
      text.find(testdata("invalid/en/bad_enum.md") +
                ":7: error: sensitivity 'mild' is not one of routine, follow-up, sensitive\n"),
      std::string::npos)
      << text;
  EXPECT_NE(text.find(testdata("invalid/en/routine_no_emergency.md") + ":62: warning: "),
            std::string::npos);
  EXPECT_NE(text.find("content lint: 24 documents, "), std::string::npos);
}

TEST(ContentLintCommand, UsageErrorsExitTwo) {
  std::ostringstream out, err;
  EXPECT_EQ(run_content_lint({"--bogus"}, out, err), 2);
  EXPECT_NE(err.str().find("unknown argument '--bogus'"), std::string::npos);
  EXPECT_NE(err.str().find("usage: explainer content lint"), std::string::npos);
  std::ostringstream out2, err2;
  EXPECT_EQ(run_content_lint({"--content"}, out2, err2), 2);
  EXPECT_NE(err2.str().find("missing value for --content"), std::string::npos);
  std::ostringstream out3, err3;
  EXPECT_EQ(run_content_lint({"--markdown"}, out3, err3), 2);  // report-only flag
}

TEST(ContentReportCommand, AlignedTable) {
  std::ostringstream out, err;
  const int rc = run_content_report(
      {"--content", testdata("valid/content"), "--mappings", testdata("valid/mappings")}, out, err);
  EXPECT_EQ(rc, 0) << err.str();
  std::istringstream lines(out.str());
  std::string header, english, spanish, summary;
  std::getline(lines, header);
  std::getline(lines, english);
  std::getline(lines, spanish);
  std::getline(lines, summary);
  EXPECT_EQ(header.rfind("content_id  lang  version  FK grade / F-Huerta  FRE", 0), 0u) << header;
  EXPECT_EQ(english.rfind("bone_spot   en    1.2.0    ", 0), 0u) << english;
  EXPECT_NE(english.find(" draft "), std::string::npos);
  EXPECT_TRUE(english.ends_with(" ok"));
  EXPECT_EQ(spanish.rfind("bone_spot   es    1.2.0    ", 0), 0u) << spanish;
  EXPECT_NE(spanish.find(" approved "), std::string::npos);
  EXPECT_EQ(summary, "2 documents");
  // Columns line up: every row is as long as the header up to the last column.
  EXPECT_EQ(english.find(" draft "), spanish.find(" approved "));
}

TEST(ContentReportCommand, MarkdownTableShowsLanguageSpecificScores) {
  std::ostringstream out, err;
  ASSERT_EQ(run_content_report({"--content", testdata("invalid"), "--markdown"}, out, err), 0);
  const std::string text = out.str();
  EXPECT_EQ(
      text.rfind("| content_id | lang | version | FK grade / F-Huerta | FRE | SMOG / INFLESZ "
                 "| words | review | readability |\n|---|---|---|---:|---:|---:|---:|---|---|\n",
                 0),
      0u)
      << text;
  EXPECT_NE(text.find("| bad_yaml | en | - | - | - | - | - | load error | - |"), std::string::npos);
  // Spanish rows leave FRE empty and show Fernández-Huerta / INFLESZ.
  const std::size_t spanish = text.find("| bone_spot | es | 1.2.0 | ");
  ASSERT_NE(spanish, std::string::npos);
  const std::string row = text.substr(spanish, text.find('\n', spanish) - spanish);
  EXPECT_NE(row.find(" | - | "), std::string::npos) << row;
  EXPECT_TRUE(row.ends_with("| FAIL |")) << row;
}

TEST(ContentReportCommand, MissingFolderExitsTwo) {
  std::ostringstream out, err;
  EXPECT_EQ(run_content_report({"--content", testdata("no-such-folder")}, out, err), 2);
  EXPECT_NE(err.str().find("cannot read the content folder"), std::string::npos);
}

}  // namespace
}  // namespace explainer::content
