#include "store/postgres/postgres_store.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <thread>

#include "store/message_store_conformance.h"
#include "store/postgres/pg_migrations.h"
#include "store/postgres/pg_test_database.h"

namespace explainer::store::testing {
namespace {

using postgres::PostgresStore;
using postgres::PostgresStoreOptions;

INSTANTIATE_TEST_SUITE_P(Postgres, MessageStoreConformance,
                         ::testing::Values(StoreFactory{"server", make_pg_store}),
                         [](const auto& info) { return info.param.name; });

// Every test gets its own schema; "instances" are store objects sharing it.
class PostgresStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (pg_connection_string().empty()) skip_without_pg();
  }
  std::unique_ptr<PostgresStore> open(bool upgrade = false) {
    PostgresStoreOptions options = pg_options(schema_);
    options.upgrade = upgrade;
    return PostgresStore::open(options);
  }
  std::unique_ptr<PostgresStore> open_instance(const std::string& name,
                                               std::chrono::milliseconds lease,
                                               bool release_on_close = true) {
    PostgresStoreOptions options = pg_options(schema_);
    options.instance_id = name;
    options.lease_duration = lease;
    options.release_leases_on_close = release_on_close;
    return PostgresStore::open(options);
  }
  void set_schema_version(int version) {
    postgres::execute_script(
        pg_connection_string(),
        "UPDATE " + schema_ + ".schema_version SET version = " + std::to_string(version));
  }
  void accept_n(MessageStore& store, int count, const std::string& destination) {
    for (int i = 0; i < count; ++i) {
      const std::string id = "m" + std::to_string(i);
      ASSERT_NE(accepted_id(store.accept(inbound(id), {{destination, id}})), 0);
    }
  }
  const std::string schema_ = PgSchemas::instance().make();
  const std::int64_t far_future_ = wall_now_ms() + 365LL * 24 * 3600 * 1000;
};

TEST_F(PostgresStoreTest, CreatesTheCurrentSchemaInItsOwnSchema) {
  auto store = open();
  EXPECT_EQ(store->schema_version(), postgres::embedded_migrations().back().version);
  EXPECT_EQ(postgres::schema_version(pg_connection_string(), schema_),
            postgres::embedded_migrations().back().version);
  EXPECT_NE(store->lease_owner().find('#'), std::string::npos);
}

TEST_F(PostgresStoreTest, NewerSchemaIsRefused) {
  open();
  set_schema_version(99);
  try {
    open(true);
    FAIL() << "opened a store with a newer schema";
  } catch (const StoreError& e) {
    EXPECT_NE(std::string(e.what()).find("newer"), std::string::npos) << e.what();
  }
}

TEST_F(PostgresStoreTest, OlderSchemaNeedsTheUpgradeOption) {
  // Version 0 with tables present is "older than 1"; the real step-by-step upgrade is
  // covered with synthetic migrations in pg_migrations_test.
  open();
  set_schema_version(0);
  try {
    open(false);
    FAIL() << "opened an older store without upgrade";
  } catch (const StoreError& e) {
    EXPECT_NE(std::string(e.what()).find("upgrade"), std::string::npos) << e.what();
  }
}

TEST_F(PostgresStoreTest, ForeignSchemaIsRefused) {
  postgres::execute_script(pg_connection_string(), "CREATE SCHEMA " + schema_ + "; CREATE TABLE " +
                                                       schema_ + ".patients (name TEXT)");
  EXPECT_THROW(open(), StoreError);
}

TEST_F(PostgresStoreTest, UnreachableServerIsAStoreError) {
  PostgresStoreOptions options = pg_options(schema_);
  options.connection_string = "host=127.0.0.1 port=1 user=nobody dbname=none connect_timeout=2";
  EXPECT_THROW(PostgresStore::open(options), StoreError);
}

TEST_F(PostgresStoreTest, EverythingSurvivesCloseAndReopen) {
  OutboxId retried = 0;
  MessageId first = 0;
  {
    auto store = open();
    first = accepted_id(store->accept(inbound("c1"), {{"a", "one"}}));
    accepted_id(store->accept(inbound("c2"), {{"a", "two"}}));
    retried = store->next_pending("a", wall_now_ms()).item.value().id;
    ASSERT_TRUE(store->mark_retry(retried, 0, "HTTP 503"));
  }
  auto store = open();
  const auto next = store->next_pending("a", wall_now_ms());
  ASSERT_TRUE(next.item);
  EXPECT_EQ(next.item->id, retried);
  EXPECT_EQ(next.item->message_id, first);
  EXPECT_EQ(next.item->payload, "one");
  EXPECT_EQ(next.item->attempts, 1);
  EXPECT_TRUE(std::holds_alternative<Duplicate>(store->accept(inbound("c2"), {{"a", "x"}})));
}

