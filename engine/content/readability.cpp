#include "content/readability.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <string_view>
#include <unordered_map>

#include "content/markdown.h"

namespace explainer::content {
namespace {

// ---- UTF-8 -----------------------------------------------------------------------

// Decodes UTF-8; malformed bytes become U+FFFD one byte at a time.
std::u32string decode_utf8(std::string_view text) {
  std::u32string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    const auto byte = static_cast<unsigned char>(text[i]);
    int length = byte < 0x80           ? 1
                 : (byte >> 5) == 0x6  ? 2
                 : (byte >> 4) == 0xE  ? 3
                 : (byte >> 3) == 0x1E ? 4
                                       : 0;
    if (length == 0 || i + static_cast<std::size_t>(length) > text.size()) {
      out.push_back(0xFFFD);
      ++i;
      continue;
    }
    char32_t cp = length == 1   ? byte
                  : length == 2 ? (byte & 0x1F)
                  : length == 3 ? (byte & 0x0F)
                                : (byte & 0x07);
    bool valid = true;
    for (int k = 1; k < length; ++k) {
      const auto next = static_cast<unsigned char>(text[i + static_cast<std::size_t>(k)]);
      if ((next & 0xC0) != 0x80) valid = false;
      cp = (cp << 6) | (next & 0x3F);
    }
    if (!valid) {
      out.push_back(0xFFFD);
      ++i;
      continue;
    }
    out.push_back(cp);
    i += static_cast<std::size_t>(length);
  }
  return out;
}

void append_utf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

std::string encode_utf8(std::u32string_view text) {
  std::string out;
  for (char32_t cp : text) append_utf8(out, cp);
  return out;
}

// Letters of the scripts our content uses: ASCII and Latin-1/Latin Extended-A letters.
bool is_letter(char32_t cp) {
  if (cp < 0x80) return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z');
  return cp >= 0xC0 && cp <= 0x17F && cp != 0xD7 && cp != 0xF7;
}
bool is_digit(char32_t cp) {
  return cp >= '0' && cp <= '9';
}
bool is_upper(char32_t cp) {
  return (cp >= 'A' && cp <= 'Z') || (cp >= 0xC0 && cp <= 0xDE && cp != 0xD7);
}
bool is_lower(char32_t cp) {
  return is_letter(cp) && !is_upper(cp);
}
bool is_apostrophe(char32_t cp) {
  return cp == '\'' || cp == 0x2019;
}
bool is_space(char32_t cp) {
  return cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' || cp == '\f' || cp == '\v' ||
         cp == 0xA0 || cp == 0x2009 || cp == 0x202F;
}
char32_t to_lower(char32_t cp) {
  if (cp >= 'A' && cp <= 'Z') return cp + 32;
  if (cp >= 0xC0 && cp <= 0xDE && cp != 0xD7) return cp + 32;
  return cp;
}

// ---- English syllables -------------------------------------------------------------

// Words the heuristic gets wrong and that patient content uses; counts follow the
// CMU Pronouncing Dictionary's first pronunciation (counted by hand, not copied in bulk).
const std::unordered_map<std::string_view, int>& english_exceptions() {
  static const std::unordered_map<std::string_view, int> table{
      {"area", 3},       {"idea", 3},      {"create", 2},  {"created", 3},    {"creating", 3},
      {"real", 1},       {"science", 2},   {"diet", 2},    {"quiet", 2},      {"client", 2},
      {"society", 4},    {"anxiety", 4},   {"variety", 4}, {"someone", 2},    {"something", 2},
      {"sometimes", 2},  {"somewhere", 2}, {"anyone", 3},  {"fluid", 2},      {"ache", 1},
      {"lifestyle", 2},  {"therefore", 2}, {"maybe", 2},   {"experience", 4}, {"osteoarthritis", 6},
      {"everything", 3}, {"everyday", 3},  {"whereas", 2}, {"guideline", 2},  {"colleague", 2},
  };
  return table;
}

bool is_aeiou(char c) {
  return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u';
}

// `w` is lower-case ASCII letters.
int english_word_syllables(const std::string& w) {
  const auto& exceptions = english_exceptions();
  if (auto it = exceptions.find(w); it != exceptions.end()) return it->second;
  if (w.size() > 3 && w.back() == 's') {
    if (auto it = exceptions.find(std::string_view(w).substr(0, w.size() - 1));
        it != exceptions.end()) {
      return it->second;
    }
  }
  const std::size_t n = w.size();
  // 'y' is a vowel unless it starts the word or precedes a vowel ("yes", "beyond").
  auto vowel = [&](std::size_t i) {
    if (i >= n) return false;
    if (is_aeiou(w[i])) return true;
    return w[i] == 'y' && i > 0 && !(i + 1 < n && is_aeiou(w[i + 1]));
  };
  auto consonant = [&](std::size_t i) { return i < n && !vowel(i); };
  auto ends_with = [&](std::string_view suffix) {
    return n >= suffix.size() && std::string_view(w).substr(n - suffix.size()) == suffix;
  };

  int count = 0;
  for (std::size_t i = 0; i < n; ++i) {
    if (vowel(i) && (i == 0 || !vowel(i - 1))) ++count;
  }
  // Vowel pairs usually spoken as two syllables.
  for (std::size_t i = 0; i + 1 < n; ++i) {
    if (!vowel(i) || !vowel(i + 1)) continue;
    const char a = w[i], b = w[i + 1];
    const char before = i > 0 ? w[i - 1] : ' ';
    const bool split =
        (a == 'i' && b == 'a' && before != 'c' && before != 't' && before != 's') ||  // media
        (a == 'i' && b == 'o' && before != 'c' && before != 't' && before != 's' && before != 'x' &&
         before != 'g') ||                                                           // radio
        (a == 'i' && b == 'u') ||                                                    // calcium
        (a == 'u' && b == 'a' && before != 'q' && before != 'g') ||                  // usual
        (a == 'u' && b == 'o' && before != 'q') ||                                   // continuous
        (a == 'e' && b == 'o' && !(before == 'p' && i + 2 < n && w[i + 2] == 'p'));  // video
    if (split) ++count;
  }
  // "-ing" after a vowel: being, doing, going.
  if (n > 4 && ends_with("ing") && is_aeiou(w[n - 4])) ++count;
  // Silent endings.
  auto consonant_le_at = [&](std::size_t l) {  // "-le" after a consonant keeps its syllable
    return l >= 1 && w[l] == 'l' && consonant(l - 1);
  };
  if (count > 1 && n >= 3 && w[n - 1] == 'e' && consonant(n - 2) && !consonant_le_at(n - 2)) {
    --count;  // make, whole (but table, little)
  }
  if (count > 1 && n >= 4 && ends_with("es") && consonant(n - 3)) {
    const char c = w[n - 3];
    const bool sibilant = c == 's' || c == 'x' || c == 'z' || c == 'c' || c == 'g' || c == 'h';
    if (!sibilant && !consonant_le_at(n - 3)) --count;  // makes, lines (but boxes, tables)
  }
  if (count > 1 && n >= 4 && ends_with("ed") && consonant(n - 3) && w[n - 3] != 't' &&
      w[n - 3] != 'd') {
    --count;  // used, called (but needed, treated)
  }
  // Silent 'e' before a suffix: likely, movement, careful, useless, wholeness.
  for (std::string_view suffix : {"ly", "ment", "ness", "ful", "less"}) {
    if (!ends_with(suffix)) continue;
    if (n < suffix.size() + 3) break;
    const std::size_t e = n - suffix.size() - 1;
    if (count > 1 && w[e] == 'e' && consonant(e - 1) && !consonant_le_at(e - 1)) --count;
    break;
  }
  return std::max(count, 1);
}

// ---- Spanish syllables -------------------------------------------------------------

bool es_strong(char32_t c) {
  return c == 'a' || c == 'e' || c == 'o' || c == U'á' || c == U'é' || c == U'ó';
}
bool es_accented_weak(char32_t c) {
  return c == U'í' || c == U'ú';
}
bool es_weak(char32_t c) {
  return c == 'i' || c == 'u' || c == U'ü' || c == 'y';
}

// `w` is lower-case. Counts vowel nuclei: a run of vowels is one nucleus except where
// two neighbours form a hiatus (two strong vowels, or an accented í/ú next to any vowel,
// or a doubled weak vowel). 'h' is treated as a consonant; 'y' is a vowel only when no
// vowel follows it ("muy", "y", but "ya", "mayo").
int spanish_word_syllables(const std::u32string& w) {
  const std::size_t n = w.size();
  auto vowel = [&](std::size_t i) {
    const char32_t c = w[i];
    if (c == 'y') {
      return !(i + 1 < n && (es_strong(w[i + 1]) || es_accented_weak(w[i + 1]) ||
                             (es_weak(w[i + 1]) && w[i + 1] != 'y')));
    }
    return es_strong(c) || es_accented_weak(c) || es_weak(c);
  };
  int count = 0;
  for (std::size_t i = 0; i < n; ++i) {
    if (!vowel(i)) continue;
    if (i == 0 || !vowel(i - 1)) {
      ++count;
      continue;
    }
    const char32_t a = w[i - 1], b = w[i];
    const bool hiatus = (es_strong(a) && es_strong(b)) || es_accented_weak(a) ||
                        es_accented_weak(b) || (es_weak(a) && a == b);
    if (hiatus) ++count;
  }
  return std::max(count, 1);
}

int letter_run_syllables(const std::u32string& run, TextLanguage language) {
  // Initialisms: "MRI", "CT", "ACL", "RM", "TC" are read letter by letter.
  const bool all_upper = std::all_of(run.begin(), run.end(), is_upper);
  if (all_upper && run.size() >= 2 && run.size() <= 5) return static_cast<int>(run.size());
  std::u32string lower;
  for (char32_t c : run) lower.push_back(to_lower(c));
  if (language == TextLanguage::kSpanish) return spanish_word_syllables(lower);
  std::string ascii;
  for (char32_t c : lower) {
    switch (c) {  // fold accented vowels (café, naïve) to their base letter
      case U'à':
      case U'á':
      case U'â':
      case U'ä':
        ascii.push_back('a');
        break;
      case U'è':
      case U'é':
      case U'ê':
      case U'ë':
        ascii.push_back('e');
        break;
      case U'ì':
      case U'í':
      case U'î':
      case U'ï':
        ascii.push_back('i');
        break;
      case U'ò':
      case U'ó':
      case U'ô':
      case U'ö':
        ascii.push_back('o');
        break;
      case U'ù':
      case U'ú':
      case U'û':
      case U'ü':
        ascii.push_back('u');
        break;
      default:
        ascii.push_back(c < 0x80 ? static_cast<char>(c) : 'x');
        break;
    }
  }
  return english_word_syllables(ascii);
}

// ---- Sentences and words -------------------------------------------------------------

bool is_closing(char32_t cp) {
  return cp == '"' || cp == '\'' || cp == ')' || cp == ']' || cp == 0x201D || cp == 0x2019 ||
         cp == 0xBB || cp == '*' || cp == '_';
}

bool is_abbreviation(std::u32string_view token) {
  static const std::array<std::u32string_view, 17> kAbbreviations{
      U"e.g",   U"i.e", U"dr",  U"dra", U"mr",  U"mrs", U"ms",  U"vs", U"approx",
      U"aprox", U"sr",  U"sra", U"ej",  U"núm", U"pág", U"fig", U"jr"};
  std::u32string lower;
  for (char32_t c : token) lower.push_back(to_lower(c));
  if (lower.size() == 1 && is_letter(lower[0])) return true;  // initials, "p."
  return std::find(kAbbreviations.begin(), kAbbreviations.end(), lower) != kAbbreviations.end();
}

bool has_word_character(std::u32string_view token) {
  return std::any_of(token.begin(), token.end(),
                     [](char32_t c) { return is_letter(c) || is_digit(c); });
}

bool is_word_separator(char32_t cp) {
  return is_space(cp) || cp == '/' || cp == 0x2013 || cp == 0x2014 || cp == 0x2026;
}

}  // namespace

