// Assertion categories of a finding mention and the assertion lexicon's vocabulary.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace explainer::matching {

// How the report asserts a mention. Only kAffirmed (present now, stated as certain)
// produces a patient explanation by default.
enum class Assertion : std::uint8_t {
  kAffirmed,      // present: "disc bulge at L4-5", "stable nodule", "consistent with X"
  kNegated,       // absent: "no evidence of X", "X is not seen", "X unlikely"
  kUncertain,     // hedged: "possible X", "X cannot be excluded", "A versus B", "no new X"
  kHypothetical,  // not a finding: "evaluate for X", "rule out X", "if X ..."
  kHistorical,    // past: "status post X", "history of X", "X has resolved", "healed X"
};

std::string_view to_string(Assertion a);
std::optional<Assertion> assertion_from_string(std::string_view s);

// What a lexicon entry does.
enum class CueKind : std::uint8_t {
  kTrigger,    // sets `assertion` on mentions in its scope
  kPseudo,     // looks like a trigger but is not ("no change in", "not only"): blocks shorter cues
  kTerminate,  // ends the scope of triggers ("but", "however", "which")
};

enum class CueDirection : std::uint8_t { kForward, kBackward, kBidirectional };

}  // namespace explainer::matching
