#include "matching/matcher.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "matching/test_support.h"

namespace explainer::matching {
namespace {

using testing::repo_rules;

const FindingMatch* find(const MatchResult& r, std::string_view id) {
  for (const auto& f : r.findings) {
    if (f.finding_id == id) return &f;
  }
  return nullptr;
}

class RepoMatcher : public ::testing::Test {
 protected:
  void SetUp() override {
    rules_ = repo_rules();
    ASSERT_NE(rules_, nullptr);
  }
  MatchResult match(std::string_view text, std::string modality = "",
                    std::string region = "") const {
    return Matcher(rules_).match(text, MatchContext{std::move(modality), std::move(region), {}});
  }
  Assertion assertion_of(std::string_view text, std::string_view id,
                         std::string region = "") const {
    const auto r = match(text, "", std::move(region));
    const auto* f = find(r, id);
    EXPECT_NE(f, nullptr) << "no " << id << " in: " << text;
    return f ? f->assertion : Assertion::kAffirmed;
  }
  std::shared_ptr<const RuleSet> rules_;
};

// The sentences the safety notes ask to lock in (spinal metastasis is sensitive).
TEST_F(RepoMatcher, MetastasisSafetySentences) {
  const std::string spine = "spine";
  struct Case {
    const char* text;
    Assertion expected;
  } cases[] = {
      {"No evidence of metastatic disease.", Assertion::kNegated},
      {"No new osseous metastatic lesions.", Assertion::kUncertain},
      {"Stable sclerotic metastases.", Assertion::kAffirmed},
      {"Metastatic disease cannot be excluded.", Assertion::kUncertain},
      {"Findings concerning for metastatic disease; recommend MRI.", Assertion::kUncertain},
      {"Multiple enhancing lesions in T10 and L2, consistent with metastatic disease.",
       Assertion::kAffirmed},
      {"Rule out metastasis.", Assertion::kHypothetical},
      {"Status post treatment of osseous metastasis.", Assertion::kHistorical},
  };
  for (const auto& c : cases) {
    const auto r = match(c.text, "MR", spine);
    const auto* f = find(r, "spinal_metastasis");
    ASSERT_NE(f, nullptr) << c.text;
    EXPECT_EQ(f->assertion, c.expected) << c.text;
    EXPECT_EQ(f->explain, c.expected == Assertion::kAffirmed) << c.text;
  }
  for (const char* none : {"No evidence of cord compression.",
                           "History of metastatic breast cancer; no evidence of recurrence.",
                           "Previously described lesion has resolved."}) {
    for (const auto& f : match(none, "MR", spine).findings) {
      EXPECT_FALSE(f.explain) << none << " explained " << f.finding_id;
    }
  }
}

// Phrasings that must never produce an explanation (regression list from review probes).
TEST_F(RepoMatcher, NonAffirmedPhrasingsAreNeverExplained) {
  struct Case {
    const char* region;
    const char* text;
    const char* finding;
    Assertion expected;
  } cases[] = {
      {"chest", "Pleural effusion: none.", "pleural_effusion", Assertion::kNegated},
      {"chest", "Effusion: resolved.", "pleural_effusion", Assertion::kHistorical},
      {"chest", "Pneumonia is not favored.", "pneumonia", Assertion::kNegated},
      {"chest", "Pneumonia is less likely.", "pneumonia", Assertion::kUncertain},
      {"chest", "Exclude pneumonia.", "pneumonia", Assertion::kHypothetical},
      {"chest", "Mild cardiomegaly or pericardial effusion.", "cardiomegaly",
       Assertion::kUncertain},
      {"chest", "Bibasilar opacities, atelectasis or pneumonia.", "pneumonia",
       Assertion::kUncertain},
      {"chest", "Pneumonia?", "pneumonia", Assertion::kUncertain},
      {"spine", "No findings to suggest metastasis.", "spinal_metastasis", Assertion::kNegated},
      {"spine", "Metastatic disease unlikely.", "spinal_metastasis", Assertion::kNegated},
      {"spine", "Previous metastasis, now resolved.", "spinal_metastasis", Assertion::kHistorical},
      {"spine", "Disc herniation was ruled out.", "disc_herniation", Assertion::kNegated},
      {"spine", "No disc herniation, bulge or stenosis.", "spinal_stenosis", Assertion::kNegated},
      {"spine", "Status post L4-5 discectomy for a prior disc herniation.", "disc_herniation",
       Assertion::kHistorical},
      {"brain", "Status post resection of a right parietal meningioma.", "meningioma",
       Assertion::kHistorical},
      {"chest", "Pleural effusion, previously seen, is no longer present.", "pleural_effusion",
       Assertion::kHistorical},
      {"chest", "Status post right lower lobectomy for lung nodule.", "pulmonary_nodule",
       Assertion::kHistorical},
      {"knee", "Negative for meniscal tear.", "meniscal_tear", Assertion::kNegated},
      {"knee", "Meniscal tear is not identified.", "meniscal_tear", Assertion::kNegated},
      {"chest", "Old healed right rib fractures.", "rib_fracture", Assertion::kHistorical},
      {"chest", "If there is concern for pneumonia, obtain a CT.", "pneumonia",
       Assertion::kHypothetical},
      {"spine", "Known metastatic disease in L2, previously treated.", "spinal_metastasis",
       Assertion::kHistorical},
      {"knee", "Signal could reflect a small tear of the body of the lateral meniscus.",
       "meniscal_tear", Assertion::kUncertain},
      {"chest", "Early pneumonia is difficult to exclude.", "pneumonia", Assertion::kUncertain},
      {"chest", "Atelectasis is favored over pneumonia.", "pneumonia", Assertion::kUncertain},
      {"spine", "Suspicion for metastatic disease.", "spinal_metastasis", Assertion::kUncertain},
      {"spine", "Metastatic disease, if clinically suspected, would be better evaluated with MRI.",
       "spinal_metastasis", Assertion::kHypothetical},
      {"brain", "Post-operative changes from meningioma resection.", "meningioma",
       Assertion::kHistorical},
      {"knee", "Meniscal tear could not be confirmed.", "meniscal_tear", Assertion::kUncertain},
      {"shoulder", "Labral tear would be better assessed with MR arthrography.", "labral_tear",
       Assertion::kHypothetical},
      {"abdomen", "Kidney stone has passed.", "kidney_stone", Assertion::kHistorical},
  };
  for (const auto& c : cases) {
    const auto r = match(c.text, "", c.region);
    const auto* f = find(r, c.finding);
    ASSERT_NE(f, nullptr) << c.text;
    EXPECT_EQ(f->assertion, c.expected) << c.text;
    EXPECT_FALSE(f->explain) << c.text;
  }
  // An acute infarct is excluded from the chronic-infarct finding.
  const auto r = match("Acute infarct in the left MCA territory.", "MR", "brain");
  EXPECT_EQ(find(r, "chronic_infarct"), nullptr);
}

TEST_F(RepoMatcher, PseudoNegationsKeepFindingPresent) {
  EXPECT_EQ(assertion_of("No change in the small right pleural effusion.", "pleural_effusion"),
            Assertion::kAffirmed);
  EXPECT_EQ(assertion_of("No significant change in the 5 mm pulmonary nodule.", "pulmonary_nodule"),
            Assertion::kAffirmed);
  EXPECT_EQ(assertion_of("No increase in size of the pulmonary nodule.", "pulmonary_nodule"),
            Assertion::kAffirmed);
}

TEST_F(RepoMatcher, TerminationEndsNegationScope) {
  const auto r = match("No disc herniation but there is a disc bulge at L4-5.", "MR", "spine");
  ASSERT_NE(find(r, "disc_herniation"), nullptr);
  ASSERT_NE(find(r, "disc_bulge"), nullptr);
  EXPECT_EQ(find(r, "disc_herniation")->assertion, Assertion::kNegated);
  EXPECT_EQ(find(r, "disc_bulge")->assertion, Assertion::kAffirmed);
}

TEST_F(RepoMatcher, NumberedItemsBoundScope) {
  const auto r = match("1. No pleural effusion\n2. Cardiomegaly", "CR", "chest");
  ASSERT_NE(find(r, "cardiomegaly"), nullptr);
  EXPECT_EQ(find(r, "cardiomegaly")->assertion, Assertion::kAffirmed);
  EXPECT_EQ(find(r, "pleural_effusion")->assertion, Assertion::kNegated);
}

TEST_F(RepoMatcher, NoNewIsNotAffirmedUnlessAssertedElsewhere) {
  EXPECT_EQ(assertion_of("No new pulmonary nodules.", "pulmonary_nodule"), Assertion::kUncertain);
  const auto r = match("Stable 4 mm pulmonary nodule. No new pulmonary nodules.");
  const auto* f = find(r, "pulmonary_nodule");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->assertion, Assertion::kAffirmed);
  EXPECT_TRUE(f->explain);
  ASSERT_EQ(f->mentions.size(), 2u) << "one finding, reported once, with all mentions";
  EXPECT_EQ(f->mentions[1].assertion, Assertion::kUncertain);
  EXPECT_EQ(f->mentions[1].trigger, "No new");
}

TEST_F(RepoMatcher, SpansAreByteOffsetsIntoTheOriginal) {
  const std::string text = "IMPRESSION:\n1. Mild  Disc-Bulge at L4/5.";
  const auto r = match(text, "MR", "lumbar spine");
  const auto* f = find(r, "disc_bulge");
  ASSERT_NE(f, nullptr);
  ASSERT_EQ(f->mentions.size(), 1u);
  const auto& m = f->mentions[0];
  EXPECT_EQ(text.substr(m.begin, m.end - m.begin), "Disc-Bulge");
  EXPECT_EQ(m.matched_text, "Disc-Bulge");
  EXPECT_EQ(m.sentence, "Mild  Disc-Bulge at L4/5.");
}

TEST_F(RepoMatcher, WordBoundariesAndLongestMatch) {
  EXPECT_TRUE(match("Teardrop fracture fragment.", "MR", "knee").findings.empty());
  // "subcutaneous emphysema" is an exclusion that out-lengths "emphysema".
  EXPECT_EQ(find(match("Subcutaneous emphysema.", "CT", "chest"), "emphysema"), nullptr);
  // "disc bulge" must not also yield a bare "bulge" mention.
  const auto r = match("Disc bulge.", "MR", "spine");
  ASSERT_NE(find(r, "disc_bulge"), nullptr);
  EXPECT_EQ(find(r, "disc_bulge")->mentions.size(), 1u);
}

TEST_F(RepoMatcher, PluralAndSpellingVariants) {
  EXPECT_NE(find(match("Multiple gallstones."), "gallstones"), nullptr);
  EXPECT_NE(find(match("Vertebral haemangiomas."), "vertebral_hemangioma"), nullptr);
  EXPECT_NE(find(match("Bone marrow oedema."), "bone_marrow_edema"), nullptr);
  EXPECT_NE(find(match("Complete ACL tear."), "acl_tear"), nullptr);
}

TEST_F(RepoMatcher, RegionConstraints) {
  // Generic phrases fire only where the report's region makes them unambiguous.
  EXPECT_NE(find(match("Full-thickness tear.", "MR", "shoulder"), "rotator_cuff_tear"), nullptr);
  EXPECT_TRUE(match("Full-thickness tear.", "MR", "knee").findings.empty());
  EXPECT_TRUE(match("Full-thickness tear.").findings.empty());
  EXPECT_NE(find(match("Small effusion.", "MR", "knee"), "joint_effusion"), nullptr);
  EXPECT_NE(find(match("Small effusion.", "CR", "chest"), "pleural_effusion"), nullptr);
  EXPECT_TRUE(match("Small effusion.").findings.empty());
  // Finding-level: a known region that does not fit excludes the finding.
  EXPECT_TRUE(match("Meniscal tear.", "MR", "shoulder").findings.empty());
  EXPECT_NE(find(match("Meniscal tear."), "meniscal_tear"), nullptr);
  // Modality aliases: DX is CR.
  EXPECT_NE(find(match("Small effusion.", "DX", "chest"), "pleural_effusion"), nullptr);
}

TEST_F(RepoMatcher, CodesCountAsAffirmedMentions) {
  MatchContext ctx;
  ctx.codes.push_back({"http://snomed.info/sct", "60046008"});
  ctx.codes.push_back({"SCT", "233604007"});
  ctx.codes.push_back({"http://snomed.info/sct", "999999"});
  const auto r = Matcher(rules_).match("", ctx);
  ASSERT_EQ(r.findings.size(), 2u);
  EXPECT_EQ(r.findings[0].finding_id, "pleural_effusion");
  EXPECT_EQ(r.findings[0].mentions[0].source, MentionSource::kCode);
  EXPECT_TRUE(r.findings[0].explain);
  EXPECT_EQ(r.findings[1].finding_id, "pneumonia");
}

TEST_F(RepoMatcher, AssertTarget) {
  const Matcher m(rules_);
  EXPECT_EQ(
      m.assert_target("Extremities reveal no peripheral cyanosis or EDEMA.", "edema").assertion,
      Assertion::kNegated);
  EXPECT_EQ(m.assert_target("There is mild edema.", "edema").assertion, Assertion::kAffirmed);
  EXPECT_EQ(m.assert_target("Pneumonia is not excluded.", "pneumonia").assertion,
            Assertion::kUncertain);
  EXPECT_EQ(m.assert_target("History of gout.", "gout").assertion, Assertion::kHistorical);
  EXPECT_EQ(m.assert_target("Evaluate for appendicitis.", "appendicitis").assertion,
            Assertion::kHypothetical);
  const auto missing = m.assert_target("Nothing here.", "edema");
  EXPECT_FALSE(missing.found);
  EXPECT_EQ(missing.assertion, Assertion::kAffirmed);
  const auto t = m.assert_target("No evidence of pneumothorax.", "pneumothorax");
  EXPECT_EQ(t.trigger, "No evidence of");
}

TEST_F(RepoMatcher, ConcurrentMatchingGivesSameResults) {
  const Matcher m(rules_);
  const std::string text = "1. No pleural effusion.\n2. Stable 5 mm pulmonary nodule.";
  const auto expected = m.match(text);
  std::vector<std::thread> threads;
  std::atomic<int> mismatches{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 200; ++i) {
        const auto r = m.match(text);
        if (r.findings.size() != expected.findings.size() ||
            r.findings[0].assertion != expected.findings[0].assertion) {
          ++mismatches;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(mismatches.load(), 0);
}

// 10,000 synthetic rules load and match correctly (speed is measured in bench/, not here).
TEST(ManyRules, TenThousandSyntheticFindings) {
  std::string findings = R"({"format_version": 1, "findings": [)";
  for (int i = 0; i < 10000; ++i) {
    if (i) findings += ",";
    const std::string id = "f" + std::to_string(i);
    findings += R"({"id": ")" + id + R"(", "content_id": ")" + id +
                R"(", "display": "x", "sensitivity": "routine", "phrases": ["term)" +
                std::to_string(i) + R"( finding"]})";
  }
  findings += "]}";
  const auto r = RuleSet::load_sources(
      {"n", R"({"format_version": 1})"},
      {"l", R"({"format_version": 1, "groups": [{"kind": "trigger", "assertion": "negated",
                "direction": "forward", "phrases": ["no"]}]})"},
      {{"f", findings}});
  ASSERT_TRUE(r.ok());
  const auto m = Matcher(r.rules).match("Term9999 finding. No term5 finding.");
  ASSERT_EQ(m.findings.size(), 2u);
  EXPECT_EQ(m.findings[0].finding_id, "f9999");
  EXPECT_EQ(m.findings[0].assertion, Assertion::kAffirmed);
  EXPECT_EQ(m.findings[1].finding_id, "f5");
  EXPECT_EQ(m.findings[1].assertion, Assertion::kNegated);
}

}  // namespace
}  // namespace explainer::matching

