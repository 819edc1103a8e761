#include "content/lint.h"

#include <gtest/gtest.h>

#include <string>

namespace explainer::content {
namespace {

std::string testdata(const std::string& relative) {
  return std::string(EXPLAINER_SOURCE_DIR) + "/engine/content/testdata/" + relative;
}

std::string dump(const LintReport& report) {
  std::string out;
  for (const auto& p : report.problems) out += format_problem(p) + "\n";
  return out;
}

// True when the report has a problem in a file ending with `file_suffix`, at `line`
// (-1: any), of `severity`, whose reason contains `reason`.
bool has_problem(const LintReport& report, const std::string& file_suffix, int line,
                 ContentProblem::Severity severity, const std::string& reason) {
  for (const ContentProblem& p : report.problems) {
    if (p.file.ends_with(file_suffix) && (line < 0 || p.line == line) && p.severity == severity &&
        p.reason.find(reason) != std::string::npos) {
      return true;
    }
  }
  return false;
}

constexpr auto kError = ContentProblem::Severity::kError;
constexpr auto kWarning = ContentProblem::Severity::kWarning;

TEST(Lint, ValidLibraryIsClean) {
  const LintReport report = lint_library(testdata("valid/content"), testdata("valid/mappings"));
  EXPECT_TRUE(report.problems.empty()) << dump(report);
  EXPECT_TRUE(report.ok());
  ASSERT_EQ(report.documents.size(), 2u);
  for (const DocumentSummary& summary : report.documents) {
    EXPECT_TRUE(summary.loaded);
    EXPECT_TRUE(summary.readability_ok);
    EXPECT_EQ(summary.content_id, "bone_spot");
    EXPECT_EQ(summary.version, "1.2.0");
  }
  EXPECT_EQ(report.documents[0].language, "en");
  EXPECT_LE(report.documents[0].readability.fk_grade, kMaxEnglishGrade);
  EXPECT_EQ(report.documents[1].language, "es");
  EXPECT_GE(report.documents[1].readability.fernandez_huerta, kMinSpanishFernandezHuerta);
}

class InvalidLibrary : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    report_ = new LintReport(lint_library(testdata("invalid"), testdata("valid/mappings")));
  }
  static void TearDownTestSuite() {
    delete report_;
    report_ = nullptr;
  }
  static const LintReport& report() { return *report_; }
  static LintReport* report_;
};
LintReport* InvalidLibrary::report_ = nullptr;

TEST_F(InvalidLibrary, CountsEveryFileAndFails) {
  EXPECT_FALSE(report().ok());
  EXPECT_EQ(report().documents.size(), 24u);
  EXPECT_GT(report().error_count(), 20u);
  EXPECT_EQ(report().error_count() + report().warning_count(), report().problems.size());
}

TEST_F(InvalidLibrary, LoaderErrorsAreReported) {
  EXPECT_TRUE(has_problem(report(), "en/bad_yaml.md", 9, kError, "not valid YAML"));
  EXPECT_TRUE(has_problem(report(), "en/missing_section.md", 0, kError,
                          "missing section 'How common it is'"));
  for (const DocumentSummary& summary : report().documents) {
    if (summary.file.ends_with("bad_yaml.md")) {
      EXPECT_FALSE(summary.loaded);
      EXPECT_EQ(summary.content_id, "bad_yaml");
    }
  }
}

TEST_F(InvalidLibrary, MetadataValues) {
  EXPECT_TRUE(has_problem(report(), "en/id_mismatch.md", 2, kError,
                          "content_id 'bone_spot' must equal the file name 'id_mismatch'"));
  EXPECT_TRUE(has_problem(report(), "en/bad_values.md", 6, kError, "version '1.2' is not x.y.z"));
  EXPECT_TRUE(has_problem(report(), "en/bad_values.md", 11, kError,
                          "last_updated '2026-13-01' is not a YYYY-MM-DD date"));
  EXPECT_TRUE(has_problem(report(), "en/bad_values.md", 9, kError,
                          "reviewer is required when review_status is approved"));
  EXPECT_TRUE(has_problem(report(), "en/bad_values.md", 10, kError,
                          "review_date is required when review_status is approved"));
}

TEST_F(InvalidLibrary, BodyRules) {
  EXPECT_TRUE(has_problem(report(), "en/few_questions.md", 34, kError,
                          "has 4 questions; at least 5 are required"));
  EXPECT_TRUE(has_problem(report(), "en/empty_section.md", 30, kError,
                          "section 'How common it is' is empty"));
  EXPECT_TRUE(has_problem(report(), "en/raw_html.md", 46, kError, "raw HTML is not allowed"));
  EXPECT_TRUE(has_problem(report(), "en/image.md", 32, kError, "images are not allowed"));
  EXPECT_TRUE(has_problem(report(), "en/long_takeaway.md", 67, kWarning, "has 4 sentences"));
}

TEST_F(InvalidLibrary, EmergencySentenceRequiredForSensitiveOnly) {
  EXPECT_TRUE(has_problem(report(), "en/no_emergency.md", 62, kError,
                          "no sentence starting with 'Get emergency care' (required"));
  EXPECT_TRUE(has_problem(report(), "en/routine_no_emergency.md", 62, kWarning,
                          "no sentence starting with 'Get emergency care' (fine only"));
  EXPECT_FALSE(has_problem(report(), "en/routine_no_emergency.md", 62, kError, "emergency"));
}

