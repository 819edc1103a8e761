#include "content/document.h"

namespace explainer::content {

const char* to_string(Sensitivity value) {
  switch (value) {
    case Sensitivity::kRoutine:
      return "routine";
    case Sensitivity::kFollowUp:
      return "follow-up";
    case Sensitivity::kSensitive:
      return "sensitive";
  }
  return "routine";
}

const char* to_string(ReviewStatus value) {
  switch (value) {
    case ReviewStatus::kDraft:
      return "draft";
    case ReviewStatus::kApproved:
      return "approved";
    case ReviewStatus::kRetired:
      return "retired";
  }
  return "draft";
}

std::optional<Sensitivity> parse_sensitivity(std::string_view text) {
  if (text == "routine") return Sensitivity::kRoutine;
  if (text == "follow-up") return Sensitivity::kFollowUp;
  if (text == "sensitive") return Sensitivity::kSensitive;
  return std::nullopt;
}

std::optional<ReviewStatus> parse_review_status(std::string_view text) {
  if (text == "draft") return ReviewStatus::kDraft;
  if (text == "approved") return ReviewStatus::kApproved;
  if (text == "retired") return ReviewStatus::kRetired;
  return std::nullopt;
}

std::string format_problem(const ContentProblem& problem) {
  std::string out = problem.file;
  if (problem.line > 0) out += ":" + std::to_string(problem.line);
  out += problem.is_error() ? ": error: " : ": warning: ";
  out += problem.reason;
  return out;
}

}  // namespace explainer::content
