#include "store/work_notifier.h"

namespace explainer::store {

Subscription WorkNotifier::subscribe(const std::string& destination,
                                     std::function<void()> callback) {
  std::lock_guard<std::mutex> lock(mutex_);
  const std::uint64_t key = next_key_++;
  entries_.emplace(key, Entry{destination, std::move(callback)});
  return Subscription([this, key] {
    std::lock_guard<std::mutex> inner(mutex_);
    entries_.erase(key);
  });
}

void WorkNotifier::notify(const std::string& destination) {
  std::lock_guard<std::mutex> lock(mutex_);
  for (auto& [key, entry] : entries_) {
    if (entry.destination != destination || !entry.callback) continue;
    try {
      entry.callback();
    } catch (...) {
      // A subscriber's failure must not stop the others nor the committing thread.
    }
  }
}

}  // namespace explainer::store