TEST_F(InvalidLibrary, ReadabilityGates) {
  EXPECT_TRUE(has_problem(report(), "en/hard_to_read.md", 0, kError, "Flesch-Kincaid grade"));
  EXPECT_TRUE(has_problem(report(), "es/hard_to_read.md", 0, kError, "Fernández-Huerta"));
  for (const DocumentSummary& summary : report().documents) {
    if (summary.file.ends_with("hard_to_read.md")) {
      EXPECT_FALSE(summary.readability_ok);
    }
  }
  EXPECT_FALSE(has_problem(report(), "en/few_questions.md", -1, kError, "Flesch-Kincaid"));
}

TEST_F(InvalidLibrary, MappingChecksUseTheCatalogue) {
  // The catalogue's finding has no file named bone_spot.md in either folder.
  EXPECT_TRUE(has_problem(report(), "valid/mappings/finding-catalogue.tsv", 2, kError,
                          "finding 'bone_spot' has no document"));
  // A routine document explaining a finding the catalogue marks sensitive.
  EXPECT_TRUE(has_problem(report(), "en/routine_no_emergency.md", 7, kError,
                          "sensitivity 'routine' differs from the mapping's 'sensitive'"));
}

TEST(LintMappings, JsonFindingsTakePrecedenceOverTheCatalogue) {
  const LintReport report = lint_library(testdata("valid/content"), testdata("mappings_json"));
  EXPECT_TRUE(report.ok()) << dump(report);
  EXPECT_FALSE(has_problem(report, "", -1, kError, "tsv_only"));
  // bone_spot_variant points at bone_spot, which does not list it.
  EXPECT_TRUE(has_problem(report, "en/bone_spot.md", 3, kWarning,
                          "finding 'bone_spot_variant' is mapped to this document but not listed"));
}

TEST(LintMappings, MismatchesAreErrors) {
  const LintReport report = lint_library(testdata("valid/content"), testdata("mappings_mismatch"));
  EXPECT_TRUE(has_problem(report, "en/bone_spot.md", 7, kError,
                          "sensitivity 'sensitive' differs from the mapping's 'routine'"));
  EXPECT_TRUE(has_problem(report, "es/bone_spot.md", 7, kError, "differs from the mapping's"));
  EXPECT_TRUE(has_problem(report, "findings/test.json", 4, kError,
                          "finding 'lonely_finding' has no document"));
  EXPECT_TRUE(has_problem(report, "findings/test.json", 5, kError, "content/es/elsewhere_doc.md"));
}

TEST(LintMappings, DocumentFindingsMustExistInMappings) {
  const LintReport report = lint_library(testdata("valid/content"), testdata("mappings_unknown"));
  EXPECT_TRUE(
      has_problem(report, "en/bone_spot.md", 3, kError, "finding 'bone_spot' is not defined in"));
  EXPECT_TRUE(has_problem(report, "mappings_unknown/finding-catalogue.tsv", 2, kError,
                          "finding 'other_finding' has no document"));
}

TEST(LintMappings, FindingMappedToAnotherDocument) {
  const LintReport report =
      lint_library(testdata("valid/content"), testdata("mappings_wrong_content"));
  EXPECT_TRUE(
      has_problem(report, "en/bone_spot.md", 3, kError,
                  "finding 'bone_spot' is mapped to content 'other_doc', not to this document"));
  EXPECT_TRUE(has_problem(report, "findings/test.json", 3, kError, "content/en/other_doc.md"));
}

TEST(LintMappings, MalformedJsonIsReportedWithItsLine) {
  const LintReport report = lint_library(testdata("valid/content"), testdata("mappings_badjson"));
  EXPECT_TRUE(has_problem(report, "findings/broken.json", 3, kError, "not valid JSON"));
}

TEST(LintMappings, MissingMappingsAreAnError) {
  const LintReport report = lint_library(testdata("valid/content"), testdata("mappings_none"));
  EXPECT_FALSE(report.ok());
  EXPECT_TRUE(has_problem(report, "mappings_none", 0, kError, "no finding ids"));
}

TEST(LintMappings, MissingContentFolderIsAnError) {
  const LintReport report = lint_library(testdata("no-such-folder"), testdata("valid/mappings"));
  EXPECT_FALSE(report.ok());
  EXPECT_TRUE(has_problem(report, "no-such-folder", 0, kError, "cannot read the content folder"));
}

TEST(LintValues, IsoDates) {
  EXPECT_TRUE(is_iso_date("2026-11-25"));
  EXPECT_TRUE(is_iso_date("2024-02-29"));
  EXPECT_FALSE(is_iso_date("2023-02-29"));
  EXPECT_FALSE(is_iso_date("2026-13-01"));
  EXPECT_FALSE(is_iso_date("2026-1-01"));
  EXPECT_FALSE(is_iso_date("26-11-2025"));
  EXPECT_FALSE(is_iso_date(""));
}

TEST(LintValues, SemanticVersions) {
  EXPECT_TRUE(is_semantic_version("1.0.0"));
  EXPECT_TRUE(is_semantic_version("10.20.30"));
  EXPECT_FALSE(is_semantic_version("1.0"));
  EXPECT_FALSE(is_semantic_version("1.0.0.0"));
  EXPECT_FALSE(is_semantic_version("01.0.0"));
  EXPECT_FALSE(is_semantic_version("1.0.x"));
  EXPECT_FALSE(is_semantic_version("1..0"));
}

// The real library is being written in parallel; the lead enables this once it is done.
TEST(LintRealLibrary, ContentAndMappingsAreClean) {
  const LintReport report = lint_library(std::string(EXPLAINER_SOURCE_DIR) + "/content",
                                         std::string(EXPLAINER_SOURCE_DIR) + "/mappings");
  EXPECT_EQ(report.error_count(), 0u) << dump(report);
  EXPECT_GT(report.documents.size(), 0u);
}

}  // namespace
}  // namespace explainer::content
