#include "store/sqlite/group_committer.h"

#include <exception>
#include <vector>

#include "core/log.h"

namespace explainer::store::sqlite {

namespace {

std::string describe(std::exception_ptr error) {
  try {
    std::rethrow_exception(error);
  } catch (const SqliteError& e) {
    return describe_failure(e);
  } catch (const std::exception& e) {
    return e.what();
  } catch (...) {
    return "unknown error";
  }
}

core::Logger& logger() {
  static core::Logger instance = core::make_logger("store");
  return instance;
}

// Transaction control through cached statements: they run for every job.
void run_cached(Connection& connection, const char* sql) {
  StatementScope(connection.cached(sql))->run();
}

}  // namespace

GroupCommitter::GroupCommitter(Connection& connection, std::mutex& connection_mutex,
                               WorkNotifier& notifier, bool sync_commits, std::size_t max_batch)
    : connection_(connection),
      connection_mutex_(connection_mutex),
      notifier_(notifier),
      sync_commits_(sync_commits),
      max_batch_(max_batch == 0 ? 1 : max_batch) {
  writer_ = std::thread([this] { run(); });
}

GroupCommitter::~GroupCommitter() {
  {
    std::lock_guard<std::mutex> lock(queue_mutex_);
    stopping_ = true;
  }
  queue_cv_.notify_all();
  if (writer_.joinable()) writer_.join();
}

WriteResult GroupCommitter::execute(Job job, Durability durability) {
  std::future<WriteResult> result;
  {
    std::lock_guard<std::mutex> lock(queue_mutex_);
    if (stopping_) return {false, "store is closed"};
    queue_.push_back(Pending{std::move(job), durability, {}});
    result = queue_.back().done.get_future();
  }
  queue_cv_.notify_one();
  return result.get();
}

std::size_t GroupCommitter::queued() const {
  std::lock_guard<std::mutex> lock(queue_mutex_);
  return queue_.size();
}

void GroupCommitter::run() {
  for (;;) {
    std::deque<Pending> batch;
    {
      std::unique_lock<std::mutex> lock(queue_mutex_);
      queue_cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping and drained
      while (!queue_.empty() && batch.size() < max_batch_) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    try {
      commit_batch(batch);
    } catch (...) {
      // commit_batch fulfils every promise itself; this only guards the thread.
      EXPLAINER_LOG(logger(), error) << "store_writer_unexpected_error";
    }
  }
}

void GroupCommitter::commit_batch(std::deque<Pending>& batch) {
  std::vector<WriteResult> results(batch.size());
  WriteBatch context(connection_);
  bool committed = false;
  std::string batch_error;
  bool synced = false;
  if (sync_commits_) {
    for (const auto& pending : batch) synced = synced || pending.durability == Durability::kSynced;
  }
  {
    std::lock_guard<std::mutex> lock(connection_mutex_);
    try {
      if (connection_synced_ != synced) {
        connection_.exec(synced ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL");
        connection_synced_ = synced;
      }
      run_cached(connection_, "BEGIN IMMEDIATE");
      for (std::size_t i = 0; i < batch.size(); ++i) {
        run_cached(connection_, "SAVEPOINT job");
        auto before = context.pending_;
        try {
          batch[i].job(context);
          run_cached(connection_, "RELEASE job");
          results[i].ok = true;
        } catch (...) {
          results[i].error = describe(std::current_exception());
          context.pending_ = std::move(before);
          run_cached(connection_, "ROLLBACK TO job");
          run_cached(connection_, "RELEASE job");
        }
      }
      run_cached(connection_, "COMMIT");
      committed = true;
    } catch (...) {
      batch_error = describe(std::current_exception());
      try {
        if (!sqlite3_get_autocommit(connection_.handle())) connection_.exec("ROLLBACK");
      } catch (...) {
        // Nothing more to do: the connection reports the same failure to the next batch.
      }
    }
  }
  if (committed) {
    commits_.fetch_add(1);
    if (synced) synced_commits_.fetch_add(1);
  } else {
    EXPLAINER_LOG(logger(), error)
        << "store_batch_failed jobs=" << batch.size() << " reason=\"" << batch_error << "\"";
    for (auto& result : results) {
      if (result.ok) result = {false, batch_error};
    }
  }
  // Signal before releasing the callers: whoever sees accept() return can rely on the
  // subscribers having been told.
  if (committed) {
    for (const auto& destination : context.pending_) notifier_.notify(destination);
  }
  for (std::size_t i = 0; i < batch.size(); ++i) batch[i].done.set_value(std::move(results[i]));
}

}  // namespace explainer::store::sqlite
