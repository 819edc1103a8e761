// InstanceLock: one explainerd per SQLite store file. Two daemons on one file would both
// deliver every row (SQLite has no leases); the second one refuses to start instead.
//
// An exclusive flock(2) on "<database>.lock", held for the object's lifetime. The kernel drops
// it when the process dies (kill -9 included), so a stale lock never blocks a restart. The
// file holds the holder's pid, for the error message. `explainer queue` and
// `explainerd --check-config` do not take it: they may run beside the daemon.
#pragma once

#include <memory>
#include <string>

namespace explainer::app {

class InstanceLock {
 public:
  // Takes the lock on `lock_path` (created if missing). Returns null and sets `error` (naming
  // the file and the holder's pid when known) if another process holds it or it cannot be
  // created.
  static std::unique_ptr<InstanceLock> acquire(const std::string& lock_path, std::string* error);
  ~InstanceLock();
  InstanceLock(const InstanceLock&) = delete;
  InstanceLock& operator=(const InstanceLock&) = delete;

 private:
  explicit InstanceLock(int fd) : fd_(fd) {}
  int fd_;
};

}  // namespace explainer::app
