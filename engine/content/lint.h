// `explainer content lint`: checks every document of a content folder against
// content/FORMAT.md and against the finding ids in mappings/.
//
// Errors (fail the lint): anything the loader rejects (see loader.h); content_id not
// equal to the file name or not [a-z0-9_]+; language not equal to the folder; empty
// title or findings; version not x.y.z; last_updated (and, unless draft, review_date)
// not a real YYYY-MM-DD date; reviewer missing unless draft; no sources; an empty
// section; fewer than 5 questions; raw HTML or images in the Markdown; a FHIR narrative
// rendering that is not well-formed XML (cannot happen by construction; a guard); a sensitive
// document whose "When to seek medical care" section has no sentence starting with the
// emergency marker; English Flesch-Kincaid grade > 8.0 or Spanish Fernández-Huerta < 60;
// a finding id of a document missing from mappings, mapped to another content_id, or
// with a different sensitivity; a mapped finding without a document in some language.
//
// Warnings (reported, do not fail): no emergency sentence in a routine or follow-up
// document (fine only when the finding has no urgent warning signs); a "Key takeaway"
// that is not two or three sentences; a mapped finding that points at a document that
// does not list it in `findings`.
//
// Stateless; safe to call from any thread.
#pragma once

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "content/document.h"
#include "content/readability.h"

namespace explainer::content {

inline constexpr double kMaxEnglishGrade = 8.0;             // Flesch-Kincaid grade
inline constexpr double kMinSpanishFernandezHuerta = 60.0;  // INFLESZ "normal" or easier
inline constexpr std::size_t kMinQuestions = 5;

// One row per file found, whether or not it loaded.
struct DocumentSummary {
  std::string file;
  std::string content_id;  // file name without .md when the document did not load
  std::string language;    // folder name when the document did not load
  std::string version;
  std::optional<ReviewStatus> review_status;  // nullopt when the document did not load
  bool loaded = false;
  ReadabilityScores readability;
  bool readability_ok = false;  // meets the gate of its language
};

struct LintReport {
  std::vector<ContentProblem> problems;  // per file in folder order, then mapping checks
  std::vector<DocumentSummary> documents;

  std::size_t error_count() const;
  std::size_t warning_count() const;
  bool ok() const { return error_count() == 0; }
};

LintReport lint_library(const std::filesystem::path& content_dir,
                        const std::filesystem::path& mappings_dir);

// The per-document checks above that need no mappings. `expected_content_id` is the
// file name without .md, `folder_language` the name of the folder it is in.
std::vector<ContentProblem> lint_document(const ContentDocument& document,
                                          std::string_view expected_content_id,
                                          std::string_view folder_language);

// True when `scores` meets the readability gate for `language` ("en", "es"); languages
// without a gate pass.
bool meets_readability_gate(const ReadabilityScores& scores, std::string_view language);

// True for a real calendar date written YYYY-MM-DD.
bool is_iso_date(std::string_view text);
// True for "x.y.z" with non-negative decimal integers without leading zeros.
bool is_semantic_version(std::string_view text);

}  // namespace explainer::content
