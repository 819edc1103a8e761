#include "delivery/delivery_worker.h"

#include <algorithm>
#include <exception>
#include <stdexcept>

#include "core/log.h"

namespace explainer::delivery {

namespace {

using Millis = std::chrono::milliseconds;

core::Logger& logger() {
  static core::Logger instance = core::make_logger("delivery");
  return instance;
}

}  // namespace

namespace {

std::vector<Sink*> checked_sinks(std::vector<Sink*> sinks) {
  if (sinks.empty()) throw std::invalid_argument("delivery worker without a sink");
  for (Sink* sink : sinks) {
    if (sink == nullptr) throw std::invalid_argument("delivery worker with a null sink");
  }
  return sinks;
}

}  // namespace

DeliveryWorker::DeliveryWorker(store::MessageStore& store, std::string destination, Sink& sink,
                               RetryPolicy policy, WorkerOptions options, const core::Clock& clock)
    : DeliveryWorker(store, std::move(destination), std::vector<Sink*>{&sink}, policy, options,
                     clock) {}

DeliveryWorker::DeliveryWorker(store::MessageStore& store, std::string destination,
                               std::vector<Sink*> sinks, RetryPolicy policy, WorkerOptions options,
                               const core::Clock& clock)
    : store_(store),
      destination_(std::move(destination)),
      sinks_(checked_sinks(std::move(sinks))),
      policy_(policy),
      options_(options),
      clock_(clock) {
  policy_.validate();
  std::random_device seed;
  for (std::size_t i = 0; i < sinks_.size(); ++i) {
    auto slot = std::make_unique<Slot>();
    slot->index = static_cast<int>(i);
    slot->sink = sinks_[i];
    slot->random.seed(seed());
    slots_.push_back(std::move(slot));
  }
}

DeliveryWorker::~DeliveryWorker() {
  stop();
}

void DeliveryWorker::start() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (started_ || stopping_) return;
  started_ = true;
  for (auto& slot : slots_) {
    Slot* s = slot.get();
    threads_.emplace_back([this, s] { run(*s); });
  }
}

void DeliveryWorker::stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_cv_.notify_all();
  for (auto& thread : threads_) {
    if (thread.joinable() && thread.get_id() != std::this_thread::get_id()) thread.join();
  }
}

DeliveryCounters DeliveryWorker::counters() const {
  return {attempts_.load(), delivered_.load(), retries_.load(), dead_lettered_.load()};
}

void DeliveryWorker::wake() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    for (auto& slot : slots_) slot->signalled = true;
  }
  wake_cv_.notify_all();
}

void DeliveryWorker::run(Slot& slot) {
  try {
    store::Subscription subscription = store_.subscribe(destination_, [this] { wake(); });
    EXPLAINER_LOG(logger(), info) << "delivery_worker_started destination=" << destination_
                                  << " slot=" << slot.index << "/" << sinks_.size();
    std::unique_lock<std::mutex> lock(mutex_);
    while (!stopping_) {
      slot.signalled = false;  // anything committed from here on wakes the next wait
      lock.unlock();
      Millis sleep = options_.store_error_backoff;
      try {
        sleep = process_next(slot);
      } catch (const std::exception& e) {
        EXPLAINER_LOG(logger(), error) << "delivery_store_error destination=" << destination_
                                       << " reason=\"" << e.what() << "\"";
      } catch (...) {
        EXPLAINER_LOG(logger(), error) << "delivery_store_error destination=" << destination_;
      }
      lock.lock();
      if (sleep.count() > 0) {
        wake_cv_.wait_for(lock, sleep, [this, &slot] { return stopping_ || slot.signalled; });
      }
    }
  } catch (...) {
    EXPLAINER_LOG(logger(), fatal) << "delivery_worker_failed destination=" << destination_;
  }
  EXPLAINER_LOG(logger(), info) << "delivery_worker_stopped destination=" << destination_
                                << " slot=" << slot.index;
}

Millis DeliveryWorker::process_next(Slot& slot) {
  const std::int64_t now = clock_.now_unix_ms();
  store::NextPending next = sinks_.size() == 1
                                ? store_.next_pending(destination_, now)
                                : store_.claim_pending(destination_, slot.index, now);
  if (!next.item) {
    if (!next.head_due_at_ms) return options_.idle_poll;
    return std::clamp(Millis(*next.head_due_at_ms - now), Millis(1), options_.idle_poll);
  }
  const store::OutboxItem& head = *next.item;
  if (head.id != slot.backoff_item) {
    slot.backoff_item = head.id;
    slot.previous_delay = Millis(0);
  }
  DeliveryItem item;
  item.outbox_id = head.id;
  item.message_id = head.message_id;
  item.destination = destination_;
  item.payload = head.payload;
  item.control_id = head.control_id;
  item.attempt = head.attempts + 1;
  item.created_at_ms = head.created_at_ms;

  attempts_.fetch_add(1);
  const core::DeliveryOutcome outcome = call_sink(*slot.sink, item);
  switch (outcome.status) {
    case core::DeliveryStatus::kDelivered:
      store_.mark_delivered(item.outbox_id);
      delivered_.fetch_add(1);
      EXPLAINER_LOG(logger(), debug)
          << "delivered destination=" << destination_ << " outbox_id=" << item.outbox_id
          << " control_id=" << item.control_id;
      break;
    case core::DeliveryStatus::kPermanent: {
      const std::string reason = outcome.detail.empty() ? "permanent failure" : outcome.detail;
      store_.mark_dead(item.outbox_id, reason);
      dead_lettered_.fetch_add(1);
      EXPLAINER_LOG(logger(), warning)
          << "delivery_refused destination=" << destination_ << " outbox_id=" << item.outbox_id
          << " control_id=" << item.control_id << " reason=\"" << reason << "\"";
      break;
    }
    case core::DeliveryStatus::kRetry: {
      const std::string reason = outcome.detail.empty() ? "transient failure" : outcome.detail;
      if (policy_.exhausted(item.attempt)) {
        store_.mark_dead(item.outbox_id,
                         "gave up after " + std::to_string(item.attempt) + " attempts: " + reason);
        dead_lettered_.fetch_add(1);
        EXPLAINER_LOG(logger(), warning)
            << "delivery_gave_up destination=" << destination_ << " outbox_id=" << item.outbox_id
            << " control_id=" << item.control_id << " attempts=" << item.attempt << " reason=\""
            << reason << "\"";
        break;
      }
      const Millis delay = policy_.delay(item.attempt, slot.previous_delay, slot.random);
      slot.previous_delay = delay;
      store_.mark_retry(item.outbox_id, clock_.now_unix_ms() + delay.count(), reason);
      retries_.fetch_add(1);
      EXPLAINER_LOG(logger(), info)
          << "delivery_retry destination=" << destination_ << " outbox_id=" << item.outbox_id
          << " attempt=" << item.attempt << " delay_ms=" << delay.count() << " reason=\"" << reason
          << "\"";
      break;
    }
  }
  return Millis(0);
}

core::DeliveryOutcome DeliveryWorker::call_sink(Sink& sink, const DeliveryItem& item) {
  try {
    return sink.deliver(item);
  } catch (const std::exception& e) {
    return core::DeliveryOutcome::retry(std::string("sink threw: ") + e.what());
  } catch (...) {
    return core::DeliveryOutcome::retry("sink threw an unknown exception");
  }
}

}  // namespace explainer::delivery
