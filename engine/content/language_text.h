// Fixed per-language text of the content format (FORMAT.md) and of our renderings.
#pragma once

#include <array>
#include <string>
#include <string_view>
#include <vector>

#include "content/document.h"

namespace explainer::content {

struct LanguageText {
  std::string_view language;  // ISO 639-1
  std::array<std::string_view, kSectionCount> section_headings;
  std::string_view emergency_marker;  // a sentence in section 7 starts with it
  std::string_view draft_note;        // shown in every rendering of a draft document
};

// Null when the format defines no headings for `language`.
const LanguageText* find_language_text(std::string_view language);

// The languages the format defines ("en", "es").
std::vector<std::string> known_languages();

}  // namespace explainer::content