namespace explainer::matching {
namespace {

// Deterministic pseudo-random text over an alphabet rich in the characters the tokenizer
// and segmenter treat specially; every mention span must stay inside the text.
TEST(MatcherRobustness, RandomTextKeepsSpansInBounds) {
  const auto rules = testing::repo_rules();
  ASSERT_NE(rules, nullptr);
  const Matcher m(rules);
  const std::string pieces[] = {
      "no ",     "L4-5",     "/",    "-",     ".",  " ", "\n",           "1. ",      ":",
      ";",       "effusion", "disc", "bulge", "?",  "'", "\xE2\x80\x93", "\xC3\xA9", "tear",
      "of the ", "versus ",  "(",    ")",     "2)", ",", "or ",          "no new ",  "\xE2"};
  std::uint32_t state = 12345;
  auto next = [&] {
    state = state * 1103515245u + 12345u;
    return (state >> 16) & 0x7FFF;
  };
  for (int iteration = 0; iteration < 2000; ++iteration) {
    std::string text;
    const int n = static_cast<int>(next() % 40);
    for (int i = 0; i < n; ++i) text += pieces[next() % std::size(pieces)];
    const auto r = m.match(text, MatchContext{"MR", "spine", {}});
    for (const auto& f : r.findings) {
      for (const auto& mention : f.mentions) {
        ASSERT_LE(mention.begin, mention.end) << text;
        ASSERT_LE(mention.end, text.size()) << text;
        EXPECT_EQ(text.substr(mention.begin, mention.end - mention.begin), mention.matched_text);
      }
    }
    (void)m.assert_target(text, "disc bulge");
  }
}

}  // namespace
}  // namespace explainer::matching