TEST_F(PostgresStoreTest, RecoversWhenTheServerDropsItsConnections) {
  PostgresStoreOptions options = pg_options(schema_);
  options.connection_string += " application_name=" + schema_;  // to find our sessions
  auto store = PostgresStore::open(options);
  ASSERT_NE(accepted_id(store->accept(inbound("before"), {{"d", "0"}})), 0);
  ASSERT_TRUE(store->next_pending("d", wall_now_ms()).item);
  postgres::execute_script(pg_connection_string(),
                           "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                           "WHERE application_name = '" +
                               schema_ + "'");
  // The first use of each dead session may fail (nothing stored, caller not told
  // otherwise); the store reconnects and works again.
  bool accepted = false;
  for (int attempt = 0; attempt < 3 && !accepted; ++attempt) {
    accepted = std::holds_alternative<Accepted>(store->accept(inbound("after"), {{"d", "1"}}));
  }
  EXPECT_TRUE(accepted);
  int pending = 0;
  for (int attempt = 0; attempt < 6 && pending == 0; ++attempt) {
    try {
      pending = static_cast<int>(store->queue_status(wall_now_ms()).at(0).pending);
    } catch (const StoreError&) {
    }
  }
  EXPECT_EQ(pending, 2);
}

TEST_F(PostgresStoreTest, IdentifiersAndErrorsThatAreNotUtf8AreAccepted) {
  // SQLite keeps any bytes in TEXT; PostgreSQL TEXT takes UTF-8 only, so the backend
  // keeps message-derived identifiers as BYTEA and repairs error texts.
  auto store = open();
  const std::string latin1_id("CTRL\xe9\x00\xff", 7);
  InboundMessage message = inbound("x", 0, std::string("H\xf4pital|FAC|") + latin1_id);
  message.control_id = latin1_id;
  const MessageId id = accepted_id(store->accept(message, {{"d", "payload"}}));
  ASSERT_NE(id, 0);
  EXPECT_TRUE(std::holds_alternative<Duplicate>(store->accept(message, {{"d", "payload"}})));
  const auto head = store->next_pending("d", wall_now_ms());
  ASSERT_TRUE(head.item);
  EXPECT_EQ(head.item->control_id, latin1_id);
  const std::string error("AE: Patient unbekannt \xfc\x00 \xc3\xbc ok", 30);
  ASSERT_TRUE(store->mark_retry(head.item->id, 0, error));
  EXPECT_EQ(store->next_pending("d", wall_now_ms()).item.value().last_error,
            "AE: Patient unbekannt ?? \xc3\xbc ok");
  ASSERT_TRUE(store->mark_dead(head.item->id, "\xe2\x82"));  // truncated sequence
  ASSERT_EQ(store->list_dead().size(), 1u);
  EXPECT_EQ(store->list_dead()[0].last_error, "??");
  EXPECT_EQ(store->list_dead()[0].control_id, latin1_id);
}

