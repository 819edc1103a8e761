#include "delivery/delivery_worker.h"

#include <gtest/gtest.h>

#include <future>
#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>
#include <vector>

#include "delivery/delivery_service.h"
#include "delivery/file_sink.h"
#include "store/sqlite/sqlite_store.h"
#include "store/test_dir.h"

namespace explainer::delivery {
namespace {

using std::chrono::milliseconds;
using Status = core::DeliveryStatus;

// Waits (bounded, generously) for a condition the worker thread will make true.
template <typename Predicate>
bool eventually(Predicate predicate, milliseconds limit = milliseconds(10'000)) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (predicate()) return true;
    std::this_thread::sleep_for(milliseconds(2));
  }
  return predicate();
}

// Answers each call with a scripted outcome chosen from the payload and call count;
// records every call.
class ScriptedSink : public Sink {
 public:
  using Script = std::function<core::DeliveryOutcome(const DeliveryItem&, int call)>;
  explicit ScriptedSink(Script script) : script_(std::move(script)) {}
  core::DeliveryOutcome deliver(const DeliveryItem& item) override {
    int call = 0;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      calls_.push_back(item.payload);
      attempts_.push_back(item.attempt);
      call = static_cast<int>(calls_.size());
    }
    auto outcome = script_(item, call);
    if (outcome.status == Status::kDelivered) {
      std::lock_guard<std::mutex> lock(mutex_);
      delivered_.push_back(item.payload);
    }
    return outcome;
  }
  std::vector<std::string> calls() {
    std::lock_guard<std::mutex> lock(mutex_);
    return calls_;
  }
  std::vector<int> attempts() {
    std::lock_guard<std::mutex> lock(mutex_);
    return attempts_;
  }
  std::vector<std::string> delivered() {
    std::lock_guard<std::mutex> lock(mutex_);
    return delivered_;
  }

 private:
  Script script_;
  std::mutex mutex_;
  std::vector<std::string> calls_;
  std::vector<int> attempts_;
  std::vector<std::string> delivered_;
};

core::DeliveryOutcome always_deliver(const DeliveryItem&, int) {
  return core::DeliveryOutcome::delivered();
}

RetryPolicy quick_policy(int max_attempts = 0) {
  RetryPolicy policy;
  policy.initial_delay = milliseconds(5);
  policy.multiplier = 1.0;
  policy.max_delay = milliseconds(5);
  policy.max_attempts = max_attempts;
  policy.jitter = Jitter::kNone;
  return policy;
}

class DeliveryWorkerTest : public ::testing::Test {
 protected:
  DeliveryWorkerTest() { open_store(); }
  void open_store() {
    store::sqlite::SqliteStoreOptions options;
    options.path = dir_.file("store.db");
    store_ = store::sqlite::SqliteStore::open(options);
  }
  void enqueue(const std::string& payload, const std::string& destination = "dest") {
    store::InboundMessage message;
    message.source = "test";
    message.format = "hl7v2";
    message.control_id = payload;
    message.dedupe_key = "key-" + payload;
    message.received_at_ms = core::SystemClock::instance().now_unix_ms();
    message.payload = payload;
    ASSERT_TRUE(
        std::holds_alternative<store::Accepted>(store_->accept(message, {{destination, payload}})));
  }
  bool nothing_pending(const std::string& destination = "dest") {
    const auto next = store_->next_pending(destination, INT64_MAX);
    return !next.item && !next.head_due_at_ms;
  }

