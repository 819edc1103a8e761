#include "matching/text.h"

#include <array>

namespace explainer::matching {
namespace {

bool is_ascii_alnum(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}
bool is_digit(unsigned char c) {
  return c >= '0' && c <= '9';
}
char lower(unsigned char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : static_cast<char>(c);
}

// Classification of the (possibly multi-byte) character at `pos`.
enum class CharClass { kSpace, kNewline, kWordChar, kApostrophe, kSeparator, kPunct };

struct CharInfo {
  CharClass cls;
  std::size_t len;
};

CharInfo classify(std::string_view s, std::size_t pos) {
  const auto c = static_cast<unsigned char>(s[pos]);
  if (c == '\n') return {CharClass::kNewline, 1};
  if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v') return {CharClass::kSpace, 1};
  if (is_ascii_alnum(c)) return {CharClass::kWordChar, 1};
  if (c == '\'' || c == '`') return {CharClass::kApostrophe, 1};
  if (c == '-' || c == '/' || c == '\\' || c == '"' || c == '_' || c == '~' || c == '|') {
    return {CharClass::kSeparator, 1};
  }
  if (c < 0x80) return {CharClass::kPunct, 1};
  // UTF-8: a few punctuation code points matter; other non-ASCII bytes are word characters.
  if (c == 0xC2 && pos + 1 < s.size() && static_cast<unsigned char>(s[pos + 1]) == 0xA0) {
    return {CharClass::kSpace, 2};  // no-break space
  }
  if (c == 0xE2 && pos + 2 < s.size() && static_cast<unsigned char>(s[pos + 1]) == 0x80) {
    switch (static_cast<unsigned char>(s[pos + 2])) {
      case 0x90:
      case 0x91:
      case 0x92:
      case 0x93:
      case 0x94:
      case 0x9C:
      case 0x9D:
        return {CharClass::kSeparator, 3};  // hyphens, dashes, double quotes
      case 0x98:
      case 0x99:
        return {CharClass::kApostrophe, 3};
      case 0xA2:
        return {CharClass::kPunct, 3};  // bullet
      default:
        break;
    }
  }
  return {CharClass::kWordChar, 1};
}

bool is_level_letter(unsigned char c) {
  const char l = lower(c);
  return l == 'c' || l == 't' || l == 'l' || l == 's';
}

// Tries to read a spinal level at `pos` ("L4", "L4-5", "L4/L5", "L5–S1"). On success
// writes the canonical form to `out` and returns the length consumed, else 0.
std::size_t read_level(std::string_view s, std::size_t pos, std::string& out) {
  auto digits_at = [&](std::size_t p) {
    std::size_t n = 0;
    while (p + n < s.size() && is_digit(static_cast<unsigned char>(s[p + n])) && n < 3) ++n;
    return n;
  };
  auto word_continues = [&](std::size_t p) {
    return p < s.size() && classify(s, p).cls == CharClass::kWordChar;
  };
  if (!is_level_letter(static_cast<unsigned char>(s[pos]))) return 0;
  const std::size_t d1 = digits_at(pos + 1);
  if (d1 == 0 || d1 > 2) return 0;
  std::size_t end = pos + 1 + d1;
  const char first_letter = lower(static_cast<unsigned char>(s[pos]));
  std::string first = std::string(1, first_letter) + std::string(s.substr(pos + 1, d1));
  // Optional range.
  std::size_t sep_len = 0;
  if (end < s.size()) {
    if (s[end] == '-' || s[end] == '/') {
      sep_len = 1;
    } else if (static_cast<unsigned char>(s[end]) == 0xE2 && end + 2 < s.size() &&
               static_cast<unsigned char>(s[end + 1]) == 0x80 &&
               (static_cast<unsigned char>(s[end + 2]) == 0x93 ||
                static_cast<unsigned char>(s[end + 2]) == 0x90 ||
                static_cast<unsigned char>(s[end + 2]) == 0x91)) {
      sep_len = 3;
    }
  }
  if (sep_len != 0) {
    std::size_t p = end + sep_len;
    char second_letter = first_letter;
    if (p < s.size() && is_level_letter(static_cast<unsigned char>(s[p]))) {
      second_letter = lower(static_cast<unsigned char>(s[p]));
      ++p;
    }
    const std::size_t d2 = digits_at(p);
    if (d2 > 0 && d2 <= 2 && !word_continues(p + d2)) {
      out = first + "-" + std::string(1, second_letter) + std::string(s.substr(p, d2));
      return p + d2 - pos;
    }
  }
  if (word_continues(end)) return 0;
  out = first;
  return end - pos;
}

}  // namespace

void tokenize(std::string_view text, std::vector<Token>& tokens, std::string& norm) {
  tokens.clear();
  // Normalised text is never longer than 1.25x the input (+1 per level token); write
  // through a raw pointer into a buffer sized once, and trim at the end.
  norm.resize(text.size() * 2 + 16);
  char* const out_base = norm.data();
  std::size_t w = 0;
  bool at_line_start = true;
  int newlines_since_token = 0;
  bool seen_token = false;
  std::string level;
  std::size_t i = 0;
  auto push = [&](std::size_t begin, std::size_t end, std::size_t norm_begin, TokenKind kind) {
    Token t;
    t.begin = static_cast<std::uint32_t>(begin);
    t.end = static_cast<std::uint32_t>(end);
    t.norm_begin = static_cast<std::uint32_t>(norm_begin);
    t.norm_len = static_cast<std::uint32_t>(w - norm_begin);
    t.kind = kind;
    t.starts_line = at_line_start;
    t.after_blank_line = seen_token && newlines_since_token >= 2;
    tokens.push_back(t);
    at_line_start = false;
    newlines_since_token = 0;
    seen_token = true;
  };
  while (i < text.size()) {
    const CharInfo ci = classify(text, i);
    switch (ci.cls) {
      case CharClass::kNewline:
        at_line_start = true;
        ++newlines_since_token;
        i += ci.len;
        continue;
      case CharClass::kSpace:
      case CharClass::kApostrophe:
        i += ci.len;
        continue;
      case CharClass::kSeparator:
        // A dash opening a line is a bullet: it starts a new list item.
        if (at_line_start && text[i] == '-') {
          const std::size_t nb = w;
          out_base[w++] = '-';
          push(i, i + 1, nb, TokenKind::kBullet);
        }
        i += ci.len;
        continue;
      case CharClass::kPunct: {
        const std::size_t nb = w;
        TokenKind kind = TokenKind::kOther;
        const char c = text[i];
        if (ci.len > 1) {  // U+2022 bullet
          out_base[w++] = '-';
          kind = TokenKind::kBullet;
        } else if (c == '.' || c == '?' || c == '!') {
          out_base[w++] = c;
          kind = TokenKind::kPeriod;
        } else if (c == ';' || c == ':') {
          out_base[w++] = c;
          kind = TokenKind::kClause;
        } else if (c == ',') {
          out_base[w++] = c;
          kind = TokenKind::kComma;
        } else if (c == '(' || c == ')' || c == '[' || c == ']' || c == '{' || c == '}') {
          out_base[w++] = c;
          kind = TokenKind::kBracket;
        } else if (c == '*' && at_line_start) {
          out_base[w++] = '-';
          kind = TokenKind::kBullet;
        } else {
          out_base[w++] = c;
        }
        push(i, i + ci.len, nb, kind);
        i += ci.len;
        continue;
      }
      case CharClass::kWordChar:
        break;
    }
    // Word, number or level.
    if (const std::size_t n = read_level(text, i, level); n != 0) {
      const std::size_t nb = w;
      for (const char c : level) out_base[w++] = c;
      push(i, i + n, nb, TokenKind::kLevel);
      i += n;
      continue;
    }
    const std::size_t begin = i;
    const std::size_t nb = w;
    bool all_digits = true;
    std::size_t end = i;
    while (end < text.size()) {
      const auto c = static_cast<unsigned char>(text[end]);
      if (c < 0x80 && is_ascii_alnum(c)) {  // fast path
        if (!is_digit(c)) all_digits = false;
        out_base[w++] = lower(c);
        ++end;
        continue;
      }
      const CharInfo wc = classify(text, end);
      if (wc.cls == CharClass::kWordChar) {
        all_digits = false;
        for (std::size_t k = 0; k < wc.len; ++k) out_base[w++] = text[end + k];
        end += wc.len;
        continue;
      }
      if (wc.cls == CharClass::kApostrophe && end + wc.len < text.size() &&
          classify(text, end + wc.len).cls == CharClass::kWordChar) {
        end += wc.len;  // inner apostrophe: dropped
        continue;
      }
      if (all_digits && text[end] == '.' && end + 1 < text.size() &&
          is_digit(static_cast<unsigned char>(text[end + 1]))) {
        out_base[w++] = '.';
        ++end;
        continue;
      }
      break;
    }
    push(begin, end, nb, all_digits ? TokenKind::kNumber : TokenKind::kWord);
    i = end;
  }
  norm.resize(w);
}

namespace {

bool is_abbreviation(std::string_view word) {
  static constexpr std::array<std::string_view, 9> kAbbrev = {"vs", "approx", "cf", "fig", "e",
                                                              "i",  "g",      "dr", "st"};
  for (auto a : kAbbrev) {
    if (a == word) return true;
  }
  return false;
}

bool is_integer_token(const Token& t, std::string_view norm) {
  if (t.kind != TokenKind::kNumber) return false;
  const auto text = token_text(t, norm);
  return text.size() <= 2 && text.find('.') == std::string_view::npos;
}

}  // namespace

void segment(const std::vector<Token>& tokens, std::string_view norm, Segmentation& out) {
  out.sentences.clear();
  out.clauses.clear();
  const auto n = static_cast<std::uint32_t>(tokens.size());
  std::uint32_t sentence_first = 0;
  std::uint32_t clause_first = 0;
  auto close_clause = [&](std::uint32_t last) {
    if (last > clause_first) out.clauses.push_back({clause_first, last});
    clause_first = last;
  };
  auto close_sentence = [&](std::uint32_t last) {
    close_clause(last);
    if (last > sentence_first) out.sentences.push_back({sentence_first, last});
    sentence_first = last;
    clause_first = last;
  };
  std::uint32_t i = 0;
  while (i < n) {
    const Token& t = tokens[i];
    const bool at_sentence_start = (i == sentence_first);
    if (i != sentence_first && (t.after_blank_line)) close_sentence(i);
    // Numbered item marker: "1." or "2)" opening a line or a sentence.
    if ((t.starts_line || at_sentence_start) && is_integer_token(t, norm) && i + 1 < n) {
      const Token& next = tokens[i + 1];
      const auto next_text = token_text(next, norm);
      if ((next.kind == TokenKind::kPeriod && next_text == ".") ||
          (next.kind == TokenKind::kBracket && next_text == ")")) {
        close_sentence(i);
        i += 2;
        sentence_first = clause_first = i;
        continue;
      }
    }
    if (t.kind == TokenKind::kBullet) {
      close_sentence(i);
      ++i;
      sentence_first = clause_first = i;
      continue;
    }
    if (t.kind == TokenKind::kPeriod) {
      const bool abbreviation = token_text(t, norm) == "." && i > sentence_first &&
                                tokens[i - 1].kind == TokenKind::kWord &&
                                tokens[i - 1].end == t.begin &&
                                is_abbreviation(token_text(tokens[i - 1], norm));
      if (!abbreviation) {
        close_sentence(i + 1);
      }
    } else if (t.kind == TokenKind::kClause) {
      close_clause(i + 1);
    } else if (t.starts_line && i != sentence_first && i > 0 &&
               tokens[i - 1].kind == TokenKind::kClause) {
      // "IMPRESSION:" heading followed by text on the next line.
      close_sentence(i);
    }
    ++i;
  }
  close_sentence(n);
}

}  // namespace explainer::matching
