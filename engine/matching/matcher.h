// Finds the catalogue findings an impression mentions and how each mention is asserted.
//
// Cost: linear in the text (one trie walk per token, bounded by the longest phrase) and
// independent of the number of rules. Thread safety: match() and assert_target() are
// const and may run concurrently on one Matcher; each thread reuses its own scratch.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "matching/assertion.h"
#include "matching/rule_set.h"

namespace explainer::matching {

// What is known about the report besides its impression text.
struct MatchContext {
  std::string modality;     // DICOM modality ("MR", "CT", "DX"...); empty = unknown
  std::string body_region;  // free text ("lumbar spine", "Knee"); empty = unknown
  std::vector<Code> codes;  // coded conclusions (FHIR conclusionCode, v2 coded OBX)
};

enum class MentionSource : std::uint8_t { kText, kCode };

struct Mention {
  MentionSource source = MentionSource::kText;
  std::string matched_text;  // as written in the impression (or "system|code")
  std::size_t begin = 0;     // byte offsets into the ORIGINAL impression; 0/0 for codes
  std::size_t end = 0;
  std::string sentence;  // the sentence containing the mention, as written
  Assertion assertion = Assertion::kAffirmed;
  std::string trigger;  // the cue that decided a non-affirmed assertion, as written
};

struct FindingMatch {
  std::string finding_id;
  std::string content_id;
  std::string display;
  Sensitivity sensitivity = Sensitivity::kRoutine;
  std::vector<Mention> mentions;  // in text order; code mentions last
  // kAffirmed if any mention is affirmed; otherwise the most "present-like" of the
  // mentions: uncertain > historical > hypothetical > negated.
  Assertion assertion = Assertion::kNegated;
  // Default policy: explain only affirmed findings. Policies may decide otherwise from
  // `assertion` and `mentions`.
  bool explain = false;
};

struct MatchResult {
  std::vector<FindingMatch> findings;  // one per finding, ordered by first mention
  std::string rules_version;           // RuleSet::version() of the snapshot used
};

struct TargetAssertion {
  Assertion assertion = Assertion::kAffirmed;
  std::string trigger;  // empty when affirmed
  bool found = false;   // false if the target's words do not occur in the sentence
};

class Matcher {
 public:
  // Keeps the snapshot alive for the Matcher's lifetime.
  explicit Matcher(std::shared_ptr<const RuleSet> rules);
  // Non-owning: `rules` must outlive the Matcher.
  explicit Matcher(const RuleSet& rules);

  MatchResult match(std::string_view impression, const MatchContext& context = {}) const;

  // Assertion of an arbitrary target phrase in a sentence (first occurrence, matched
  // on normalised words). Not found -> {kAffirmed, "", false}.
  TargetAssertion assert_target(std::string_view sentence, std::string_view target) const;

  const RuleSet& rules() const { return *rules_; }

 private:
  std::shared_ptr<const RuleSet> owner_;
  const RuleSet* rules_;
};

// Mention-level combination used for FindingMatch::assertion.
Assertion combine_assertions(const std::vector<Mention>& mentions);

}  // namespace explainer::matching
