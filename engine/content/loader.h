// Parses one content document (content/FORMAT.md): YAML front matter via yaml-cpp, body
// via libcmark. The loader checks what is needed to build the model — front matter
// syntax, keys and their types, enum values, and the section structure (eight "## "
// sections in order with the exact headings of the document's language, "### "
// questions only inside "Common questions", nothing outside the sections). Value rules
// that do not affect the model (date and version formats, reviewer required unless
// draft, question count, readability, ids against mappings) belong to lint.h.
//
// Stateless; safe to call from any thread.
#pragma once

#include <filesystem>
#include <optional>
#include <string_view>
#include <vector>

#include "content/document.h"

namespace explainer::content {

struct LoadResult {
  std::optional<ContentDocument> document;  // present iff no problem is an error
  std::vector<ContentProblem> problems;     // errors and warnings, in file order

  bool ok() const { return document.has_value(); }
};

// `source_path` is used in problems and stored in the document; it is not read.
LoadResult parse_document(std::string_view text, std::string_view source_path);

// Reads the file (UTF-8; a leading BOM is ignored) and parses it.
LoadResult load_document(const std::filesystem::path& path);

}  // namespace explainer::content
