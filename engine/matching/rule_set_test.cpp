#include "matching/rule_set.h"

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "matching/test_support.h"

namespace explainer::matching {
namespace {

using testing::repo_path;
using testing::repo_rules;

std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct CatalogueEntry {
  std::string sensitivity;
};

std::map<std::string, CatalogueEntry> catalogue() {
  std::map<std::string, CatalogueEntry> out;
  std::ifstream in(repo_path("mappings/finding-catalogue.tsv"));
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    std::string id, title, sensitivity;
    std::getline(fields, id, '\t');
    std::getline(fields, title, '\t');
    std::getline(fields, sensitivity, '\t');
    out[id] = {sensitivity};
  }
  return out;
}

TEST(RepoMappings, LoadWithoutErrors) {
  const auto rules = repo_rules();
  ASSERT_NE(rules, nullptr);
  EXPECT_FALSE(rules->cues().empty());
  EXPECT_NE(rules->version().find("sha="), std::string::npos);
}

TEST(RepoMappings, CoverExactlyTheCatalogue) {
  const auto rules = repo_rules();
  ASSERT_NE(rules, nullptr);
  const auto cat = catalogue();
  ASSERT_EQ(cat.size(), 45u);
  std::set<std::string> seen;
  for (const auto& f : rules->findings()) {
    seen.insert(f.id);
    const auto it = cat.find(f.id);
    ASSERT_NE(it, cat.end()) << "rule id not in catalogue: " << f.id;
    EXPECT_EQ(f.content_id, f.id);
    EXPECT_EQ(to_string(f.sensitivity), it->second.sensitivity) << f.id;
    EXPECT_FALSE(f.phrases.empty()) << f.id;
  }
  for (const auto& [id, entry] : cat) EXPECT_TRUE(seen.count(id)) << "no rules for " << id;
}

// The contract other components rely on, checked on the raw files.
TEST(RepoMappings, FindingFilesHonourTheContract) {
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(repo_path("mappings/findings"))) {
    if (entry.path().extension() != ".json") continue;
    ++files;
    rapidjson::Document doc;
    const std::string text = read_file(entry.path());
    doc.Parse(text.c_str());
    ASSERT_FALSE(doc.HasParseError()) << entry.path();
    ASSERT_TRUE(doc.HasMember("format_version")) << entry.path();
    ASSERT_TRUE(doc.HasMember("findings") && doc["findings"].IsArray()) << entry.path();
    for (const auto& f : doc["findings"].GetArray()) {
      for (const char* key : {"id", "content_id", "display", "sensitivity"}) {
        EXPECT_TRUE(f.HasMember(key) && f[key].IsString()) << entry.path() << " " << key;
      }
    }
  }
  EXPECT_GE(files, 5);
}

// ---- error reporting ------------------------------------------------------

const char* kNormalization = R"({"format_version": 1, "token_variants": {"tear": ["tears"]}})";
const char* kLexicon = R"({"format_version": 1, "groups": [
  {"kind": "trigger", "assertion": "negated", "direction": "forward", "phrases": ["no"]}
]})";

LoadResult load_findings(const std::string& text) {
  return RuleSet::load_sources({"normalization.json", kNormalization}, {"lexicon.json", kLexicon},
                               {{"test.json", text}});
}

void expect_error(const LoadResult& r, int line, const std::string& fragment) {
  EXPECT_EQ(r.rules, nullptr);
  ASSERT_FALSE(r.errors.empty());
  bool found = false;
  for (const auto& e : r.errors) {
    if (e.line == line && e.reason.find(fragment) != std::string::npos && e.file == "test.json") {
      found = true;
    }
  }
  std::ostringstream all;
  for (const auto& e : r.errors) all << e.file << ":" << e.line << ": " << e.reason << "\n";
  EXPECT_TRUE(found) << "wanted line " << line << " '" << fragment << "', got:\n" << all.str();
}

TEST(RuleErrors, SyntaxErrorReportsLine) {
  expect_error(
      load_findings("{\n  \"format_version\": 1,\n  \"findings\": [\n    {\"id\": }\n  ]\n}"), 4,
      "invalid JSON");
}

