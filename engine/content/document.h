// The in-memory model of one content document (content/FORMAT.md, version 1) and the
// problem type shared by the loader, the library and the linter.
//
// ContentDocument is a plain value: copy or move freely. Documents inside a
// ContentLibrary snapshot are immutable and shared between threads.
#pragma once

#include <array>
#include <cstddef>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace explainer::content {

enum class Sensitivity { kRoutine, kFollowUp, kSensitive };
enum class ReviewStatus { kDraft, kApproved, kRetired };

// "routine" | "follow-up" | "sensitive"; "draft" | "approved" | "retired".
const char* to_string(Sensitivity value);
const char* to_string(ReviewStatus value);
std::optional<Sensitivity> parse_sensitivity(std::string_view text);
std::optional<ReviewStatus> parse_review_status(std::string_view text);

// One "### question" of the "Common questions" section and the Markdown that answers it.
struct Question {
  std::string question;         // heading text, inline Markdown flattened to plain text
  std::string answer_markdown;  // source lines up to the next question or section
  int line = 0;                 // 1-based line of the heading in the file
};

// The eight sections, in file order (FORMAT.md "Sections").
inline constexpr std::size_t kSectionCount = 8;
inline constexpr std::size_t kQuestionsSection = 4;  // 0-based index of "Common questions"
inline constexpr std::size_t kCareSection = 6;       // 0-based index of "When to seek medical care"

struct Section {
  std::string heading;   // exact heading text for the document's language
  std::string markdown;  // source lines after the heading up to the next section (trimmed)
  int line = 0;          // 1-based line of the "## " heading in the file
  std::vector<Question> questions;  // filled for the "Common questions" section only
};

struct ContentDocument {
  std::string content_id;
  std::vector<std::string> findings;
  std::string language;  // ISO 639-1, e.g. "en"
  std::string title;
  std::string version;  // as written; lint checks x.y.z
  Sensitivity sensitivity = Sensitivity::kRoutine;
  ReviewStatus review_status = ReviewStatus::kDraft;
  std::string reviewer;      // may be empty for drafts
  std::string review_date;   // YYYY-MM-DD as written; may be empty for drafts
  std::string last_updated;  // YYYY-MM-DD as written
  std::vector<std::string> sources;
  std::array<Section, kSectionCount> sections;
  std::string body_markdown;  // everything after the front matter, as written
  int body_first_line = 1;    // 1-based file line of body_markdown's first line
  std::string source_path;    // the file it was loaded from (empty when parsed from text)
  // 1-based file line of each front-matter key that was present, for problem reports.
  std::map<std::string, int, std::less<>> field_lines;
};

// One problem found while loading or linting. `line` is 1-based; 0 means "whole file".
struct ContentProblem {
  enum class Severity { kError, kWarning };
  Severity severity = Severity::kError;
  std::string file;
  int line = 0;
  std::string reason;

  bool is_error() const { return severity == Severity::kError; }
};

// "file:line: error: reason" (or "file: warning: reason" when the line is unknown).
std::string format_problem(const ContentProblem& problem);

}  // namespace explainer::content
