// Builds a RuleSet from parsed mapping files (internal to engine/matching; used by
// RuleSet::load_sources). Collects every error it finds instead of stopping at the first.
#pragma once

#include <rapidjson/document.h>

#include <memory>
#include <string>
#include <vector>

#include "matching/json_source.h"
#include "matching/rule_set.h"
#include "matching/text.h"

namespace explainer::matching {

class RuleSetBuilder {
 public:
  explicit RuleSetBuilder(std::vector<LoadError>& errors)
      : rules_(std::make_shared<RuleSet>()), errors_(errors) {}

  void load_normalization(const SourceFile& file);
  void load_lexicon(const SourceFile& file);
  void load_findings(const SourceFile& file);
  std::shared_ptr<RuleSet> finish(std::string version) {
    rules_->version_ = std::move(version);
    return rules_;
  }
  std::string lexicon_version;
  std::vector<std::string> finding_versions;

 private:
  using Value = rapidjson::Value;

  void error(const std::string& file, int line, std::string reason) {
    errors_.push_back({file, line, std::move(reason)});
  }
  bool open(const SourceFile& file, const JsonSource& json, const char* array_key);
  bool check_keys(const SourceFile& file, const JsonSource& json, const Value& obj,
                  std::initializer_list<std::string_view> allowed);
  bool string_list(const SourceFile& file, const JsonSource& json, const Value& obj,
                   const char* key, std::vector<std::string>& out);
  std::uint32_t intern(std::string_view word);
  // Tokenises a phrase into token ids; false (with `why`) if it has no words or has punctuation.
  bool phrase_ids(std::string_view phrase, std::vector<std::uint32_t>& ids, std::string& why);
  bool add_phrase(const SourceFile& file, const JsonSource& json, const Value& where,
                  std::string_view phrase, PhraseTarget target);

  std::shared_ptr<RuleSet> rules_;
  std::vector<LoadError>& errors_;
  std::vector<Token> tokens_;
  std::string norm_;
  RuleSet::StringMap<std::pair<std::string, int>> id_origin_;
  RuleSet::StringMap<std::uint32_t> cue_by_phrase_;
};

}  // namespace explainer::matching
