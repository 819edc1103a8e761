// Shared helpers for the matching tests: the repository's rule set, loaded once.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>

#include "matching/rule_set.h"

namespace explainer::matching::testing {

inline std::filesystem::path repo_path(const std::filesystem::path& relative) {
  return std::filesystem::path(EXPLAINER_SOURCE_DIR) / relative;
}

inline std::shared_ptr<const RuleSet> repo_rules() {
  static const std::shared_ptr<const RuleSet> rules = [] {
    LoadResult r = RuleSet::load_directory(repo_path("mappings"));
    for (const auto& e : r.errors) {
      ADD_FAILURE() << e.file << ":" << e.line << ": " << e.reason;
    }
    return r.rules;
  }();
  return rules;
}

}  // namespace explainer::matching::testing
