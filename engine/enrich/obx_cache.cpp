#include "enrich/obx_cache.h"

namespace explainer::enrich {

std::shared_ptr<const std::string> ExplanationObxCache::get_or_build(
    const std::shared_ptr<const content::ContentLibrary>& library, const std::string& key,
    const std::function<std::string()>& build) {
  {
    std::lock_guard lock(mutex_);
    if (library_ == library) {
      const auto found = entries_.find(key);
      if (found != entries_.end()) return found->second;
    }
  }
  auto built = std::make_shared<const std::string>(build());
  std::lock_guard lock(mutex_);
  if (library_ != library) {
    entries_.clear();
    library_ = library;
  }
  if (entries_.size() >= kMaxEntries) entries_.clear();
  return entries_.try_emplace(key, std::move(built)).first->second;
}

std::size_t ExplanationObxCache::size() const {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

}  // namespace explainer::enrich