std::optional<TextLanguage> text_language(std::string_view iso_code) {
  const std::string_view primary = iso_code.substr(0, iso_code.find_first_of("-_"));
  if (primary == "en" || primary == "EN") return TextLanguage::kEnglish;
  if (primary == "es" || primary == "ES") return TextLanguage::kSpanish;
  return std::nullopt;
}

int count_syllables(std::string_view word, TextLanguage language) {
  const std::u32string cps = decode_utf8(word);
  int total = 0;
  std::u32string letters;
  auto flush_letters = [&] {
    if (!letters.empty()) total += letter_run_syllables(letters, language);
    letters.clear();
  };
  for (char32_t cp : cps) {
    if (is_letter(cp)) {
      letters.push_back(cp);
    } else if (is_apostrophe(cp) && !letters.empty()) {
      continue;  // "don't" is read as one run
    } else {
      flush_letters();
      if (is_digit(cp)) ++total;
    }
  }
  flush_letters();
  return total;
}

std::vector<std::string> split_sentences(std::string_view text) {
  const std::u32string cps = decode_utf8(text);
  std::vector<std::string> sentences;
  std::u32string current;
  auto flush = [&] {
    if (has_word_character(current)) {
      std::string sentence(markdown::trim(encode_utf8(current)));
      sentences.push_back(std::move(sentence));
    }
    current.clear();
  };
  const std::size_t n = cps.size();
  for (std::size_t i = 0; i < n; ++i) {
    const char32_t cp = cps[i];
    if (cp == '\n') {
      flush();
      continue;
    }
    current.push_back(cp);
    if (cp != '.' && cp != '!' && cp != '?' && cp != 0x2026) continue;
    // Absorb a run of terminators and closing marks: "?!", "...", ".)".
    std::size_t j = i + 1;
    while (j < n && (cps[j] == '.' || cps[j] == '!' || cps[j] == '?' || cps[j] == 0x2026 ||
                     is_closing(cps[j]))) {
      current.push_back(cps[j]);
      ++j;
    }
    if (j < n && !is_space(cps[j])) {  // "3.5", "e.g.," — not an end
      i = j - 1;
      continue;
    }
    if (cp == '.' && j == i + 1) {
      // Single period: check the token before it and the word after it.
      std::size_t start = current.size() - 1;
      while (start > 0 && !is_space(current[start - 1])) --start;
      std::u32string_view token(current.data() + start, current.size() - 1 - start);
      while (!token.empty() && !is_letter(token.front()) && !is_digit(token.front())) {
        token.remove_prefix(1);
      }
      std::size_t k = j;
      while (k < n && is_space(cps[k]) && cps[k] != '\n') ++k;
      const bool next_lower = k < n && is_lower(cps[k]);
      if (is_abbreviation(token) || next_lower) {
        i = j - 1;
        continue;
      }
    }
    i = j - 1;
    flush();
  }
  flush();
  return sentences;
}

