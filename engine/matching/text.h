// Tokenising and segmenting impression text. Pure functions over the caller's buffers;
// no allocation beyond the vectors handed in (which callers reuse between calls).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace explainer::matching {

enum class TokenKind : std::uint8_t {
  kWord,     // letters/digits; lower-cased ASCII, apostrophes dropped ("Schmorl's" -> "schmorls")
  kNumber,   // digits with an optional decimal part ("1.5")
  kLevel,    // spinal level, canonical form: "L4-5", "L4/5", "L4-L5" -> "l4-l5"; "C7" -> "c7"
  kPeriod,   // '.', '?', '!' — sentence end unless after an abbreviation or an item number
  kClause,   // ';' or ':' — clause end
  kComma,    // ','
  kBracket,  // '(' ')' '[' ']' — breaks phrases, not scope
  kBullet,   // '-', '*' or U+2022 opening a line: starts a new list item
  kOther,    // any other punctuation that should break a phrase ('+', '=', '&', ...)
};

// One token of the original text. `norm_begin/norm_len` index into the normalised
// buffer filled by tokenize(); `begin/end` are byte offsets into the ORIGINAL text.
struct Token {
  std::uint32_t begin = 0;
  std::uint32_t end = 0;
  std::uint32_t norm_begin = 0;
  std::uint32_t norm_len = 0;
  TokenKind kind = TokenKind::kWord;
  bool starts_line = false;       // first token on its line
  bool after_blank_line = false;  // an empty line precedes it
};

inline bool is_wordlike(TokenKind kind) {
  return kind == TokenKind::kWord || kind == TokenKind::kNumber || kind == TokenKind::kLevel;
}

// Splits `text` into tokens. Hyphens, slashes and quotes separate words and are
// not tokens themselves ("non-displaced" == "non displaced", "s/p" == "s p").
// `norm` receives the concatenated normalised token texts. Both outputs are cleared first.
void tokenize(std::string_view text, std::vector<Token>& tokens, std::string& norm);

inline std::string_view token_text(const Token& t, std::string_view norm) {
  return norm.substr(t.norm_begin, t.norm_len);
}

// A run of tokens [first, last) whose assertion scope is closed on both ends.
struct Span {
  std::uint32_t first = 0;
  std::uint32_t last = 0;
};

// Sentences (hard scope boundaries, reported back as "sentence text") and the clauses
// inside them (';' ':' end a clause). Numbered-item markers ("1.", "2)") and bullets
// at the start of a line or sentence start a new sentence and are not part of it.
struct Segmentation {
  std::vector<Span> sentences;
  std::vector<Span> clauses;  // in order; every clause lies inside one sentence
};

void segment(const std::vector<Token>& tokens, std::string_view norm, Segmentation& out);

}  // namespace explainer::matching
