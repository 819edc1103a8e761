// Quality gates on labelled data. Prints the full report so CI logs carry the numbers.
#include "matching/evaluation.h"

#include <gtest/gtest.h>

#include <iostream>

#include "matching/test_support.h"

namespace explainer::matching {
namespace {

using testing::repo_path;
using testing::repo_rules;

EvalSet load_all() {
  EvalSet set;
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::directory_iterator(repo_path("tests/matching/eval"))) {
    if (e.path().extension() == ".tsv") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    auto part = load_eval_tsv(f);
    set.cases.insert(set.cases.end(), part.cases.begin(), part.cases.end());
    set.errors.insert(set.errors.end(), part.errors.begin(), part.errors.end());
  }
  return set;
}

TEST(Evaluation, OwnImpressionSetMeetsSafetyAndQualityGates) {
  const auto rules = repo_rules();
  ASSERT_NE(rules, nullptr);
  const EvalSet set = load_all();
  for (const auto& e : set.errors) ADD_FAILURE() << e;
  ASSERT_GE(set.cases.size(), 400u);
  const EvalReport report = score_eval(Matcher(rules), set);
  print_eval_report(report, std::cout, /*list_mismatches=*/true);

  // Every shipped finding and every assertion category is exercised.
  for (const auto& f : rules->findings()) {
    EXPECT_GT(report.findings_covered.count(f.id), 0u) << "eval set lacks " << f.id;
  }
  for (Assertion a : {Assertion::kAffirmed, Assertion::kNegated, Assertion::kUncertain,
                      Assertion::kHypothetical, Assertion::kHistorical}) {
    const auto it = report.per_assertion.find(a);
    ASSERT_NE(it, report.per_assertion.end());
    EXPECT_GE(it->second.tp + it->second.fn, 10) << "too few " << to_string(a) << " labels";
  }

  EXPECT_EQ(report.unsafe_explanations, 0)
      << "a negated, hypothetical or historical mention produced an explanation";
  EXPECT_GE(report.explanations.precision(), 0.98);
  EXPECT_GE(report.explanations.recall(), 0.95);
}

TEST(Evaluation, NegExDevSliceNegatedVersusAffirmed) {
  const auto rules = repo_rules();
  ASSERT_NE(rules, nullptr);
  const NegexScore s =
      score_negex(Matcher(rules), repo_path("tests/fixtures/negation/rsAnnotations-dev-1-600.txt"));
  for (const auto& e : s.errors) ADD_FAILURE() << e;
  print_negex_score(s, std::cout);
  ASSERT_EQ(s.total(), 600);
  // Floors sit below the measured values (see mappings/README.md) to catch regressions.
  EXPECT_GE(s.accuracy(), 0.95);
  EXPECT_GE(s.sensitivity(), 0.90);
  EXPECT_GE(s.specificity(), 0.95);
}

TEST(Evaluation, ScorerIsNotLenient) {
  // A case whose label disagrees must count against precision and be listed.
  EvalSet set;
  EvalCase c;
  c.id = "t1";
  c.text = "No pleural effusion.";
  c.expected = {{"pleural_effusion", Assertion::kAffirmed}};
  set.cases.push_back(c);
  EvalCase d;
  d.id = "t2";
  d.text = "Small pleural effusion.";  // labelled as nothing: explanation is unexpected
  set.cases.push_back(d);
  const auto r = score_eval(Matcher(repo_rules()), set);
  EXPECT_EQ(r.explanations.tp, 0);
  EXPECT_EQ(r.explanations.fp, 1);
  EXPECT_EQ(r.explanations.fn, 1);
  EXPECT_EQ(r.unexpected_explained, 1);
  EXPECT_EQ(r.mismatches.size(), 2u);
}

}  // namespace
}  // namespace explainer::matching
