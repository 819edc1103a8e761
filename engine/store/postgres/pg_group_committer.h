// GroupCommitter: batches concurrent accept() transactions of a PostgreSQL store.
//
// Callers on any thread hand it a job and block until the transaction containing that
// job has committed (or failed). The committer thread takes every job queued at that
// moment (up to max_batch), runs them in one BEGIN ... COMMIT on its own session, each
// inside its own SAVEPOINT, so one WAL flush makes many jobs durable and a job that throws
// is rolled back alone. Jobs run in submission order; no delay is added: the batch grows
// while the previous commit is being flushed.
//
// Before the first job each batch takes the store's enqueue lock (a transaction-scoped
// advisory lock keyed by `enqueue_lock_key`): batches of all instances on one schema
// commit one after another, so identity values (outbox ids) grow in commit order and a
// reader never sees a higher id commit before a lower one.
//
// Connection loss fails the current batch (every job gets the error); the next batch
// reconnects. Thread safety: execute() and the counters may be called from any thread;
// jobs run on the committer thread and must not call execute(). Destruction commits the
// jobs already queued, then joins the thread; execute() after that begins returns an error.
#pragma once

#include <Poco/Data/Session.h>

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include "store/postgres/pg_session.h"
#include "store/work_notifier.h"

namespace explainer::store::postgres {

struct WriteResult {
  bool ok = false;
  std::string error;  // why the job or its batch failed; empty when ok (no patient data)
};

// What a job sees: the session (inside the batch transaction and its savepoint) and a way
// to ask for a WorkNotifier signal once the batch has committed.
class WriteBatch {
 public:
  explicit WriteBatch(Poco::Data::Session& session) : session_(session) {}
  Poco::Data::Session& session() { return session_; }
  void notify_after_commit(const std::string& destination) { pending_.insert(destination); }

 private:
  friend class GroupCommitter;
  Poco::Data::Session& session_;
  std::set<std::string> pending_;
};

class GroupCommitter {
 public:
  using Job = std::function<void(WriteBatch&)>;

  // `notifier` must outlive this object. `connection_string` already selects the schema.
  GroupCommitter(std::string connection_string, std::int64_t enqueue_lock_key,
                 WorkNotifier& notifier, std::size_t max_batch = 512);
  ~GroupCommitter();
  GroupCommitter(const GroupCommitter&) = delete;
  GroupCommitter& operator=(const GroupCommitter&) = delete;

  // Runs `job` in the next batch and blocks until that batch committed. A job reports its
  // logical outcome through state it captured; it throws to undo its own changes.
  WriteResult execute(Job job);

  std::uint64_t commits() const { return commits_.load(); }
  std::uint64_t jobs_committed() const { return jobs_committed_.load(); }

 private:
  struct Pending {
    Job job;
    std::promise<WriteResult> done;
  };
  void run();
  void commit_batch(std::deque<Pending>& batch);
  Poco::Data::Session& session();  // committer thread only; (re)connects when needed

  const std::string connection_string_;
  const std::int64_t enqueue_lock_key_;
  WorkNotifier& notifier_;
  const std::size_t max_batch_;
  std::unique_ptr<Poco::Data::Session> session_;  // committer thread only
  BrokenSessions broken_;

  std::mutex queue_mutex_;
  std::condition_variable queue_cv_;
  std::deque<Pending> queue_;  // guarded by queue_mutex_
  bool stopping_ = false;      // guarded by queue_mutex_
  std::atomic<std::uint64_t> commits_{0};
  std::atomic<std::uint64_t> jobs_committed_{0};
  std::thread committer_;
};

}  // namespace explainer::store::postgres
