// Bounded parallelism per destination: N slots deliver up to N rows at once, each row once,
// a retrying row does not hold the others back; DeliveryService wires it from its config.
#include <gtest/gtest.h>

#include <algorithm>
#include <condition_variable>
#include <map>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "delivery/delivery_service.h"
#include "delivery/delivery_worker.h"
#include "store/sqlite/sqlite_store.h"
#include "store/test_dir.h"

namespace explainer::delivery {
namespace {

using std::chrono::milliseconds;

// Shared by the sinks of all slots: how many deliver() calls run at once, what was delivered.
struct Peer {
  std::mutex mutex;
  std::condition_variable changed;
  int in_flight = 0;
  int most_in_flight = 0;
  int hold_until_in_flight = 0;      // a call waits (bounded) until this many run at once
  std::map<std::string, int> calls;  // payload -> deliver() calls
  std::vector<std::string> delivered;
  std::set<std::string> fail_first;  // payloads whose first call is a transient failure
};

class PeerSink : public Sink {
 public:
  explicit PeerSink(Peer& peer) : peer_(peer) {}
  core::DeliveryOutcome deliver(const DeliveryItem& item) override {
    std::unique_lock<std::mutex> lock(peer_.mutex);
    ++peer_.in_flight;
    peer_.most_in_flight = std::max(peer_.most_in_flight, peer_.in_flight);
    peer_.changed.notify_all();
    peer_.changed.wait_for(lock, milliseconds(2000),
                           [&] { return peer_.in_flight >= peer_.hold_until_in_flight; });
    --peer_.in_flight;
    const int call = ++peer_.calls[item.payload];
    if (call == 1 && peer_.fail_first.count(item.payload)) {
      return core::DeliveryOutcome::retry("peer busy");
    }
    peer_.delivered.push_back(item.payload);
    peer_.changed.notify_all();
    return core::DeliveryOutcome::delivered();
  }

 private:
  Peer& peer_;
};

RetryPolicy quick_policy() {
  RetryPolicy policy;
  policy.initial_delay = milliseconds(1000);
  policy.multiplier = 1.0;
  policy.max_delay = milliseconds(1000);
  policy.jitter = Jitter::kNone;
  return policy;
}

class ParallelDeliveryTest : public ::testing::Test {
 protected:
  ParallelDeliveryTest() {
    store::sqlite::SqliteStoreOptions options;
    options.path = dir_.file("store.db");
    store_ = store::sqlite::SqliteStore::open(options);
  }
  void enqueue(int count) {
    for (int i = 0; i < count; ++i) {
      store::InboundMessage message;
      message.source = "test";
      message.format = "hl7v2";
      message.control_id = "m" + std::to_string(i);
      message.dedupe_key = "key-" + message.control_id;
      message.received_at_ms = core::SystemClock::instance().now_unix_ms();
      message.payload = message.control_id;
      ASSERT_TRUE(std::holds_alternative<store::Accepted>(
          store_->accept(message, {{"dest", message.control_id}})));
    }
  }
  bool wait_delivered(Peer& peer, std::size_t count) {
    std::unique_lock<std::mutex> lock(peer.mutex);
    return peer.changed.wait_for(lock, milliseconds(10'000),
                                 [&] { return peer.delivered.size() >= count; });
  }

  store::testing::TempDir dir_;
  std::unique_ptr<store::sqlite::SqliteStore> store_;
};

TEST_F(ParallelDeliveryTest, UpToNRowsAreInFlightAndEachIsDeliveredOnce) {
  enqueue(12);
  Peer peer;
  peer.hold_until_in_flight = 3;
  PeerSink s0(peer), s1(peer), s2(peer);
  DeliveryWorker worker(*store_, "dest", std::vector<Sink*>{&s0, &s1, &s2}, quick_policy());
  EXPECT_EQ(worker.parallelism(), 3);
  worker.start();
  ASSERT_TRUE(wait_delivered(peer, 12));
  worker.stop();
  std::lock_guard<std::mutex> lock(peer.mutex);
  EXPECT_EQ(peer.most_in_flight, 3) << "three slots, never more";
  std::set<std::string> unique(peer.delivered.begin(), peer.delivered.end());
  EXPECT_EQ(unique.size(), 12u);
  EXPECT_EQ(peer.delivered.size(), 12u) << "nothing twice";
  EXPECT_EQ(worker.counters().delivered, 12u);
  const auto next = store_->next_pending("dest", INT64_MAX);
  EXPECT_FALSE(next.item);
}

TEST_F(ParallelDeliveryTest, ARetryingRowIsOvertakenByLaterOnes) {
  enqueue(4);
  Peer peer;
  peer.fail_first = {"m0"};
  PeerSink s0(peer), s1(peer);
  DeliveryWorker worker(*store_, "dest", std::vector<Sink*>{&s0, &s1}, quick_policy());
  worker.start();
  ASSERT_TRUE(wait_delivered(peer, 4));
  worker.stop();
  std::lock_guard<std::mutex> lock(peer.mutex);
  ASSERT_EQ(peer.delivered.size(), 4u);
  EXPECT_EQ(peer.delivered.back(), "m0") << "m0 waits 1 s for its retry; the others go meanwhile";
  EXPECT_EQ(peer.calls["m0"], 2);
}

TEST_F(ParallelDeliveryTest, ServiceMakesOneSinkPerSlotAndChecksTheSetting) {
  enqueue(6);
  Peer peer;
  peer.hold_until_in_flight = 2;
  int made = 0;
  DestinationConfig destination;
  destination.name = "dest";
  destination.sink = std::make_shared<PeerSink>(peer);
  destination.policy = quick_policy();
  destination.parallelism = 2;
  destination.make_sink = [&] {
    ++made;
    return std::make_shared<PeerSink>(peer);
  };
  DeliveryService service(*store_, {destination});
  EXPECT_EQ(made, 1);
  service.start();
  ASSERT_TRUE(wait_delivered(peer, 6));
  service.stop();
  {
    std::lock_guard<std::mutex> lock(peer.mutex);
    EXPECT_EQ(peer.most_in_flight, 2);
  }

  DestinationConfig no_factory;
  no_factory.name = "x";
  no_factory.sink = std::make_shared<PeerSink>(peer);
  no_factory.policy = quick_policy();
  no_factory.parallelism = 2;
  EXPECT_THROW(DeliveryService(*store_, {no_factory}), std::invalid_argument);
  no_factory.parallelism = 0;
  EXPECT_THROW(DeliveryService(*store_, {no_factory}), std::invalid_argument);
}

}  // namespace
}  // namespace explainer::delivery
