#include "store/sqlite/sqlite_store.h"

#include <gtest/gtest.h>

#include <list>
#include <thread>

#include "store/message_store_conformance.h"
#include "store/sqlite/connection.h"
#include "store/sqlite/migrations.h"
#include "store/test_dir.h"

namespace explainer::store::testing {
namespace {

using sqlite::SqliteStore;
using sqlite::SqliteStoreOptions;

// Temporary directories of file-backed stores made by the factory; removed at exit.
std::list<TempDir>& factory_dirs() {
  static std::list<TempDir> dirs;
  return dirs;
}

std::unique_ptr<MessageStore> make_memory_store() {
  SqliteStoreOptions options;
  options.path = ":memory:";
  return SqliteStore::open(options);
}

std::unique_ptr<MessageStore> make_file_store() {
  factory_dirs().emplace_back();
  SqliteStoreOptions options;
  options.path = factory_dirs().back().file("store.db");
  return SqliteStore::open(options);
}

INSTANTIATE_TEST_SUITE_P(Sqlite, MessageStoreConformance,
                         ::testing::Values(StoreFactory{"memory", make_memory_store},
                                           StoreFactory{"file", make_file_store}),
                         [](const auto& info) { return info.param.name; });

class SqliteFileStore : public ::testing::Test {
 protected:
  std::unique_ptr<SqliteStore> open(bool upgrade = false) {
    SqliteStoreOptions options;
    options.path = path_;
    options.upgrade = upgrade;
    return SqliteStore::open(options);
  }
  void set_schema_version(int version) {
    auto connection = sqlite::Connection::open(path_, false, 1000);
    connection->exec("UPDATE schema_version SET version = " + std::to_string(version));
  }
  TempDir dir_;
  const std::string path_ = dir_.file("explainer.db");
};

TEST_F(SqliteFileStore, UsesWalJournalAndCurrentSchema) {
  auto store = open();
  EXPECT_EQ(store->journal_mode(), "wal");
  EXPECT_EQ(store->schema_version(), sqlite::embedded_migrations().back().version);
}

TEST_F(SqliteFileStore, PayloadPurgeLeavesNoPayloadBytesBehind) {
  {
    auto store = open();
    const std::int64_t old_time = wall_now_ms() - 10 * 24 * 3600 * 1000LL;
    accepted_id(store->accept(inbound("c1", old_time), {{"a", "portal copy"}, {"b", "ehr copy"}}));
    ASSERT_TRUE(store->mark_delivered(store->next_pending("a", wall_now_ms()).item.value().id));
    ASSERT_TRUE(store->mark_delivered(store->next_pending("b", wall_now_ms()).item.value().id));
    ASSERT_EQ(store->purge_payloads_older_than(wall_now_ms() - 3600 * 1000LL), 1);
  }
  auto connection = sqlite::Connection::open(path_, false, 1000);
  sqlite::StatementScope bytes(
      connection->cached("SELECT (SELECT SUM(length(payload)) FROM messages) + (SELECT "
                         "SUM(length(payload)) FROM outbox), "
                         "(SELECT COUNT(*) FROM messages WHERE dedupe_key IS NOT NULL)"));
  ASSERT_TRUE(bytes->step());
  EXPECT_EQ(bytes->column_int64(0), 0) << "payload bytes left after the purge";
  EXPECT_EQ(bytes->column_int64(1), 1) << "the dedupe key stays";
}

TEST_F(SqliteFileStore, EverythingSurvivesCloseAndReopen) {
  OutboxId retried = 0;
  OutboxId dead = 0;
  MessageId first = 0;
  {
    auto store = open();
    first = accepted_id(store->accept(inbound("c1"), {{"a", "one"}}));
    accepted_id(store->accept(inbound("c2"), {{"a", "two"}}));
    accepted_id(store->accept(inbound("c3"), {{"b", "three"}}));
    retried = store->next_pending("a", wall_now_ms()).item.value().id;
    ASSERT_TRUE(store->mark_retry(retried, 0, "HTTP 503"));
    dead = store->next_pending("b", wall_now_ms()).item.value().id;
    ASSERT_TRUE(store->mark_dead(dead, "HTTP 400"));
  }
  auto store = open();
  const auto next = store->next_pending("a", wall_now_ms());
  ASSERT_TRUE(next.item);
  EXPECT_EQ(next.item->id, retried);
  EXPECT_EQ(next.item->message_id, first);
  EXPECT_EQ(next.item->payload, "one");
  EXPECT_EQ(next.item->attempts, 1);
  EXPECT_EQ(next.item->last_error, "HTTP 503");
  ASSERT_EQ(store->list_dead().size(), 1u);
  EXPECT_EQ(store->list_dead()[0].id, dead);
  EXPECT_TRUE(std::holds_alternative<Duplicate>(store->accept(inbound("c2"), {{"a", "x"}})));
  // New ids continue after the old ones (FIFO across restarts).
  accepted_id(store->accept(inbound("c4"), {{"a", "four"}}));
  ASSERT_TRUE(store->mark_delivered(retried));
  EXPECT_EQ(store->next_pending("a", wall_now_ms()).item.value().payload, "two");
}

TEST_F(SqliteFileStore, ConcurrentAcceptsShareCommits) {
  auto store = open();
  constexpr int kThreads = 16;
  constexpr int kPerThread = 10;
  const auto before = store->counters().commits;
  std::vector<std::thread> threads;
  std::atomic<int> stored{0};
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

TEST_F(SqliteFileStore, NewerSchemaIsRefused) {
  open();
  set_schema_version(99);
  try {
    open(true);
    FAIL() << "opened a store with a newer schema";
  } catch (const StoreError& e) {
    EXPECT_NE(std::string(e.what()).find("newer"), std::string::npos) << e.what();
  }
}

TEST_F(SqliteFileStore, Version1StoreUpgradesToHeldExplanationsKeepingItsQueue) {
  {
    auto store = open();
    ASSERT_NE(accepted_id(store->accept(inbound("before-upgrade"), {{"portal", "p"}})), 0);
  }
  {
    auto connection = sqlite::Connection::open(path_, false, 1000);
    connection->exec("DROP TABLE held_explanations; UPDATE schema_version SET version = 1");
  }
  EXPECT_THROW(open(false), StoreError);
  auto store = open(true);
  EXPECT_EQ(store->schema_version(), 2);
  EXPECT_EQ(store->held_count(), 0);
  auto next = store->next_pending("portal", wall_now_ms() + 1000);
  ASSERT_TRUE(next.item.has_value());
  EXPECT_EQ(next.item->control_id, "before-upgrade");
}

TEST_F(SqliteFileStore, OlderSchemaNeedsTheUpgradeOption) {
  // Version 0 with tables present is "older than 1" for the migrator; the real
  // upgrade path (1 -> 2 ...) is covered with synthetic migrations in migrations_test.
  open();
  set_schema_version(0);
  try {
    open(false);
    FAIL() << "opened an older store without upgrade";
  } catch (const StoreError& e) {
    EXPECT_NE(std::string(e.what()).find("upgrade"), std::string::npos) << e.what();
  }
}

TEST_F(SqliteFileStore, ForeignDatabaseIsRefused) {
  {
    auto connection = sqlite::Connection::open(path_, true, 1000);
    connection->exec("CREATE TABLE patients (name TEXT)");
  }
  EXPECT_THROW(open(), StoreError);
}

TEST_F(SqliteFileStore, MissingFileIsAnErrorWhenCreationIsOff) {
  SqliteStoreOptions options;
  options.path = dir_.file("absent.db");
  options.create = false;
  EXPECT_THROW(SqliteStore::open(options), StoreError);
}

TEST_F(SqliteFileStore, SecondOpenerSeesAndChangesTheLiveStore) {
  // Stands in for the `explainer queue` CLI working while the daemon runs.
  auto daemon = open();
  accepted_id(daemon->accept(inbound("c1"), {{"a", "one"}}));
  const OutboxId id = daemon->next_pending("a", wall_now_ms()).item.value().id;
  ASSERT_TRUE(daemon->mark_dead(id, "AR"));
  {
    auto cli = open();
    ASSERT_EQ(cli->list_dead().size(), 1u);
    EXPECT_EQ(cli->queue_status(wall_now_ms()).at(0).dead, 1);
    ASSERT_TRUE(cli->retry_dead(id));
  }
  const auto next = daemon->next_pending("a", wall_now_ms() + 1000);
  ASSERT_TRUE(next.item);
  EXPECT_EQ(next.item->id, id);
}

TEST_F(SqliteFileStore, NormalSynchronousModeWorks) {
  SqliteStoreOptions options;
  options.path = path_;
  options.synchronous = sqlite::Synchronous::kNormal;
  auto store = SqliteStore::open(options);
  EXPECT_NE(accepted_id(store->accept(inbound("c1"), {{"a", "x"}})), 0);
  EXPECT_EQ(store->journal_mode(), "wal");
}

TEST_F(SqliteFileStore, AFullStoreFailsAcceptsButKeepsWhatItHas) {
  SqliteStoreOptions options;
  options.path = path_;
  options.max_size_bytes = 256 * 1024;
  auto store = SqliteStore::open(options);
  const MessageId first = accepted_id(store->accept(inbound("c0"), {{"a", "small"}}));
  const std::string big(16 * 1024, 'x');
  std::string reason;
  for (int i = 1; i < 100 && reason.empty(); ++i) {
    auto message = inbound("c" + std::to_string(i));
    message.payload = big;
    const AcceptResult result = store->accept(message, {{"a", big}});
    if (const auto* failed = std::get_if<Failed>(&result)) reason = failed->reason;
  }
  ASSERT_FALSE(reason.empty()) << "the size limit was never reached";
  EXPECT_NE(reason.find("full"), std::string::npos) << reason;
  EXPECT_GE(store->counters().failed, 1u);
  const auto head = store->next_pending("a", wall_now_ms());
  ASSERT_TRUE(head.item);
  EXPECT_EQ(head.item->message_id, first);
  EXPECT_TRUE(store->mark_delivered(head.item->id));
}

TEST(SqliteMemoryStore, IsNotWalButWorks) {
  SqliteStoreOptions options;
  options.path = ":memory:";
  auto store = SqliteStore::open(options);
  EXPECT_EQ(store->journal_mode(), "memory");
  EXPECT_NE(accepted_id(store->accept(inbound("c1"), {{"a", "x"}})), 0);
}

}  // namespace
}  // namespace explainer::store::testing
