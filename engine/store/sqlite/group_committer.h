// GroupCommitter: the single writer of a SQLite store.
//
// Callers on any thread hand it a write job and block until the transaction containing
// that job has committed (or failed). The writer thread takes every job queued at that
// moment (up to max_batch), runs them in one BEGIN IMMEDIATE ... COMMIT, each inside its
// own SAVEPOINT, so one fsync makes many jobs durable and a job that throws is rolled
// back alone. Jobs run in submission order; no artificial delay is added: the batch
// grows while the previous commit's fsync is in progress.
//
// Durability per batch: a job is either kSynced (accept, operator changes: the commit
// must be fsynced before the caller returns) or kRelaxed (delivery bookkeeping: visible at
// once, made durable by the next synced commit or checkpoint; a power loss may undo it,
// which at-least-once delivery tolerates). A batch is fsynced (synchronous=FULL) when
// `sync_commits` is set and it holds at least one kSynced job; otherwise it commits with
// synchronous=NORMAL. In WAL mode a synced commit also makes every earlier commit durable.
//
// Thread safety: execute(), commits() and queued() may be called from any thread. Jobs run
// on the writer thread with `connection_mutex` held; they must not call execute().
// Destruction drains (commits) the jobs already queued, then joins the writer thread;
// execute() after that begins returns an error.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <future>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>

#include "store/sqlite/connection.h"
#include "store/work_notifier.h"

namespace explainer::store::sqlite {

struct WriteResult {
  bool ok = false;
  std::string error;  // why the job or its batch failed; empty when ok
};

// What a job sees: the connection (inside the batch transaction and its savepoint) and a
// way to ask for a WorkNotifier signal once the batch has committed.
class WriteBatch {
 public:
  explicit WriteBatch(Connection& connection) : connection_(connection) {}
  Connection& connection() { return connection_; }
  void notify_after_commit(const std::string& destination) { pending_.insert(destination); }

 private:
  friend class GroupCommitter;
  Connection& connection_;
  std::set<std::string> pending_;
};

enum class Durability { kSynced, kRelaxed };

class GroupCommitter {
 public:
  using Job = std::function<void(WriteBatch&)>;

  // `connection`, `connection_mutex` and `notifier` must outlive this object.
  // `sync_commits` false: never fsync on commit (store opened with synchronous=NORMAL).
  GroupCommitter(Connection& connection, std::mutex& connection_mutex, WorkNotifier& notifier,
                 bool sync_commits = true, std::size_t max_batch = 512);
  ~GroupCommitter();
  GroupCommitter(const GroupCommitter&) = delete;
  GroupCommitter& operator=(const GroupCommitter&) = delete;

  // Runs `job` in the next batch and blocks until that batch committed. A job reports a
  // logical outcome through state it captured; it throws to undo its own changes (the
  // exception text becomes WriteResult::error).
  WriteResult execute(Job job, Durability durability = Durability::kSynced);

  std::uint64_t commits() const { return commits_.load(); }
  std::uint64_t synced_commits() const { return synced_commits_.load(); }
  std::size_t queued() const;

 private:
  struct Pending {
    Job job;
    Durability durability;
    std::promise<WriteResult> done;
  };
  void run();
  void commit_batch(std::deque<Pending>& batch);

  Connection& connection_;
  std::mutex& connection_mutex_;
  WorkNotifier& notifier_;
  const bool sync_commits_;
  const std::size_t max_batch_;
  std::optional<bool> connection_synced_;  // writer thread only: current PRAGMA synchronous

  mutable std::mutex queue_mutex_;
  std::condition_variable queue_cv_;
  std::deque<Pending> queue_;  // guarded by queue_mutex_
  bool stopping_ = false;      // guarded by queue_mutex_
  std::atomic<std::uint64_t> commits_{0};
  std::atomic<std::uint64_t> synced_commits_{0};
  std::thread writer_;
};

}  // namespace explainer::store::sqlite