  store::testing::TempDir dir_;
  std::unique_ptr<store::sqlite::SqliteStore> store_;
};

TEST_F(DeliveryWorkerTest, DeliversEverythingInOrder) {
  for (const char* payload : {"m1", "m2", "m3", "m4", "m5"}) enqueue(payload);
  ScriptedSink sink(always_deliver);
  DeliveryWorker worker(*store_, "dest", sink, quick_policy());
  worker.start();
  ASSERT_TRUE(eventually([&] { return sink.delivered().size() == 5; }));
  worker.stop();
  EXPECT_EQ(sink.delivered(), (std::vector<std::string>{"m1", "m2", "m3", "m4", "m5"}));
  EXPECT_TRUE(nothing_pending());
  EXPECT_EQ(worker.counters().delivered, 5u);
  EXPECT_EQ(worker.counters().attempts, 5u);
}

TEST_F(DeliveryWorkerTest, ARetryingHeadHoldsBackLaterItems) {
  for (const char* payload : {"a", "b", "c"}) enqueue(payload);
  ScriptedSink sink([](const DeliveryItem&, int call) {
    return call <= 3 ? core::DeliveryOutcome::retry("HTTP 503")
                     : core::DeliveryOutcome::delivered();
  });
  DeliveryWorker worker(*store_, "dest", sink, quick_policy());
  worker.start();
  ASSERT_TRUE(eventually([&] { return sink.delivered().size() == 3; }));
  worker.stop();
  EXPECT_EQ(sink.calls(), (std::vector<std::string>{"a", "a", "a", "a", "b", "c"}));
  EXPECT_EQ(sink.attempts(), (std::vector<int>{1, 2, 3, 4, 1, 1}));
  EXPECT_EQ(worker.counters().retries, 3u);
  EXPECT_EQ(worker.counters().delivered, 3u);
}

TEST_F(DeliveryWorkerTest, APermanentFailureIsDeadLetteredAndTheNextItemFlows) {
  for (const char* payload : {"ok1", "bad", "ok2"}) enqueue(payload);
  ScriptedSink sink([](const DeliveryItem& item, int) {
    return item.payload == "bad" ? core::DeliveryOutcome::permanent("AR: unknown patient")
                                 : core::DeliveryOutcome::delivered();
  });
  DeliveryWorker worker(*store_, "dest", sink, quick_policy());
  worker.start();
  ASSERT_TRUE(eventually([&] { return sink.delivered().size() == 2; }));
  worker.stop();
  EXPECT_EQ(sink.delivered(), (std::vector<std::string>{"ok1", "ok2"}));
  const auto dead = store_->list_dead("dest");
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_EQ(dead[0].control_id, "bad");
  EXPECT_EQ(dead[0].last_error, "AR: unknown patient");
  EXPECT_EQ(worker.counters().dead_lettered, 1u);
}

TEST_F(DeliveryWorkerTest, ExhaustedRetriesAreDeadLetteredWithTheLastReason) {
  enqueue("flaky");
  enqueue("fine");
  ScriptedSink sink([](const DeliveryItem& item, int call) {
    return item.payload == "flaky"
               ? core::DeliveryOutcome::retry("timeout #" + std::to_string(call))
               : core::DeliveryOutcome::delivered();
  });
  DeliveryWorker worker(*store_, "dest", sink, quick_policy(3));
  worker.start();
  ASSERT_TRUE(eventually([&] { return sink.delivered().size() == 1; }));
  worker.stop();
  EXPECT_EQ(sink.calls(), (std::vector<std::string>{"flaky", "flaky", "flaky", "fine"}));
  const auto dead = store_->list_dead();
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_EQ(dead[0].last_error, "gave up after 3 attempts: timeout #3");
  EXPECT_EQ(dead[0].attempts, 3);
}

TEST_F(DeliveryWorkerTest, ASinkExceptionIsARetryWithItsMessage) {
  enqueue("m1");
  ScriptedSink sink([](const DeliveryItem&, int call) -> core::DeliveryOutcome {
    if (call <= 2) throw std::runtime_error("socket reset");
    return core::DeliveryOutcome::delivered();
  });
  DeliveryWorker worker(*store_, "dest", sink, quick_policy(5));
  worker.start();
  ASSERT_TRUE(eventually([&] { return sink.delivered().size() == 1; }));
  worker.stop();
  EXPECT_EQ(worker.counters().retries, 2u);
  EXPECT_EQ(worker.counters().attempts, 3u);
  EXPECT_TRUE(nothing_pending());
}

TEST_F(DeliveryWorkerTest, BackoffIsNotABusyLoop) {
  enqueue("down");
  ScriptedSink sink(
      [](const DeliveryItem&, int) { return core::DeliveryOutcome::retry("connection refused"); });
  RetryPolicy policy;
  policy.initial_delay = milliseconds(100);
  policy.multiplier = 2.0;
  policy.max_delay = milliseconds(10'000);
  policy.jitter = Jitter::kNone;
  WorkerOptions options;
  options.idle_poll = milliseconds(20);  // frequent wake-ups must not mean attempts
  DeliveryWorker worker(*store_, "dest", sink, policy, options);
  worker.start();
  std::this_thread::sleep_for(milliseconds(700));
  worker.stop();
  // Attempts at t = 0, 100, 300, 700 ms at the earliest: never more than 4 in 700 ms.
  const auto calls = sink.calls().size();
  EXPECT_GE(calls, 2u);
  EXPECT_LE(calls, 4u);
}

TEST_F(DeliveryWorkerTest, StopInterruptsABackoffPromptly) {
  enqueue("down");
  ScriptedSink sink([](const DeliveryItem&, int) { return core::DeliveryOutcome::retry("503"); });
  RetryPolicy policy;
  policy.initial_delay = milliseconds(600'000);
  policy.max_delay = milliseconds(600'000);
  policy.jitter = Jitter::kNone;
  WorkerOptions options;
  options.idle_poll = milliseconds(600'000);
  DeliveryWorker worker(*store_, "dest", sink, policy, options);
  worker.start();
  ASSERT_TRUE(eventually([&] { return worker.counters().retries == 1; }));
  auto stopped = std::async(std::launch::async, [&] { worker.stop(); });
  // The backoff is ten minutes; stopping must not wait for it.
  EXPECT_EQ(stopped.wait_for(std::chrono::seconds(10)), std::future_status::ready);
  EXPECT_EQ(sink.calls().size(), 1u);
}

TEST_F(DeliveryWorkerTest, NewWorkWakesAnIdleWorker) {
  ScriptedSink sink(always_deliver);
  WorkerOptions options;
  options.idle_poll = milliseconds(600'000);  // only the store's signal can wake it in time
  DeliveryWorker worker(*store_, "dest", sink, quick_policy(), options);
  worker.start();
  std::this_thread::sleep_for(milliseconds(50));  // let it go idle (not required for success)
  enqueue("m1");
  ASSERT_TRUE(eventually([&] { return sink.delivered().size() == 1; }));
  enqueue("m2");
  ASSERT_TRUE(eventually([&] { return sink.delivered().size() == 2; }));
  worker.stop();
}

TEST_F(DeliveryWorkerTest, PendingItemsSurviveARestart) {
  ScriptedSink first_sink(always_deliver);
  enqueue("before");
  {
    DeliveryWorker worker(*store_, "dest", first_sink, quick_policy());
    worker.start();
    ASSERT_TRUE(eventually([&] { return first_sink.delivered().size() == 1; }));
    worker.stop();
  }
  enqueue("pending1");
  enqueue("pending2");
  store_.reset();  // "crash": nothing more happens in this process's store
  open_store();
  ScriptedSink second_sink(always_deliver);
  DeliveryWorker worker(*store_, "dest", second_sink, quick_policy());
  worker.start();
  ASSERT_TRUE(eventually([&] { return second_sink.delivered().size() == 2; }));
  worker.stop();
  EXPECT_EQ(second_sink.calls(), (std::vector<std::string>{"pending1", "pending2"}));
}

TEST_F(DeliveryWorkerTest, OperatorRetryOfADeadItemIsDeliveredAgain) {
  enqueue("m1");
  std::atomic<bool> peer_fixed{false};
  ScriptedSink sink([&](const DeliveryItem&, int) {
    return peer_fixed ? core::DeliveryOutcome::delivered()
                      : core::DeliveryOutcome::permanent("HTTP 422");
  });
  DeliveryWorker worker(*store_, "dest", sink, quick_policy());
  worker.start();
  ASSERT_TRUE(eventually([&] { return store_->list_dead().size() == 1; }));
  peer_fixed = true;
  ASSERT_EQ(store_->retry_all_dead(), 1);
  ASSERT_TRUE(eventually([&] { return sink.delivered().size() == 1; }));
  worker.stop();
  EXPECT_TRUE(store_->list_dead().empty());
}

TEST_F(DeliveryWorkerTest, ServiceRunsOneWorkerPerDestination) {
  enqueue("p1", "portal");
  enqueue("e1", "ehr");
  enqueue("p2", "portal");
  auto portal = std::make_shared<ScriptedSink>(always_deliver);
  auto ehr = std::make_shared<FileSink>(FileSinkOptions{dir_.path() / "ehr-drop", ".hl7", true});
  DeliveryService service(*store_,
                          {{"portal", portal, quick_policy()}, {"ehr", ehr, quick_policy()}});
  service.start();
  ASSERT_TRUE(eventually([&] {
    const auto counters = service.counters();
    return counters.at("portal").delivered == 2 && counters.at("ehr").delivered == 1;
  }));
  service.stop();
  EXPECT_EQ(portal->delivered(), (std::vector<std::string>{"p1", "p2"}));
  EXPECT_TRUE(nothing_pending("portal"));
  EXPECT_TRUE(nothing_pending("ehr"));
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir_.path() / "ehr-drop")) {
    (void)entry;
    files++;
  }
  EXPECT_EQ(files, 1);
}

TEST_F(DeliveryWorkerTest, ServiceRejectsABadConfiguration) {
  auto sink = std::make_shared<ScriptedSink>(always_deliver);
  EXPECT_THROW(DeliveryService(*store_, {{"a", sink, {}}, {"a", sink, {}}}), std::invalid_argument);
  EXPECT_THROW(DeliveryService(*store_, {{"a", nullptr, {}}}), std::invalid_argument);
  EXPECT_THROW(DeliveryService(*store_, {{"", sink, {}}}), std::invalid_argument);
}

}  // namespace
}  // namespace explainer::delivery
