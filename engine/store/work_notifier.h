// WorkNotifier: the in-process "new work for destination X" fan-out that backends use to
// implement MessageStore::subscribe().
//
// Thread safety: all members may be called from any thread. notify() runs the callbacks
// of that destination on the calling thread, one at a time; a Subscription's destructor
// waits for a running callback of its own to finish, so a callback must never destroy
// its own Subscription nor call notify().
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>

#include "store/message_store.h"

namespace explainer::store {

class WorkNotifier {
 public:
  WorkNotifier() = default;
  WorkNotifier(const WorkNotifier&) = delete;
  WorkNotifier& operator=(const WorkNotifier&) = delete;

  // The notifier must outlive the returned Subscription.
  Subscription subscribe(const std::string& destination, std::function<void()> callback);
  void notify(const std::string& destination);

 private:
  struct Entry {
    std::string destination;
    std::function<void()> callback;
  };
  std::mutex mutex_;  // guards entries_ and serialises callbacks with unsubscription
  std::map<std::uint64_t, Entry> entries_;
  std::uint64_t next_key_ = 1;
};

}  // namespace explainer::store