TEST_F(PostgresStoreTest, ConcurrentAcceptsFromSixteenThreadsShareCommits) {
  auto store = open();
  constexpr int kThreads = 16;
  constexpr int kPerThread = 10;
  const auto before = store->counters().commits;
  std::atomic<int> stored{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        const std::string id = std::to_string(t) + "-" + std::to_string(i);
        if (is_stored(store->accept(inbound(id), {{"d", id}}))) stored++;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  const auto commits = store->counters().commits - before;
  EXPECT_EQ(stored.load(), kThreads * kPerThread);
  EXPECT_EQ(store->queue_status(wall_now_ms()).at(0).pending, kThreads * kPerThread);
  EXPECT_LT(commits, static_cast<std::uint64_t>(kThreads * kPerThread));
  EXPECT_GT(commits, 0u);
}

TEST_F(PostgresStoreTest, InstancesShareDedupe) {
  auto a = open_instance("a", std::chrono::seconds(60));
  auto b = open_instance("b", std::chrono::seconds(60));
  const MessageId id = accepted_id(a->accept(inbound("c1"), {{"d", "x"}}));
  const AcceptResult again = b->accept(inbound("c1"), {{"d", "x"}});
  ASSERT_TRUE(std::holds_alternative<Duplicate>(again));
  EXPECT_EQ(std::get<Duplicate>(again).existing_message_id, id);
}

TEST_F(PostgresStoreTest, ALiveLeaseKeepsOtherInstancesOffTheHead) {
  auto a = open_instance("a", std::chrono::seconds(60));
  auto b = open_instance("b", std::chrono::seconds(60));
  accept_n(*a, 2, "d");
  const std::int64_t now = wall_now_ms();
  const auto taken = a->next_pending("d", now);
  ASSERT_TRUE(taken.item);
  EXPECT_EQ(taken.item->payload, "m0");
  // The holder may ask again (same head); another instance gets nothing, and a time to
  // ask again within the lease.
  EXPECT_EQ(a->next_pending("d", now).item.value().id, taken.item->id);
  const auto blocked = b->next_pending("d", now);
  EXPECT_FALSE(blocked.item);
  ASSERT_TRUE(blocked.head_due_at_ms);
  EXPECT_GT(*blocked.head_due_at_ms, now);
  EXPECT_LE(*blocked.head_due_at_ms, now + 60'000 + 1000);
  // Other destinations are not affected.
  accepted_id(a->accept(inbound("other"), {{"e", "e0"}}));
  EXPECT_TRUE(b->next_pending("e", now + 1000).item);
  // Marking ends the lease: the next head goes to whoever asks.
  ASSERT_TRUE(a->mark_delivered(taken.item->id));
  const auto next = b->next_pending("d", wall_now_ms());
  ASSERT_TRUE(next.item);
  EXPECT_EQ(next.item->payload, "m1");
}

TEST_F(PostgresStoreTest, ParallelSlotsAreSharedByAllInstances) {
  auto a = open_instance("a", std::chrono::seconds(60));
  auto b = open_instance("b", std::chrono::seconds(60));
  accept_n(*a, 3, "d");
  const std::int64_t now = wall_now_ms() + 1000;
  const auto first = a->claim_pending("d", 0, now);
  ASSERT_TRUE(first.item);
  EXPECT_EQ(first.item->payload, "m0");
  // Slot 0 is a's until it marks or its lease expires: b's slot 0 waits ...
  const auto blocked = b->claim_pending("d", 0, now);
  EXPECT_FALSE(blocked.item);
  ASSERT_TRUE(blocked.head_due_at_ms);
  EXPECT_GT(*blocked.head_due_at_ms, now);
  // ... while b's slot 1 takes the next row a does not hold.
  const auto second = b->claim_pending("d", 1, now);
  ASSERT_TRUE(second.item);
  EXPECT_EQ(second.item->payload, "m1");
  EXPECT_FALSE(a->claim_pending("d", 1, now).item) << "slot 1 is b's";
  const auto third = a->claim_pending("d", 2, now);
  ASSERT_TRUE(third.item);
  EXPECT_EQ(third.item->payload, "m2");
  // b's mark ends its own claim only.
  ASSERT_TRUE(b->mark_delivered(second.item->id));
  ASSERT_TRUE(a->mark_delivered(first.item->id));
  ASSERT_TRUE(a->mark_delivered(third.item->id));
  EXPECT_FALSE(b->claim_pending("d", 0, now).item);
  EXPECT_FALSE(b->claim_pending("d", 1, now).item);
}

TEST_F(PostgresStoreTest, ADeadInstancesSlotClaimIsTakenOverAfterItExpires) {
  constexpr auto kLease = std::chrono::milliseconds(300);
  auto b = open_instance("b", kLease);
  OutboxId claimed = 0;
  {
    auto doomed = open_instance("doomed", kLease, /*release_on_close=*/false);
    accept_n(*doomed, 2, "d");
    const auto item = doomed->claim_pending("d", 1, wall_now_ms() + 1000).item;
    ASSERT_TRUE(item);
    claimed = item->id;
  }  // "killed" holding slot 1's claim on m0
  const auto other = b->claim_pending("d", 0, wall_now_ms() + 1000).item;
  ASSERT_TRUE(other);
  EXPECT_EQ(other->payload, "m1") << "m0 is still claimed by the dead instance";
  std::this_thread::sleep_for(kLease + std::chrono::milliseconds(200));
  const auto taken = b->claim_pending("d", 1, wall_now_ms() + 1000).item;
  ASSERT_TRUE(taken) << "the expired claim was never taken over";
  EXPECT_EQ(taken->id, claimed);
}

TEST_F(PostgresStoreTest, ClosingAnInstanceReleasesItsLeases) {
  auto b = open_instance("b", std::chrono::seconds(60));
  OutboxId taken = 0;
  {
    auto a = open_instance("a", std::chrono::seconds(60));
    accept_n(*a, 1, "d");
    taken = a->next_pending("d", wall_now_ms()).item.value().id;
    EXPECT_FALSE(b->next_pending("d", wall_now_ms()).item);
  }
  const auto next = b->next_pending("d", wall_now_ms());
  ASSERT_TRUE(next.item);
  EXPECT_EQ(next.item->id, taken);
}

TEST_F(PostgresStoreTest, ADeadInstancesLeaseIsTakenOverAfterItExpires) {
  constexpr auto kLease = std::chrono::milliseconds(3000);
  auto survivor = open_instance("survivor", kLease);
  OutboxId taken = 0;
  {
    auto doomed = open_instance("doomed", kLease, /*release_on_close=*/false);
    accept_n(*doomed, 2, "d");
    taken = doomed->next_pending("d", wall_now_ms()).item.value().id;
  }  // "killed": destroyed holding the lease, without marking
  const auto blocked = survivor->next_pending("d", wall_now_ms());
  EXPECT_FALSE(blocked.item);
  ASSERT_TRUE(blocked.head_due_at_ms);
  std::optional<OutboxItem> item;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (!item && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    item = survivor->next_pending("d", wall_now_ms()).item;
  }
  ASSERT_TRUE(item) << "the expired lease was never taken over";
  EXPECT_EQ(item->id, taken);  // the same head: order holds
  EXPECT_EQ(item->payload, "m0");
  ASSERT_TRUE(survivor->mark_delivered(item->id));
  EXPECT_EQ(survivor->next_pending("d", wall_now_ms()).item.value().payload, "m1");
}

TEST_F(PostgresStoreTest, TwoInstancesDrainOneDestinationExactlyOnceAndInOrder) {
  constexpr int kMessages = 150;
  auto a = open_instance("a", std::chrono::seconds(60));
  auto b = open_instance("b", std::chrono::seconds(60));
  for (int i = 0; i < kMessages; ++i) {
    MessageStore& via = i % 2 ? *b : *a;
    const std::string id = "m" + std::to_string(i);
    ASSERT_NE(accepted_id(via.accept(inbound(id), {{"d", std::to_string(i)}})), 0);
  }
  std::mutex log_mutex;
  std::vector<int> sent;  // payload sequence numbers in the order they were "sent"
  std::map<std::string, int> per_instance;
  std::atomic<int> delivered{0};
  std::atomic<bool> failed{false};
  auto drain = [&](MessageStore& store, const std::string& name) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (delivered.load() < kMessages && !failed.load() &&
           std::chrono::steady_clock::now() < deadline) {
      const auto next = store.next_pending("d", wall_now_ms());
      if (!next.item) {
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
        continue;
      }
      {
        std::lock_guard<std::mutex> lock(log_mutex);
        sent.push_back(std::stoi(next.item->payload));
        per_instance[name]++;
      }
      if (store.mark_delivered(next.item->id)) {
        delivered++;
      } else {
        failed = true;  // someone else marked the row it was holding the lease for
      }
    }
  };
  std::thread ta([&] { drain(*a, "a"); });
  std::thread tb([&] { drain(*b, "b"); });
  ta.join();
  tb.join();
  EXPECT_FALSE(failed.load());
  ASSERT_EQ(delivered.load(), kMessages);
  ASSERT_EQ(sent.size(), static_cast<std::size_t>(kMessages)) << "a row was sent twice";
  for (int i = 0; i < kMessages; ++i) EXPECT_EQ(sent[i], i) << "out of order at " << i;
  EXPECT_FALSE(a->next_pending("d", far_future_).item);
  RecordProperty("sent_by_a", per_instance["a"]);
  RecordProperty("sent_by_b", per_instance["b"]);
}

}  // namespace
}  // namespace explainer::store::testing
