// Holds the current RuleSet snapshot and swaps it atomically on reload.
//
// Thread safety: all members may be called concurrently. Readers take a snapshot with
// current() and keep using it for a whole report; a reload never blocks them beyond the
// pointer copy, and a failed reload keeps the previous snapshot (all-or-nothing loading).
// The pointer is guarded by a mutex rather than std::atomic<std::shared_ptr>: GCC 12's
// implementation of the latter is reported racy by ThreadSanitizer (a relaxed unlock in load()).
#pragma once

#include <filesystem>
#include <memory>
#include <mutex>

#include "matching/rule_set.h"

namespace explainer::matching {

class RuleSetHolder {
 public:
  RuleSetHolder() = default;
  explicit RuleSetHolder(std::shared_ptr<const RuleSet> initial) : current_(std::move(initial)) {}

  // The snapshot in use now (null before the first successful load).
  std::shared_ptr<const RuleSet> current() const {
    std::lock_guard lock(current_mutex_);
    return current_;
  }

  // Loads `dir`; on success replaces the snapshot, on failure keeps it. Concurrent
  // reloads are serialised. Returns the load result (errors with file/line/reason).
  LoadResult reload(const std::filesystem::path& dir);

  void replace(std::shared_ptr<const RuleSet> rules) {
    std::lock_guard lock(current_mutex_);
    current_ = std::move(rules);
  }

 private:
  mutable std::mutex current_mutex_;
  std::shared_ptr<const RuleSet> current_;
  std::mutex reload_mutex_;
};

}  // namespace explainer::matching
