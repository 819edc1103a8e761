#include "matching/rule_holder.h"

namespace explainer::matching {

LoadResult RuleSetHolder::reload(const std::filesystem::path& dir) {
  std::lock_guard<std::mutex> lock(reload_mutex_);
  LoadResult result = RuleSet::load_directory(dir);
  if (result.ok()) replace(result.rules);
  return result;
}

}  // namespace explainer::matching
