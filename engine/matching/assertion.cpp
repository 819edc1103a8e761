#include "matching/assertion.h"

namespace explainer::matching {

std::string_view to_string(Assertion a) {
  switch (a) {
    case Assertion::kAffirmed:
      return "affirmed";
    case Assertion::kNegated:
      return "negated";
    case Assertion::kUncertain:
      return "uncertain";
    case Assertion::kHypothetical:
      return "hypothetical";
    case Assertion::kHistorical:
      return "historical";
  }
  return "affirmed";
}

std::optional<Assertion> assertion_from_string(std::string_view s) {
  if (s == "affirmed") return Assertion::kAffirmed;
  if (s == "negated") return Assertion::kNegated;
  if (s == "uncertain") return Assertion::kUncertain;
  if (s == "hypothetical") return Assertion::kHypothetical;
  if (s == "historical") return Assertion::kHistorical;
  return std::nullopt;
}

}  // namespace explainer::matching
