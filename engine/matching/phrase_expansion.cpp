#include "matching/phrase_expansion.h"

namespace explainer::matching {
namespace {

class PhraseExpander {
 public:
  explicit PhraseExpander(std::string_view text) : text_(text) {}

  bool run(std::vector<std::string>& out, std::string& why) {
    if (!sequence(out, /*nested=*/false)) {
      why = why_;
      return false;
    }
    if (pos_ != text_.size()) {
      why = std::string("unexpected '") + text_[pos_] + "' outside a group";
      return false;
    }
    return true;
  }

 private:
  // sequence := (char | group)*, ending at ')' or '|' when nested, at the end otherwise.
  bool sequence(std::vector<std::string>& out, bool nested) {
    out.assign(1, std::string());
    while (pos_ < text_.size()) {
      const char c = text_[pos_];
      if (c == ')' || c == '|') {
        if (!nested) {
          why_ = std::string("unexpected '") + c + "' outside a group";
          return false;
        }
        return true;
      }
      if (c != '(') {
        for (auto& p : out) p.push_back(c);
        ++pos_;
        continue;
      }
      ++pos_;
      std::vector<std::string> alternatives;
      while (true) {
        std::vector<std::string> alt;
        if (!sequence(alt, /*nested=*/true)) return false;
        alternatives.insert(alternatives.end(), alt.begin(), alt.end());
        if (pos_ >= text_.size()) {
          why_ = "unbalanced '(' in phrase";
          return false;
        }
        if (text_[pos_++] == ')') break;
      }
      if (out.size() * alternatives.size() > kMaxPhraseExpansions) {
        why_ = "phrase expands to more than " + std::to_string(kMaxPhraseExpansions) + " variants";
        return false;
      }
      std::vector<std::string> next;
      next.reserve(out.size() * alternatives.size());
      for (const auto& p : out) {
        for (const auto& a : alternatives) next.push_back(p + a);
      }
      out = std::move(next);
    }
    return true;
  }

  std::string_view text_;
  std::size_t pos_ = 0;
  std::string why_;
};

}  // namespace

bool expand_phrase(std::string_view phrase, std::vector<std::string>& out, std::string& why) {
  return PhraseExpander(phrase).run(out, why);
}

}  // namespace explainer::matching
