// DeliveryWorker: drains one destination's outbox, strictly in order, through one Sink.
//
// Head-of-line: the worker only ever works on the destination's oldest pending item; an
// item waiting for its retry blocks the ones behind it (HL7 ordering). Outcomes:
//   kDelivered             -> mark_delivered, next item
//   kRetry (or exception)  -> mark_retry after RetryPolicy::delay(); once the policy is
//                             exhausted -> mark_dead("gave up after N attempts: <reason>")
//   kPermanent             -> mark_dead(<reason>), next item
// Delivery is at-least-once: if the store cannot record an outcome, the item stays pending
// and is sent again after store_error_backoff.
//
// Waiting: the worker sleeps until the store signals new work for its destination
// (MessageStore::subscribe), the head becomes due, idle_poll elapses (to see changes made
// by another process, e.g. `explainer queue retry`), or stop() is called. No busy loop.
//
// Bounded parallelism (the constructor taking several sinks, N > 1): N threads ("slots"),
// each with its own Sink, deliver up to N rows of the destination at once; each slot claims
// its row with MessageStore::claim_pending(). A row waiting for its retry then does not block
// the others, so the order of delivery is NOT kept; use it only for destinations that do not
// need HL7 ordering. Outcomes, retries and waiting are as above, per slot.
//
// Thread safety: start(), stop(), counters() may be called from any thread. The store, the
// sinks and the clock must outlive the worker. One worker per destination per store.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "core/clock.h"
#include "delivery/retry_policy.h"
#include "delivery/sink.h"
#include "store/message_store.h"

namespace explainer::delivery {

struct DeliveryCounters {
  std::uint64_t attempts = 0;  // sink calls
  std::uint64_t delivered = 0;
  std::uint64_t retries = 0;        // transient failures scheduled for another attempt
  std::uint64_t dead_lettered = 0;  // permanent failures and exhausted retries
};

struct WorkerOptions {
  // Longest sleep without a signal; bounds how late another process's changes are seen.
  std::chrono::milliseconds idle_poll{2000};
  // Pause after the store failed (unavailable, disk full) before trying again.
  std::chrono::milliseconds store_error_backoff{1000};
};

class DeliveryWorker {
 public:
  DeliveryWorker(store::MessageStore& store, std::string destination, Sink& sink,
                 RetryPolicy policy, WorkerOptions options = {},
                 const core::Clock& clock = core::SystemClock::instance());
  // One slot per sink (bounded parallelism when more than one). Throws std::invalid_argument
  // for an empty list or a null sink.
  DeliveryWorker(store::MessageStore& store, std::string destination, std::vector<Sink*> sinks,
                 RetryPolicy policy, WorkerOptions options = {},
                 const core::Clock& clock = core::SystemClock::instance());
  // Stops the worker if it is running.
  ~DeliveryWorker();
  DeliveryWorker(const DeliveryWorker&) = delete;
  DeliveryWorker& operator=(const DeliveryWorker&) = delete;

  // Starts the worker thread (one per slot). Call once.
  void start();
  // Wakes the worker from any wait or backoff and joins it; returns as soon as a deliver()
  // call in progress (if any) returns. Idempotent.
  void stop();

  const std::string& destination() const { return destination_; }
  int parallelism() const { return static_cast<int>(sinks_.size()); }
  DeliveryCounters counters() const;

 private:
  // Worker-thread state of one slot.
  struct Slot {
    int index = 0;
    Sink* sink = nullptr;
    bool signalled = false;  // guarded by mutex_: new work since the slot's last look
    // Backoff state of the slot's current item.
    store::OutboxId backoff_item = 0;
    std::chrono::milliseconds previous_delay{0};
    std::mt19937_64 random;
  };

  void run(Slot& slot);
  // Handles the slot's next item if one is due. Returns how long to sleep before looking
  // again (zero: look again at once).
  std::chrono::milliseconds process_next(Slot& slot);
  core::DeliveryOutcome call_sink(Sink& sink, const DeliveryItem& item);
  void wake();

  store::MessageStore& store_;
  const std::string destination_;
  const std::vector<Sink*> sinks_;
  const RetryPolicy policy_;
  const WorkerOptions options_;
  const core::Clock& clock_;

  std::mutex mutex_;
  std::condition_variable wake_cv_;
  bool stopping_ = false;  // guarded by mutex_
  bool started_ = false;   // guarded by mutex_
  std::vector<std::unique_ptr<Slot>> slots_;
  std::vector<std::thread> threads_;

  std::atomic<std::uint64_t> attempts_{0};
  std::atomic<std::uint64_t> delivered_{0};
  std::atomic<std::uint64_t> retries_{0};
  std::atomic<std::uint64_t> dead_lettered_{0};
};

}  // namespace explainer::delivery