std::vector<std::string> split_words(std::string_view text) {
  const std::u32string cps = decode_utf8(text);
  std::vector<std::string> words;
  std::size_t i = 0;
  const std::size_t n = cps.size();
  while (i < n) {
    while (i < n && is_word_separator(cps[i])) ++i;
    std::size_t j = i;
    while (j < n && !is_word_separator(cps[j])) ++j;
    std::size_t begin = i, end = j;
    while (begin < end && !is_letter(cps[begin]) && !is_digit(cps[begin])) ++begin;
    while (end > begin && !is_letter(cps[end - 1]) && !is_digit(cps[end - 1])) --end;
    if (begin < end)
      words.push_back(encode_utf8(std::u32string_view(cps).substr(begin, end - begin)));
    i = j;
  }
  return words;
}

TextCounts count_text(std::string_view text, TextLanguage language) {
  TextCounts counts;
  for (const std::string& sentence : split_sentences(text)) {
    const std::vector<std::string> words = split_words(sentence);
    if (words.empty()) continue;
    ++counts.sentences;
    for (const std::string& word : words) {
      const int syllables = count_syllables(word, language);
      ++counts.words;
      counts.syllables += syllables;
      if (syllables >= 3) ++counts.polysyllables;
    }
  }
  return counts;
}

