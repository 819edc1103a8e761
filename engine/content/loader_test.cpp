#include "content/loader.h"

#include <gtest/gtest.h>

#include <string>

namespace explainer::content {
namespace {

std::string testdata(const std::string& relative) {
  return std::string(EXPLAINER_SOURCE_DIR) + "/engine/content/testdata/" + relative;
}

// The first error of loading `relative`; fails the test when the file loads.
ContentProblem first_error(const std::string& relative) {
  const LoadResult result = load_document(testdata(relative));
  EXPECT_FALSE(result.ok()) << relative;
  for (const ContentProblem& problem : result.problems) {
    if (problem.is_error()) return problem;
  }
  return {};
}

TEST(Loader, ParsesValidEnglishDocument) {
  const LoadResult result = load_document(testdata("valid/content/en/bone_spot.md"));
  ASSERT_TRUE(result.ok());
  EXPECT_TRUE(result.problems.empty());
  const ContentDocument& d = *result.document;
  EXPECT_EQ(d.content_id, "bone_spot");
  EXPECT_EQ(d.findings, std::vector<std::string>{"bone_spot"});
  EXPECT_EQ(d.language, "en");
  EXPECT_EQ(d.title, "Bone spot (test document)");
  EXPECT_EQ(d.version, "1.2.0");
  EXPECT_EQ(d.sensitivity, Sensitivity::kSensitive);
  EXPECT_EQ(d.review_status, ReviewStatus::kDraft);
  EXPECT_EQ(d.reviewer, "");
  EXPECT_EQ(d.review_date, "");
  EXPECT_EQ(d.last_updated, "2026-11-25");
  ASSERT_EQ(d.sources.size(), 1u);
  EXPECT_EQ(d.source_path, testdata("valid/content/en/bone_spot.md"));
  EXPECT_EQ(d.body_first_line, 15);
  EXPECT_EQ(d.field_lines.at("sources"), 12);

  EXPECT_EQ(d.sections[0].heading, "What this finding usually means");
  EXPECT_EQ(d.sections[0].line, 16);
  EXPECT_EQ(d.sections[0].markdown,
            "A bone spot is a small area that looks different from the bone around it.\n"
            "Many spots are harmless. Some need more tests.");
  EXPECT_EQ(d.sections[5].markdown,
            "- Talk with your care team about the result.\n- Ask what the next test is for.\n"
            "- Bring a friend to the visit if that helps.");
  EXPECT_EQ(d.sections[7].heading, "Key takeaway");
  EXPECT_EQ(d.sections[7].line, 67);

  const Section& questions = d.sections[kQuestionsSection];
  EXPECT_EQ(questions.heading, "Common questions");
  ASSERT_EQ(questions.questions.size(), 5u);
  EXPECT_EQ(questions.questions[0].question, "Is this serious?");
  EXPECT_EQ(questions.questions[0].line, 36);
  EXPECT_EQ(questions.questions[0].answer_markdown,
            "Often it is not. Your care team will look at the whole picture.");
  EXPECT_EQ(questions.questions[2].question, "Can pain improve even if the images don't change?");
  EXPECT_EQ(questions.questions[4].answer_markdown,
            "Most people can keep doing what they do. Ask your care team if you are not sure.");
  // The questions are part of the section's source, headings included.
  EXPECT_NE(questions.markdown.find("### What happens next?"), std::string::npos);
  for (std::size_t s = 0; s < kSectionCount; ++s) {
    EXPECT_TRUE(d.sections[s].questions.empty() || s == kQuestionsSection);
  }
}

TEST(Loader, ParsesValidSpanishDocument) {
  const LoadResult result = load_document(testdata("valid/content/es/bone_spot.md"));
  ASSERT_TRUE(result.ok());
  const ContentDocument& d = *result.document;
  EXPECT_EQ(d.language, "es");
  EXPECT_EQ(d.review_status, ReviewStatus::kApproved);
  EXPECT_EQ(d.reviewer, "Dra. Prueba, radióloga");
  EXPECT_EQ(d.review_date, "2026-11-20");
  EXPECT_EQ(d.sections[1].heading, "Cómo puede afectar al movimiento y a la vida diaria");
  EXPECT_EQ(d.sections[kQuestionsSection].questions.size(), 5u);
  EXPECT_EQ(d.sections[kQuestionsSection].questions[0].question, "¿Es grave?");
}

TEST(Loader, AcceptsBomAndCrlf) {
  const LoadResult original = load_document(testdata("valid/content/en/bone_spot.md"));
  ASSERT_TRUE(original.ok());
  std::string text =
      "\xEF\xBB\xBF---\r\ncontent_id: x\r\nfindings: [x]\r\nlanguage: en\r\n"
      "title: T\r\nversion: 1.0.0\r\nsensitivity: routine\r\nreview_status: draft\r\n"
      "reviewer:\r\nreview_date:\r\nlast_updated: 2026-01-02\r\nsources: [s]\r\n---\r\n";
  for (const Section& section : original.document->sections) {
    text += "## " + section.heading + "\r\n\r\n" + section.markdown + "\r\n\r\n";
  }
  const LoadResult result = parse_document(text, "crlf.md");
  ASSERT_TRUE(result.ok()) << (result.problems.empty() ? "" : result.problems[0].reason);
  EXPECT_EQ(result.document->content_id, "x");
  EXPECT_EQ(result.document->sections[kQuestionsSection].questions.size(), 5u);
  EXPECT_EQ(result.document->sections[0].line, 14);  // 12 header lines + 2 delimiters
}

struct InvalidCase {
  const char* file;
  int line;
  const char* reason;
};

void PrintTo(const InvalidCase& c, std::ostream* os) {
  *os << c.file;
}

class InvalidDocument : public ::testing::TestWithParam<InvalidCase> {};

TEST_P(InvalidDocument, IsRejectedWithFileLineAndReason) {
  const InvalidCase& c = GetParam();
  const ContentProblem problem = first_error(std::string("invalid/en/") + c.file);
  EXPECT_EQ(problem.file, testdata(std::string("invalid/en/") + c.file));
  EXPECT_EQ(problem.line, c.line);
  EXPECT_NE(problem.reason.find(c.reason), std::string::npos) << problem.reason;
}

INSTANTIATE_TEST_SUITE_P(
    Loader, InvalidDocument,
    ::testing::Values(
        InvalidCase{"no_front_matter.md", 1, "must start with a '---' line"},
        InvalidCase{"unclosed_front_matter.md", 1, "not closed"},
        InvalidCase{"bad_yaml.md", 9, "not valid YAML"},
        InvalidCase{"unknown_key.md", 7, "unknown metadata key 'author'"},
        InvalidCase{"missing_key.md", 1, "missing metadata key 'sources'"},
        InvalidCase{"bad_enum.md", 7, "sensitivity 'mild' is not one of"},
        InvalidCase{"sections_out_of_order.md", 29,
                    "section 'What imaging can and cannot tell' is out of order"},
        InvalidCase{"missing_section.md", 0, "missing section 'How common it is'"},
        InvalidCase{"wrong_heading.md", 67, "unknown section heading 'Key takeaways'"},
        InvalidCase{"text_outside.md", 16, "text before the first section"},
        InvalidCase{"question_outside.md", 21, "only allowed inside the 'Common questions'"},
        InvalidCase{"heading_level1.md", 16, "level-1 headings are not allowed"},
        InvalidCase{"question_without_answer.md", 48, "'What happens next?' has no answer"}),
    [](const ::testing::TestParamInfo<InvalidCase>& info) {
      std::string name = info.param.file;
      name = name.substr(0, name.find('.'));
      return name;
    });

TEST(Loader, RejectsWrongTypesAndUnknownLanguage) {
  const LoadResult result = parse_document(
      "---\ncontent_id: [a]\nfindings: x\nlanguage: fr\ntitle: T\nversion: 1.0.0\n"
      "sensitivity: routine\nreview_status: final\nreviewer:\nreview_date:\n"
      "last_updated: 2026-01-01\nsources: [s]\n---\n\n## Qu'est-ce que c'est\n",
      "typed.md");
  ASSERT_FALSE(result.ok());
  std::vector<std::string> reasons;
  for (const auto& p : result.problems) reasons.push_back(std::to_string(p.line) + " " + p.reason);
  EXPECT_EQ(reasons,
            (std::vector<std::string>{
                "2 'content_id' must be a single text value", "3 'findings' must be a list",
                "8 review_status 'final' is not one of draft, approved, retired",
                "4 no section headings are defined for language 'fr'"}));
}

TEST(Loader, UnreadableFileIsAProblem) {
  const LoadResult result = load_document(testdata("does-not-exist.md"));
  ASSERT_FALSE(result.ok());
  ASSERT_EQ(result.problems.size(), 1u);
  EXPECT_EQ(result.problems[0].reason, "cannot read the file");
}

TEST(Problem, FormatsLikeACompiler) {
  EXPECT_EQ(format_problem({ContentProblem::Severity::kError, "a.md", 3, "bad"}),
            "a.md:3: error: bad");
  EXPECT_EQ(format_problem({ContentProblem::Severity::kWarning, "a.md", 0, "meh"}),
            "a.md: warning: meh");
}

}  // namespace
}  // namespace explainer::content
