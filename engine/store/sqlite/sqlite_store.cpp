#include "store/sqlite/sqlite_store.h"

#include <algorithm>
#include <exception>
#include <map>
#include <set>

#include "core/log.h"
#include "store/sqlite/migrations.h"

namespace explainer::store::sqlite {

namespace {

constexpr const char* kMemoryPath = ":memory:";

core::Logger& logger() {
  static core::Logger instance = core::make_logger("store");
  return instance;
}

}  // namespace

std::unique_ptr<SqliteStore> SqliteStore::open(const SqliteStoreOptions& options) {
  return std::unique_ptr<SqliteStore>(new SqliteStore(options));
}

SqliteStore::SqliteStore(const SqliteStoreOptions& options)
    : options_(options),
      clock_(options.clock ? *options.clock : core::SystemClock::instance()),
      read_mutex_(options.path == kMemoryPath ? writer_mutex_ : reader_mutex_) {
  const bool memory = options.path == kMemoryPath;
  if (options.path.empty()) throw StoreError("no SQLite store path configured");
  writer_connection_ = Connection::open(options.path, options.create, options.busy_timeout_ms);
  if (!memory) {
    const auto mode = writer_connection_->query_text("PRAGMA journal_mode=WAL");
    if (mode.value_or("") != "wal") {
      throw StoreError("cannot put SQLite store '" + options.path +
                       "' in WAL mode (journal_mode is " + mode.value_or("unknown") + ")");
    }
  }
  writer_connection_->exec(options.synchronous == Synchronous::kFull ? "PRAGMA synchronous=FULL"
                                                                     : "PRAGMA synchronous=NORMAL");
  if (options.max_size_bytes > 0) {
    const auto page_size = std::stoll(writer_connection_->query_text("PRAGMA page_size").value());
    const auto pages = std::max<long long>(1, options.max_size_bytes / page_size);
    writer_connection_->query_text("PRAGMA max_page_count=" + std::to_string(pages));
  }
  const int version = migrate(*writer_connection_, embedded_migrations(), options.upgrade);
  if (memory) {
    read_connection_ = writer_connection_.get();
  } else {
    reader_connection_ = Connection::open(options.path, false, options.busy_timeout_ms);
    read_connection_ = reader_connection_.get();
  }
  committer_ = std::make_unique<GroupCommitter>(*writer_connection_, writer_mutex_, notifier_,
                                                options.synchronous == Synchronous::kFull,
                                                options.max_batch);
  EXPLAINER_LOG(logger(), info) << "store_opened backend=sqlite schema_version=" << version
                                << " synchronous="
                                << (options.synchronous == Synchronous::kFull ? "full" : "normal");
}

SqliteStore::~SqliteStore() {
  committer_.reset();  // drains queued writes before the connections close
}

void SqliteStore::write(GroupCommitter::Job job, Durability durability) {
  WriteResult result = committer_->execute(std::move(job), durability);
  if (!result.ok) throw StoreError(result.error);
}

AcceptResult SqliteStore::accept(InboundMessage message, std::vector<OutboxEntry> outbox) {
  try {
    for (const auto& entry : outbox) {
      if (entry.destination.empty()) {
        failed_.fetch_add(1);
        return Failed{"outbox entry without a destination"};
      }
    }
    const std::int64_t now = clock_.now_unix_ms();
    AcceptResult result = Failed{"not run"};
    WriteResult written = committer_->execute([&](WriteBatch& batch) {
      Connection& db = batch.connection();
      if (!message.dedupe_key.empty()) {
        std::optional<MessageId> existing;
        {
          StatementScope find(db.cached("SELECT id FROM messages WHERE dedupe_key = ?1"));
          find->bind(1, message.dedupe_key);
          if (find->step()) existing = find->column_int64(0);
        }
        if (existing) {
          StatementScope count(
              db.cached("UPDATE messages SET duplicate_count = duplicate_count + 1, "
                        "last_duplicate_at_ms = ?2 WHERE id = ?1"));
          count->bind(1, *existing).bind(2, now).run();
          result = Duplicate{*existing};
          return;
        }
      }
      {
        StatementScope insert(db.cached(
            "INSERT INTO messages (source, format, dedupe_key, control_id, received_at_ms, "
            "payload) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"));
        insert->bind(1, message.source).bind(2, message.format);
        if (message.dedupe_key.empty()) {
          insert->bind_null(3);
        } else {
          insert->bind(3, message.dedupe_key);
        }
        insert->bind(4, message.control_id)
            .bind(5, message.received_at_ms)
            .bind_blob(6, message.payload)
            .run();
      }
      const MessageId id = db.last_insert_rowid();
      for (const auto& entry : outbox) {
        StatementScope insert(
            db.cached("INSERT INTO outbox (message_id, destination, payload, created_at_ms, "
                      "next_attempt_at_ms) VALUES (?1, ?2, ?3, ?4, ?4)"));
        insert->bind(1, id).bind(2, entry.destination).bind_blob(3, entry.payload).bind(4, now);
        insert->run();
        batch.notify_after_commit(entry.destination);
      }
      result = Accepted{id};
    });
    if (!written.ok) {
      failed_.fetch_add(1);
      return Failed{written.error};
    }
    if (std::holds_alternative<Duplicate>(result)) {
      duplicates_.fetch_add(1);
    } else {
      accepted_.fetch_add(1);
    }
    return result;
  } catch (const std::exception& e) {
    failed_.fetch_add(1);
    return Failed{std::string("store error: ") + e.what()};
  } catch (...) {
    failed_.fetch_add(1);
    return Failed{"store error: unknown"};
  }
}

NextPending SqliteStore::next_pending(const std::string& destination, std::int64_t now_ms) {
  std::lock_guard<std::mutex> lock(read_mutex_);
  StatementScope head(read_connection_->cached(
      "SELECT o.id, o.message_id, o.next_attempt_at_ms, o.payload, o.attempts, o.created_at_ms, "
      "o.last_error, m.control_id FROM outbox o JOIN messages m ON m.id = o.message_id "
      "WHERE o.destination = ?1 AND o.state = 'pending' ORDER BY o.id LIMIT 1"));
  head->bind(1, destination);
  NextPending next;
  if (!head->step()) return next;
  const std::int64_t due = head->column_int64(2);
  if (due > now_ms) {
    next.head_due_at_ms = due;
    return next;
  }
  OutboxItem item;
  item.id = head->column_int64(0);
  item.message_id = head->column_int64(1);
  item.destination = destination;
  item.next_attempt_at_ms = due;
  item.payload = head->column_blob(3);
  item.attempts = static_cast<int>(head->column_int64(4));
  item.created_at_ms = head->column_int64(5);
  item.last_error = head->column_text(6);
  item.control_id = head->column_text(7);
  next.item = std::move(item);
  return next;
}

bool SqliteStore::mark_delivered(OutboxId id) {
  const std::int64_t now = clock_.now_unix_ms();
  bool changed = false;
  write(
      [&](WriteBatch& batch) {
        StatementScope update(batch.connection().cached(
            "UPDATE outbox SET state = 'delivered', attempts = attempts + 1, delivered_at_ms = ?2, "
            "last_attempt_at_ms = ?2 WHERE id = ?1 AND state = 'pending'"));
        update->bind(1, id).bind(2, now).run();
        changed = batch.connection().changes() == 1;
      },
      Durability::kRelaxed);
  return changed;
}

bool SqliteStore::mark_retry(OutboxId id, std::int64_t next_attempt_at_ms,
                             const std::string& error) {
  const std::int64_t now = clock_.now_unix_ms();
  bool changed = false;
  write(
      [&](WriteBatch& batch) {
        StatementScope update(batch.connection().cached(
            "UPDATE outbox SET attempts = attempts + 1, next_attempt_at_ms = ?2, last_error = ?3, "
            "last_attempt_at_ms = ?4 WHERE id = ?1 AND state = 'pending'"));
        update->bind(1, id).bind(2, next_attempt_at_ms).bind(3, error).bind(4, now).run();
        changed = batch.connection().changes() == 1;
      },
      Durability::kRelaxed);
  return changed;
}

bool SqliteStore::mark_dead(OutboxId id, const std::string& reason) {
  const std::int64_t now = clock_.now_unix_ms();
  bool changed = false;
  write(
      [&](WriteBatch& batch) {
        StatementScope update(batch.connection().cached(
            "UPDATE outbox SET state = 'dead', attempts = attempts + 1, last_error = ?2, "
            "dead_at_ms = ?3, last_attempt_at_ms = ?3 WHERE id = ?1 AND state = 'pending'"));
        update->bind(1, id).bind(2, reason).bind(3, now).run();
        changed = batch.connection().changes() == 1;
      },
      Durability::kRelaxed);
  if (changed) EXPLAINER_LOG(logger(), warning) << "outbox_dead_lettered outbox_id=" << id;
  return changed;
}

Subscription SqliteStore::subscribe(const std::string& destination,
                                    std::function<void()> on_new_work) {
  return notifier_.subscribe(destination, std::move(on_new_work));
}

std::vector<QueueStatus> SqliteStore::queue_status(std::int64_t now_ms) {
  std::lock_guard<std::mutex> lock(read_mutex_);
  std::vector<QueueStatus> statuses;
  {
    StatementScope summary(read_connection_->cached(
        "SELECT destination, SUM(state = 'pending'), "
        "MIN(CASE WHEN state = 'pending' THEN created_at_ms END), SUM(state = 'dead') "
        "FROM outbox GROUP BY destination ORDER BY destination"));
    while (summary->step()) {
      QueueStatus status;
      status.destination = summary->column_text(0);
      status.pending = summary->column_int64(1);
      if (!summary->column_is_null(2)) {
        status.oldest_pending_age_ms = std::max<std::int64_t>(0, now_ms - summary->column_int64(2));
      }
      status.dead = summary->column_int64(3);
      statuses.push_back(std::move(status));
    }
  }
  for (auto& status : statuses) {
    StatementScope error(read_connection_->cached(
        "SELECT last_error FROM outbox WHERE destination = ?1 AND state IN ('pending', 'dead') "
        "AND last_error IS NOT NULL ORDER BY last_attempt_at_ms DESC, id DESC LIMIT 1"));
    error->bind(1, status.destination);
    if (error->step()) status.last_error = error->column_text(0);
  }
  return statuses;
}

std::vector<QueueStatus> SqliteStore::queue_depths(std::int64_t now_ms) {
  std::lock_guard<std::mutex> lock(read_mutex_);
  std::map<std::string, QueueStatus> by_destination;
  {
    // Both queries are answered from the partial indexes outbox_pending / outbox_dead.
    StatementScope pending(read_connection_->cached(
        "SELECT destination, COUNT(*), MIN(id) FROM outbox WHERE state = 'pending' GROUP BY destination"));
    std::vector<std::pair<std::string, std::int64_t>> heads;
    while (pending->step()) {
      QueueStatus& status = by_destination[pending->column_text(0)];
      status.destination = pending->column_text(0);
      status.pending = pending->column_int64(1);
      heads.emplace_back(status.destination, pending->column_int64(2));
    }
    for (const auto& [destination, head_id] : heads) {
      StatementScope head(read_connection_->cached("SELECT created_at_ms FROM outbox WHERE id = ?1"));
      head->bind(1, head_id);
      if (head->step()) {
        by_destination[destination].oldest_pending_age_ms = std::max<std::int64_t>(0, now_ms - head->column_int64(0));
      }
    }
  }
  {
    StatementScope dead(read_connection_->cached(
        "SELECT destination, COUNT(*) FROM outbox WHERE state = 'dead' GROUP BY destination"));
    while (dead->step()) {
      QueueStatus& status = by_destination[dead->column_text(0)];
      status.destination = dead->column_text(0);
      status.dead = dead->column_int64(1);
    }
  }
  std::vector<QueueStatus> out;
  for (auto& [name, status] : by_destination) out.push_back(std::move(status));
  return out;
}

std::vector<OutboxItem> SqliteStore::list_dead(const std::string& destination) {
  std::lock_guard<std::mutex> lock(read_mutex_);
  StatementScope dead(read_connection_->cached(
      "SELECT o.id, o.message_id, o.destination, o.attempts, o.created_at_ms, "
      "o.next_attempt_at_ms, o.last_error, m.control_id FROM outbox o "
      "JOIN messages m ON m.id = o.message_id "
      "WHERE o.state = 'dead' AND (?1 = '' OR o.destination = ?1) ORDER BY o.id"));
  dead->bind(1, destination);
  std::vector<OutboxItem> items;
  while (dead->step()) {
    OutboxItem item;
    item.id = dead->column_int64(0);
    item.message_id = dead->column_int64(1);
    item.destination = dead->column_text(2);
    item.state = OutboxState::kDead;
    item.attempts = static_cast<int>(dead->column_int64(3));
    item.created_at_ms = dead->column_int64(4);
    item.next_attempt_at_ms = dead->column_int64(5);
    item.last_error = dead->column_text(6);
    item.control_id = dead->column_text(7);
    items.push_back(std::move(item));
  }
  return items;
}

bool SqliteStore::retry_dead(OutboxId id) {
  const std::int64_t now = clock_.now_unix_ms();
  bool changed = false;
  write([&](WriteBatch& batch) {
    Connection& db = batch.connection();
    std::string destination;
    {
      StatementScope find(
          db.cached("SELECT destination FROM outbox WHERE id = ?1 AND state = 'dead'"));
      find->bind(1, id);
      if (!find->step()) return;
      destination = find->column_text(0);
    }
    StatementScope update(
        db.cached("UPDATE outbox SET state = 'pending', attempts = 0, next_attempt_at_ms = ?2, "
                  "dead_at_ms = NULL WHERE id = ?1 AND state = 'dead'"));
    update->bind(1, id).bind(2, now).run();
    changed = db.changes() == 1;
    batch.notify_after_commit(destination);
  });
  return changed;
}

std::int64_t SqliteStore::retry_all_dead(const std::string& destination) {
  const std::int64_t now = clock_.now_unix_ms();
  std::int64_t count = 0;
  write([&](WriteBatch& batch) {
    Connection& db = batch.connection();
    std::set<std::string> destinations;
    {
      StatementScope find(
          db.cached("SELECT DISTINCT destination FROM outbox WHERE state = 'dead' "
                    "AND (?1 = '' OR destination = ?1)"));
      find->bind(1, destination);
      while (find->step()) destinations.insert(find->column_text(0));
    }
    StatementScope update(
        db.cached("UPDATE outbox SET state = 'pending', attempts = 0, next_attempt_at_ms = ?2, "
                  "dead_at_ms = NULL WHERE state = 'dead' AND (?1 = '' OR destination = ?1)"));
    update->bind(1, destination).bind(2, now).run();
    count = db.changes();
    for (const auto& name : destinations) batch.notify_after_commit(name);
  });
  return count;
}

bool SqliteStore::purge(OutboxId id) {
  bool changed = false;
  write([&](WriteBatch& batch) {
    StatementScope remove(
        batch.connection().cached("DELETE FROM outbox WHERE id = ?1 AND state = 'dead'"));
    remove->bind(1, id).run();
    changed = batch.connection().changes() == 1;
  });
  return changed;
}

std::int64_t SqliteStore::purge_delivered_older_than(std::int64_t cutoff_ms) {
  std::int64_t count = 0;
  write([&](WriteBatch& batch) {
    // Outbox rows go with their message (ON DELETE CASCADE, foreign_keys=ON).
    StatementScope remove(batch.connection().cached(
        "DELETE FROM messages WHERE received_at_ms < ?1 AND NOT EXISTS ("
        "SELECT 1 FROM outbox o WHERE o.message_id = messages.id AND o.state <> 'delivered')"));
    remove->bind(1, cutoff_ms).run();
    count = batch.connection().changes();
  });
  if (count > 0) EXPLAINER_LOG(logger(), info) << "store_retention_purged messages=" << count;
  return count;
}

StoreCounters SqliteStore::counters() const {
  StoreCounters counters;
  counters.commits = committer_->commits();
  counters.accepted = accepted_.load();
  counters.duplicates = duplicates_.load();
  counters.failed = failed_.load();
  return counters;
}

std::string SqliteStore::journal_mode() {
  std::lock_guard<std::mutex> lock(read_mutex_);
  return read_connection_->query_text("PRAGMA journal_mode").value_or("");
}

int SqliteStore::schema_version() {
  std::lock_guard<std::mutex> lock(read_mutex_);
  return sqlite::schema_version(*read_connection_);
}

}  // namespace explainer::store::sqlite
