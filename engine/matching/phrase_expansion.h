// Expansion of the phrase alternation syntax used in mappings/: "(a|b|)" groups,
// an empty alternative makes the group optional, groups may nest.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace explainer::matching {

inline constexpr std::size_t kMaxPhraseExpansions = 4096;

// Fills `out` with every expansion of `phrase`. On a syntax error or more than
// kMaxPhraseExpansions variants returns false and sets `why`.
bool expand_phrase(std::string_view phrase, std::vector<std::string>& out, std::string& why);

}  // namespace explainer::matching