TEST(RuleErrors, MissingIdReportsObjectLine) {
  expect_error(load_findings(R"({
  "format_version": 1,
  "findings": [
    {"id": "a", "content_id": "a", "display": "A", "sensitivity": "routine", "phrases": ["a"]},
    {"content_id": "b", "display": "B", "sensitivity": "routine", "phrases": ["b"]}
  ]
})"),
               5, "missing \"id\"");
}

TEST(RuleErrors, DuplicateIdReportsSecondDefinition) {
  expect_error(load_findings(R"({
  "format_version": 1,
  "findings": [
    {"id": "a", "content_id": "a", "display": "A", "sensitivity": "routine", "phrases": ["a"]},
    {"id": "b", "content_id": "b", "display": "B", "sensitivity": "routine", "phrases": ["b"]},
    {
      "id": "a", "content_id": "a", "display": "A", "sensitivity": "routine", "phrases": ["c"]}
  ]
})"),
               7, "duplicate id \"a\" (first defined at test.json:4)");
}

TEST(RuleErrors, UnknownSensitivity) {
  expect_error(load_findings(R"({
  "format_version": 1,
  "findings": [
    {"id": "a", "content_id": "a", "display": "A",
     "sensitivity": "urgent", "phrases": ["a"]}
  ]
})"),
               5, "unknown sensitivity \"urgent\"");
}

TEST(RuleErrors, EmptyPhrase) {
  expect_error(load_findings(R"({
  "format_version": 1,
  "findings": [
    {"id": "a", "content_id": "a", "display": "A", "sensitivity": "routine",
     "phrases": ["ok",
                 "  "]}
  ]
})"),
               6, "empty phrase");
}

TEST(RuleErrors, UnknownKeyAndBadFormatVersion) {
  expect_error(load_findings(R"({
  "format_version": 1,
  "findings": [
    {"id": "a", "content_id": "a", "display": "A", "sensitivity": "routine",
     "phrase": ["typo"], "phrases": ["a"]}
  ]
})"),
               5, "unknown key \"phrase\"");
  expect_error(load_findings("{\"format_version\": 2, \"findings\": []}"), 1, "format_version");
}

TEST(RuleErrors, LexiconErrorsNameTheLexiconFile) {
  const auto r = RuleSet::load_sources(
      {"normalization.json", kNormalization},
      {"lexicon.json",
       "{\"format_version\": 1, \"groups\": [\n {\"kind\": \"trigger\", "
       "\"assertion\": \"maybe\", \"direction\": \"forward\", \"phrases\": [\"x\"]}]}"},
      {{"test.json", R"({"format_version": 1, "findings": [
        {"id": "a", "content_id": "a", "display": "A", "sensitivity": "routine", "phrases": ["a"]}]})"}});
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].file, "lexicon.json");
  EXPECT_EQ(r.errors[0].line, 2);
  EXPECT_EQ(r.rules, nullptr);
}

TEST(RuleErrors, LoadDirectoryReportsMissingFiles) {
  const auto r = RuleSet::load_directory(std::filesystem::path(EXPLAINER_BINARY_DIR) / "no-such");
  EXPECT_EQ(r.rules, nullptr);
  EXPECT_FALSE(r.errors.empty());
}

TEST(RuleSetLoad, ValidSourcesBuildASnapshot) {
  const auto r = load_findings(R"j({"format_version": 1, "rules_version": "t1", "findings": [
    {"id": "a", "content_id": "content_a", "display": "A", "sensitivity": "follow-up",
     "codes": [{"system": "SCT", "code": "123"}], "phrases": ["alpha (beta|)"]}]})j");
  ASSERT_TRUE(r.ok());
  ASSERT_NE(r.rules->find("a"), nullptr);
  EXPECT_EQ(r.rules->find("a")->content_id, "content_a");
  EXPECT_EQ(r.rules->find("a")->sensitivity, Sensitivity::kFollowUp);
  EXPECT_NE(r.rules->version().find("findings=t1"), std::string::npos);
}

}  // namespace
}  // namespace explainer::matching
