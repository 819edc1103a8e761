// Readability measurement for patient content, in our own C++ (no dictionary):
// sentence splitting, word counting, heuristic syllable counting for English and
// orthographic syllable counting for Spanish, and the Flesch-Kincaid, Flesch Reading
// Ease, SMOG, Fernández-Huerta and Szigriszt-Pazos (INFLESZ) formulas.
// See engine/content/README.md for the method and its known limits.
//
// Pure functions; safe to call from any thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "content/document.h"

namespace explainer::content {

enum class TextLanguage { kEnglish, kSpanish };

// "en" -> English, "es" -> Spanish (region subtags ignored); nullopt otherwise.
std::optional<TextLanguage> text_language(std::string_view iso_code);

// Syllables of one word (UTF-8). Apostrophes are ignored ("don't" == "dont"); a token
// made of several letter or digit runs ("follow-up", "L4-L5") is the sum of its runs;
// a run of 1-5 capital letters is an initialism read letter by letter ("MRI" = 3); a
// run of digits counts one syllable per digit. Returns at least 1 for any token that
// has a letter or digit, else 0.
int count_syllables(std::string_view word, TextLanguage language);

// Sentences of a text. A sentence ends at '.', '!', '?' or '…' followed by whitespace,
// a closing quote or bracket, or the end of the text; and at every line break (callers
// put each paragraph or list item on its own line, so an item without final punctuation
// still counts as a sentence). A '.' does not end a sentence after a known abbreviation
// ("e.g.", "Dr.", "p. ej.", ...) or a single letter, or when the next word starts with
// a lower-case letter. Segments without any word are dropped.
std::vector<std::string> split_sentences(std::string_view text);

// Words of a text: whitespace-, slash- and dash-separated tokens that contain a letter
// or digit, with leading and trailing punctuation removed ("follow-up" is one word).
std::vector<std::string> split_words(std::string_view text);

struct TextCounts {
  int sentences = 0;
  int words = 0;
  int syllables = 0;
  int polysyllables = 0;  // words of three or more syllables (for SMOG)
};

TextCounts count_text(std::string_view text, TextLanguage language);

// All scores are computed from the counts whatever the language; use the ones that fit
// (English: fk_grade, flesch_reading_ease, smog; Spanish: fernandez_huerta,
// szigriszt_pazos). Scores are 0 when valid is false (no words or no sentences).
struct ReadabilityScores {
  TextCounts counts;
  bool valid = false;
  double fk_grade = 0;             // 0.39 w/s + 11.8 syl/w - 15.59
  double flesch_reading_ease = 0;  // 206.835 - 1.015 w/s - 84.6 syl/w
  double smog = 0;                 // 1.0430 sqrt(poly * 30 / s) + 3.1291
  // 206.84 - 0.60 P - 1.02 F with P = syllables per 100 words and F = words per sentence
  // (Law's 2011 correction of the published F = "sentences per 100 words"; see README).
  double fernandez_huerta = 0;
  // The formula exactly as first published (F = sentences per 100 words), for comparison.
  double fernandez_huerta_as_published = 0;
  double szigriszt_pazos = 0;  // INFLESZ: 206.835 - 62.3 syl/w - w/s
};

ReadabilityScores score(const TextCounts& counts);
ReadabilityScores measure_text(std::string_view text, TextLanguage language);

// Readability of a document's body prose: every paragraph and list item of the eight
// sections, one per line; all headings (section and question headings) are left out.
// English when the document's language is not Spanish.
ReadabilityScores measure_document(const ContentDocument& document);
std::string document_prose(const ContentDocument& document);

}  // namespace explainer::content
