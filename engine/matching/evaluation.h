// Scoring the matcher against labelled data: our own impression set
// (tests/matching/eval/*.tsv) and the NegEx annotated sentences (negated vs affirmed).
#pragma once

#include <filesystem>
#include <map>
#include <ostream>
#include <string>
#include <vector>

#include "matching/matcher.h"

namespace explainer::matching {

// One labelled impression. Expected labels are per finding and per impression, using
// the same combination rule as FindingMatch::assertion. Findings not listed are
// expected NOT to be reported at all.
struct EvalCase {
  std::string file;
  int line = 0;
  std::string id;
  std::string modality;
  std::string body_region;
  std::string text;
  std::vector<std::pair<std::string, Assertion>> expected;
};

struct EvalSet {
  std::vector<EvalCase> cases;
  std::vector<std::string> errors;  // "file:line: reason"
};

// TSV, one impression per line: id, modality, body_region, expected, text.
// expected = "finding=assertion;..." or "-"; "\n" in text is a line break; '#' comments.
EvalSet load_eval_tsv(const std::filesystem::path& file);

struct Counts {
  int tp = 0, fp = 0, fn = 0;
  double precision() const { return tp + fp == 0 ? 1.0 : double(tp) / (tp + fp); }
  double recall() const { return tp + fn == 0 ? 1.0 : double(tp) / (tp + fn); }
};

struct EvalReport {
  int cases = 0;
  std::map<Assertion, Counts> per_assertion;  // label agreement per (case, finding)
  Counts explanations;                        // produced explanation vs expected affirmed
  // Explanations produced where the label is negated/hypothetical/historical (must be 0).
  int unsafe_explanations = 0;
  int uncertain_explained = 0;                  // explanations where the label is uncertain
  int unexpected_explained = 0;                 // explanations for findings not labelled at all
  std::map<std::string, int> findings_covered;  // finding id -> labelled occurrences
  std::vector<std::string> mismatches;          // human-readable, one per disagreement
};

EvalReport score_eval(const Matcher& matcher, const EvalSet& set);
void print_eval_report(const EvalReport& report, std::ostream& out, bool list_mismatches);

// NegEx rsAnnotations file: "line<TAB>condition<TAB>sentence<TAB>Negated|Affirmed<TAB>...".
struct NegexScore {
  int negated_as_negated = 0;    // true positives
  int affirmed_as_affirmed = 0;  // true negatives (any non-negated prediction)
  int affirmed_as_negated = 0;   // false positives
  int negated_as_affirmed = 0;   // false negatives
  int target_not_found = 0;      // condition words not located in the sentence
  int total() const {
    return negated_as_negated + affirmed_as_affirmed + affirmed_as_negated + negated_as_affirmed;
  }
  double accuracy() const {
    return total() == 0 ? 0 : double(negated_as_negated + affirmed_as_affirmed) / total();
  }
  double sensitivity() const {
    const int p = negated_as_negated + negated_as_affirmed;
    return p == 0 ? 0 : double(negated_as_negated) / p;
  }
  double specificity() const {
    const int n = affirmed_as_affirmed + affirmed_as_negated;
    return n == 0 ? 0 : double(affirmed_as_affirmed) / n;
  }
  std::vector<std::string> errors;  // unreadable rows
};

NegexScore score_negex(const Matcher& matcher, const std::filesystem::path& file);
void print_negex_score(const NegexScore& score, std::ostream& out);

}  // namespace explainer::matching
