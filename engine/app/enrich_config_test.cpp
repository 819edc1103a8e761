#include "app/enrich_config.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "app/config.h"

namespace explainer::app {
namespace {

class EnrichConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("enrich_config_test_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string write(const std::string& name, const std::string& text) {
    const auto path = dir_ / name;
    std::ofstream(path) << text;
    return path.string();
  }
  std::filesystem::path dir_;
};

TEST_F(EnrichConfigTest, ReadsEnrichmentKeysAndIgnoresThePlumbing) {
  const auto path = write("explainerd.properties",
                          "paths.mappings = maps\n"
                          "content.default_language = ES\n"
                          "content.require_approved = true\n"
                          "policy.sensitive = attach\n"
                          "reports.released_statuses = F\n"
                          // Invalid for explainerd, irrelevant here: must not matter.
                          "listeners = ris\n"
                          "listener.ris.port = not-a-port\n"
                          "destinations = portal\n"
                          "destination.portal.type = fhir\n"
                          "destination.portal.bearer_token_file = /nonexistent\n"
                          "store.sqlite.synchronous = sometimes\n");
  const EnrichConfig config = load_enrich_config_file(path);
  EXPECT_EQ(config.mappings_dir, (dir_ / "maps").string());
  EXPECT_EQ(config.policy.default_language, "es");
  EXPECT_TRUE(config.policy.require_approved);
  EXPECT_EQ(config.policy.sensitive, enrich::Action::kAttach);
  EXPECT_EQ(config.v2_extract.released_statuses, std::vector<std::string>{"F"});
}

TEST_F(EnrichConfigTest, ReadsJson) {
  const auto path = write("explainerd.json", R"({"content": {"default_language": "fr"}})");
  EXPECT_EQ(load_enrich_config_file(path).policy.default_language, "fr");
}

TEST_F(EnrichConfigTest, RejectsUnknownKeysAndBadValuesNamingThem) {
  const auto unknown = write("a.properties", "policy.sensitiv = hold\n");
  try {
    load_enrich_config_file(unknown);
    FAIL() << "unknown key accepted";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("policy.sensitiv"), std::string::npos);
  }
  EXPECT_THROW(load_enrich_config_file(write("b.properties", "policy.routine = maybe\n")),
               ConfigError);
  EXPECT_THROW(load_enrich_config_file((dir_ / "missing.properties").string()), ConfigError);
}

TEST_F(EnrichConfigTest, LoadErrorsNameTheDirectory) {
  matching::RuleSetHolder rules;
  const std::string problem = load_rules_into(rules, (dir_ / "none").string());
  EXPECT_NE(problem.find((dir_ / "none").string()), std::string::npos);
  EXPECT_EQ(load_rules_into(rules, std::string(EXPLAINER_SOURCE_DIR) + "/mappings"), "");
  EXPECT_NE(rules.current(), nullptr);
}

}  // namespace
}  // namespace explainer::app
