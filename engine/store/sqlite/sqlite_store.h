// SqliteStore: the embedded default MessageStore backend (one file, zero configuration).
//
// Durability: journal_mode=WAL. With Synchronous::kFull (default) accept() and operator
// writes return only after the WAL was fsynced: a committed message survives a crash or
// power loss. mark_delivered/mark_retry/mark_dead commit without their own fsync (they
// become durable with the next synced commit or checkpoint): a process crash loses
// nothing, a power loss may undo the last marks, and those items are delivered again. With kNormal
// the WAL is synced at checkpoints only: a power loss (not a process crash) may lose the last
// commits, so a message may have been acknowledged and lost; use only where the sender can resend.
//
// Concurrency: one writer thread per store object (GroupCommitter) applies all writes,
// grouping concurrent accept() calls into one transaction (one fsync). Reads use a second
// connection, so they do not wait for fsyncs. Another process (the `explainer queue`
// CLI) may open the same file meanwhile: writers then wait for each other up to
// busy_timeout_ms. Two daemons delivering from one SQLite file is not supported (each
// would deliver every row): use the PostgreSQL backend for several instances.
//
// ":memory:" gives a private in-memory store (tests): one connection shared by reads
// and writes, nothing durable.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "core/clock.h"
#include "store/message_store.h"
#include "store/sqlite/connection.h"
#include "store/sqlite/group_committer.h"
#include "store/work_notifier.h"

namespace explainer::store::sqlite {

enum class Synchronous { kFull, kNormal };

struct SqliteStoreOptions {
  std::string path;  // database file, or ":memory:"
  Synchronous synchronous = Synchronous::kFull;
  int busy_timeout_ms = 5000;   // waits for another process's write lock
  bool upgrade = false;         // allow migrating an older schema (operator's --upgrade)
  bool create = true;           // create the file when missing (false: CLI on a live store)
  std::size_t max_batch = 512;  // most accept()/write jobs in one transaction
  // Upper bound of the database file size (0: none). When reached, accept() returns
  // Failed ("store full") instead of the disk filling up; reads and marks keep working.
  std::int64_t max_size_bytes = 0;
  // Wall clock for delivered/dead/retry timestamps; must outlive the store.
  const core::Clock* clock = &core::SystemClock::instance();
};

class SqliteStore final : public MessageStore {
 public:
  // Opens or creates the store and brings its schema up to date (see migrations.h).
  // Throws StoreError with an operator-readable message if that is not possible.
  static std::unique_ptr<SqliteStore> open(const SqliteStoreOptions& options);

  // Commits queued writes, then closes. Subscriptions must be gone by then.
  ~SqliteStore() override;

  AcceptResult accept(InboundMessage message, std::vector<OutboxEntry> outbox) override;
  AcceptResult accept_with_held(InboundMessage message, std::vector<OutboxEntry> outbox,
                                std::vector<HeldEntry> held) override;
  std::vector<HeldItem> list_held(bool include_decided = false) override;
  std::optional<HeldItem> find_held(HeldId id) override;
  std::optional<std::string> message_payload(MessageId id) override;
  HeldDecision release_held(HeldId id, const std::string& by,
                            std::vector<OutboxEntry> follow_ups) override;
  HeldDecision discard_held(HeldId id, const std::string& by, const std::string& reason) override;
  std::int64_t held_count() override;
  NextPending next_pending(const std::string& destination, std::int64_t now_ms) override;
  // Claims live in this object only (one process per store file).
  NextPending claim_pending(const std::string& destination, int slot, std::int64_t now_ms) override;
  bool mark_delivered(OutboxId id) override;
  bool mark_retry(OutboxId id, std::int64_t next_attempt_at_ms, const std::string& error) override;
  bool mark_dead(OutboxId id, const std::string& reason) override;
  Subscription subscribe(const std::string& destination,
                         std::function<void()> on_new_work) override;
  std::vector<QueueStatus> queue_status(std::int64_t now_ms) override;
  std::vector<QueueStatus> queue_depths(std::int64_t now_ms) override;
  std::vector<OutboxItem> list_dead(const std::string& destination = {}) override;
  bool retry_dead(OutboxId id) override;
  std::int64_t retry_all_dead(const std::string& destination = {}) override;
  bool purge(OutboxId id) override;
  std::int64_t purge_delivered_older_than(std::int64_t cutoff_ms) override;
  std::int64_t purge_payloads_older_than(std::int64_t cutoff_ms) override;
  StoreCounters counters() const override;

  // Value of PRAGMA journal_mode ("wal" for a file store, "memory" for ":memory:").
  std::string journal_mode();
  int schema_version();

 private:
  explicit SqliteStore(const SqliteStoreOptions& options);
  // Runs `job` through the group committer; throws StoreError if it or its batch failed.
  void write(GroupCommitter::Job job, Durability durability = Durability::kSynced);
  // Moves a held item to `state` ("released"/"discarded") and enqueues `follow_ups`, in one
  // synced transaction, if it is still held.
  HeldDecision decide_held(HeldId id, const std::string& state, const std::string& by,
                           const std::string& reason, const std::vector<OutboxEntry>& follow_ups);

  const SqliteStoreOptions options_;
  const core::Clock& clock_;
  WorkNotifier notifier_;
  std::unique_ptr<Connection> writer_connection_;
  std::unique_ptr<Connection> reader_connection_;  // null for ":memory:" (writer shared)
  std::mutex writer_mutex_;
  std::mutex reader_mutex_;
  std::mutex& read_mutex_;  // reader_mutex_, or writer_mutex_ for ":memory:"
  Connection* read_connection_ = nullptr;
  std::unique_ptr<GroupCommitter> committer_;
  // claim_pending(): destination -> slot -> claimed row. Locked before read_mutex_.
  void end_claim(OutboxId id);
  std::mutex claims_mutex_;
  std::map<std::string, std::map<int, OutboxId>> claims_;
  std::atomic<std::uint64_t> accepted_{0};
  std::atomic<std::uint64_t> duplicates_{0};
  std::atomic<std::uint64_t> failed_{0};
};

}  // namespace explainer::store::sqlite