ReadabilityScores score(const TextCounts& counts) {
  ReadabilityScores scores;
  scores.counts = counts;
  if (counts.words == 0 || counts.sentences == 0) return scores;
  scores.valid = true;
  const double words = counts.words;
  const double sentences = counts.sentences;
  const double words_per_sentence = words / sentences;
  const double syllables_per_word = counts.syllables / words;
  scores.fk_grade = 0.39 * words_per_sentence + 11.8 * syllables_per_word - 15.59;
  scores.flesch_reading_ease = 206.835 - 1.015 * words_per_sentence - 84.6 * syllables_per_word;
  scores.smog = 1.0430 * std::sqrt(counts.polysyllables * 30.0 / sentences) + 3.1291;
  const double syllables_per_100_words = 100.0 * syllables_per_word;
  scores.fernandez_huerta = 206.84 - 0.60 * syllables_per_100_words - 1.02 * words_per_sentence;
  scores.fernandez_huerta_as_published =
      206.84 - 0.60 * syllables_per_100_words - 1.02 * (100.0 * sentences / words);
  scores.szigriszt_pazos = 206.835 - 62.3 * syllables_per_word - words_per_sentence;
  return scores;
}

ReadabilityScores measure_text(std::string_view text, TextLanguage language) {
  return score(count_text(text, language));
}

std::string document_prose(const ContentDocument& document) {
  markdown::NodePtr root = markdown::parse(document.body_markdown);
  std::string prose;
  for (const std::string& block : markdown::prose_blocks(root.get(), false)) {
    std::string line = block;
    std::replace(line.begin(), line.end(), '\n', ' ');
    prose += line;
    prose += '\n';
  }
  return prose;
}

ReadabilityScores measure_document(const ContentDocument& document) {
  const TextLanguage language = text_language(document.language).value_or(TextLanguage::kEnglish);
  return measure_text(document_prose(document), language);
}

}  // namespace explainer::content
