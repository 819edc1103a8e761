#include "matching/commands.h"

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "matching/test_support.h"

namespace explainer::matching {
namespace {

struct Run {
  int rc;
  std::string out;
  std::string err;
};

template <class Fn>
Run run(Fn fn, std::vector<std::string> args, const std::string& input = "") {
  std::istringstream in(input);
  std::ostringstream out, err;
  const int rc = fn(args, in, out, err, testing::repo_path("mappings"));
  return {rc, out.str(), err.str()};
}

TEST(Commands, MatchReadable) {
  const auto r = run(run_match, {"--modality", "MR", "--body-region", "knee",
                                 "No meniscal tear. Small joint effusion."});
  EXPECT_EQ(r.rc, 0) << r.err;
  EXPECT_NE(r.out.find("meniscal_tear\tnegated\texplain=no"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("joint_effusion\taffirmed\texplain=yes"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("trigger \"No\""), std::string::npos) << r.out;
}

TEST(Commands, MatchJson) {
  const auto r = run(run_match, {"--json", "Small right pleural effusion."});
  ASSERT_EQ(r.rc, 0) << r.err;
  rapidjson::Document doc;
  doc.Parse(r.out.c_str());
  ASSERT_FALSE(doc.HasParseError()) << r.out;
  const auto& f = doc["findings"][0];
  EXPECT_STREQ(f["finding_id"].GetString(), "pleural_effusion");
  EXPECT_TRUE(f["explain"].GetBool());
  EXPECT_EQ(f["mentions"][0]["begin"].GetUint(), 12u);
  EXPECT_EQ(f["mentions"][0]["end"].GetUint(), 28u);
}

TEST(Commands, MatchJsonLinesOneResultPerLine) {
  const auto r =
      run(run_match, {"--jsonl"},
          "{\"text\": \"No pleural effusion.\", \"modality\": \"CR\"}\n"
          "not json\n"
          "{\"text\": \"Small effusion.\", \"modality\": \"MR\", \"body_region\": \"knee\"}\n");
  ASSERT_EQ(r.rc, 0) << r.err;
  std::istringstream lines(r.out);
  std::string line;
  std::vector<std::string> out;
  while (std::getline(lines, line)) out.push_back(line);
  ASSERT_EQ(out.size(), 3u) << r.out;
  EXPECT_NE(out[0].find("\"assertion\":\"negated\""), std::string::npos);
  EXPECT_NE(out[1].find("\"error\""), std::string::npos);
  EXPECT_NE(out[2].find("joint_effusion"), std::string::npos);
}

TEST(Commands, AssertTsv) {
  const auto r = run(run_assert, {"--tsv"},
                     "edema\tNo peripheral edema.\n"
                     "pneumonia\tPossible pneumonia.\n"
                     "fracture\tHistory of fracture.\n"
                     "pneumonia\tRule out pneumonia.\n"
                     "nodule\tStable nodule.\n");
  ASSERT_EQ(r.rc, 0) << r.err;
  EXPECT_EQ(r.out, "negated\nuncertain\nhistorical\nhypothetical\naffirmed\n");
}

TEST(Commands, UsageAndLoadErrors) {
  EXPECT_EQ(run(run_match, {}).rc, 2);
  EXPECT_EQ(run(run_assert, {}).rc, 2);
  EXPECT_EQ(run(run_match, {"--bogus", "x"}).rc, 2);
  const auto r = run(run_match, {"--mappings", "/nonexistent-dir", "text"});
  EXPECT_EQ(r.rc, 1);
  EXPECT_NE(r.err.find("cannot read"), std::string::npos);
}

}  // namespace
}  // namespace explainer::matching

namespace explainer::matching {
namespace {

TEST(Commands, EvalPrintsScoresAndRejectsBadLabels) {
  const auto dir = std::filesystem::path(EXPLAINER_BINARY_DIR) / "matching-test";
  std::filesystem::create_directories(dir);
  const auto good = dir / "eval-good.tsv";
  std::ofstream(good) << "# comment\n"
                         "t1\tCR\tchest\tpleural_effusion=negated\tNo pleural effusion.\n"
                         "t2\tCR\tchest\tcardiomegaly=affirmed\tMild cardiomegaly.\n";
  auto r = run(run_eval, {good.string()});
  EXPECT_EQ(r.rc, 0) << r.err;
  EXPECT_NE(r.out.find("explanations: precision 1.000, recall of affirmed 1.000"),
            std::string::npos)
      << r.out;
  const auto bad = dir / "eval-bad.tsv";
  std::ofstream(bad) << "t1\tCR\tchest\tpleural_effusion=maybe\tNo pleural effusion.\n"
                        "t2\tonly three\tfields\n";
  r = run(run_eval, {bad.string()});
  EXPECT_EQ(r.rc, 3);
  EXPECT_NE(r.err.find("eval-bad.tsv:1: bad label"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("eval-bad.tsv:2: expected 5"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace explainer::matching
