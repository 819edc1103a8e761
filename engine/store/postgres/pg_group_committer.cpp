#include "store/postgres/pg_group_committer.h"

#include <exception>
#include <vector>

#include "core/log.h"
#include "store/message_store.h"
#include "store/postgres/pg_session.h"

namespace explainer::store::postgres {

using namespace Poco::Data::Keywords;

namespace {

std::string describe_current() {
  try {
    throw;
  } catch (const Poco::Exception& e) {
    return describe(e);
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

}  // namespace

GroupCommitter::GroupCommitter(std::string connection_string, std::int64_t enqueue_lock_key,
                               WorkNotifier& notifier, std::size_t max_batch)
    : connection_string_(std::move(connection_string)),
      enqueue_lock_key_(enqueue_lock_key),
      notifier_(notifier),
      max_batch_(max_batch == 0 ? 1 : max_batch) {
  register_connector();
  committer_ = std::thread([this] { run(); });
}

GroupCommitter::~GroupCommitter() {
  {
    std::lock_guard<std::mutex> lock(queue_mutex_);
    stopping_ = true;
  }
  queue_cv_.notify_all();
  if (committer_.joinable()) committer_.join();
}

WriteResult GroupCommitter::execute(Job job) {
  std::future<WriteResult> result;
  {
    std::lock_guard<std::mutex> lock(queue_mutex_);
    if (stopping_) return {false, "store is closed"};
    queue_.push_back(Pending{std::move(job), {}});
    result = queue_.back().done.get_future();
  }
  queue_cv_.notify_one();
  return result.get();
}

Poco::Data::Session& GroupCommitter::session() {
  // A session stuck in a transaction it could not roll back is as unusable as a lost one.
  if (session_ && (!session_->isConnected() || session_->isTransaction())) {
    broken_.add(std::move(session_));
  }
  if (!session_) {
    broken_.sweep();
    session_ = open_session(connection_string_);
  }
  return *session_;
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
      EXPLAINER_LOG(logger(), error) << "store_committer_unexpected_error";
    }
  }
}

void GroupCommitter::commit_batch(std::deque<Pending>& batch) {
  std::vector<WriteResult> results(batch.size());
  std::set<std::string> notify;
  bool committed = false;
  std::string batch_error;
  Poco::Data::Session* db = nullptr;
  try {
    db = &session();
    db->begin();
    Poco::Int64 key = enqueue_lock_key_;
    *db << "SELECT pg_advisory_xact_lock($1)", bind(key), now;
    WriteBatch context(*db);
    for (std::size_t i = 0; i < batch.size(); ++i) {
      *db << "SAVEPOINT job", now;
      auto before = context.pending_;
      try {
        batch[i].job(context);
        *db << "RELEASE SAVEPOINT job", now;
        results[i].ok = true;
      } catch (...) {
        results[i].error = describe_current();
        context.pending_ = std::move(before);
        *db << "ROLLBACK TO SAVEPOINT job", now;
        *db << "RELEASE SAVEPOINT job", now;
      }
    }
    db->commit();
    committed = true;
    notify = std::move(context.pending_);
  } catch (...) {
    batch_error = describe_current();
    try {
      if (db && db->isTransaction()) db->rollback();
    } catch (...) {
      // A broken connection: the server rolled back; session() reconnects next time.
    }
  }
  if (committed) {
    commits_.fetch_add(1);
    for (const auto& result : results) {
      if (result.ok) jobs_committed_.fetch_add(1);
    }
  } else {
    EXPLAINER_LOG(logger(), error)
        << "store_batch_failed jobs=" << batch.size() << " reason=\"" << batch_error << "\"";
    for (auto& result : results) {
      if (result.ok || result.error.empty()) result = {false, batch_error};
    }
  }
  // Signal before releasing the callers: whoever sees accept() return can rely on the
  // subscribers having been told.
  for (const auto& destination : notify) notifier_.notify(destination);
  for (std::size_t i = 0; i < batch.size(); ++i) batch[i].done.set_value(std::move(results[i]));
}

}  // namespace explainer::store::postgres
