#include "store/sqlite/sqlite_store.h"

#include <algorithm>
#include <exception>
#include <map>
#include <set>

#include "core/log.h"
#include "store/held_support.h"
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
  return accept_with_held(std::move(message), std::move(outbox), {});
}

AcceptResult SqliteStore::accept_with_held(InboundMessage message, std::vector<OutboxEntry> outbox,
                                           std::vector<HeldEntry> held) {
  try {
    for (const auto& entry : outbox) {
      if (entry.destination.empty()) {
        failed_.fetch_add(1);
        return Failed{"outbox entry without a destination"};
      }
    }
    for (const auto& entry : held) {
      if (entry.destinations.empty()) {
        failed_.fetch_add(1);
        return Failed{"held explanation without a destination"};
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
      for (const auto& entry : held) {
        StatementScope insert(db.cached(
            "INSERT INTO held_explanations (message_id, destinations, report_index, report_id, "
            "accession, finding_id, content_id, content_version, language, created_at_ms) "
            "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"));
        insert->bind(1, id)
            .bind(2, join_destinations(entry.destinations))
            .bind(3, std::int64_t{entry.report_index})
            .bind(4, entry.report_id)
            .bind_blob(5, entry.accession)
            .bind(6, entry.finding_id)
            .bind(7, entry.content_id)
            .bind(8, entry.content_version)
            .bind(9, entry.language)
            .bind(10, now)
            .run();
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

namespace {

// Columns: o.id, o.message_id, o.next_attempt_at_ms, o.payload, o.attempts, o.created_at_ms,
// o.last_error, m.control_id.
constexpr const char* kItemColumns =
    "SELECT o.id, o.message_id, o.next_attempt_at_ms, o.payload, o.attempts, o.created_at_ms, "
    "o.last_error, m.control_id FROM outbox o JOIN messages m ON m.id = o.message_id ";

OutboxItem read_item(Statement& row, const std::string& destination) {
  OutboxItem item;
  item.id = row.column_int64(0);
  item.message_id = row.column_int64(1);
  item.destination = destination;
  item.next_attempt_at_ms = row.column_int64(2);
  item.payload = row.column_blob(3);
  item.attempts = static_cast<int>(row.column_int64(4));
  item.created_at_ms = row.column_int64(5);
  item.last_error = row.column_text(6);
  item.control_id = row.column_text(7);
  return item;
}

}  // namespace

NextPending SqliteStore::next_pending(const std::string& destination, std::int64_t now_ms) {
  std::lock_guard<std::mutex> lock(read_mutex_);
  StatementScope head(read_connection_->cached(
      std::string(kItemColumns) +
      "WHERE o.destination = ?1 AND o.state = 'pending' ORDER BY o.id LIMIT 1"));
  head->bind(1, destination);
  NextPending next;
  if (!head->step()) return next;
  const std::int64_t due = head->column_int64(2);
  if (due > now_ms) {
    next.head_due_at_ms = due;
    return next;
  }
  next.item = read_item(*head, destination);
  return next;
}

NextPending SqliteStore::claim_pending(const std::string& destination, int slot,
                                       std::int64_t now_ms) {
  std::lock_guard<std::mutex> claims_lock(claims_mutex_);
  auto& slots = claims_[destination];
  slots.erase(slot);
  std::set<OutboxId> others;
  for (const auto& [other_slot, id] : slots) others.insert(id);
  NextPending next;
  std::lock_guard<std::mutex> lock(read_mutex_);
  {
    // Among the first (claimed + 1) due rows there is an unclaimed one if any exists.
    StatementScope due(read_connection_->cached(
        std::string(kItemColumns) +
        "WHERE o.destination = ?1 AND o.state = 'pending' AND o.next_attempt_at_ms <= ?2 "
        "ORDER BY o.id LIMIT ?3"));
    due->bind(1, destination).bind(2, now_ms).bind(3, static_cast<std::int64_t>(others.size() + 1));
    while (due->step()) {
      if (others.count(due->column_int64(0))) continue;
      next.item = read_item(*due, destination);
      slots[slot] = next.item->id;
      return next;
    }
  }
  StatementScope later(read_connection_->cached(
      "SELECT MIN(next_attempt_at_ms) FROM outbox WHERE destination = ?1 AND state = 'pending' "
      "AND next_attempt_at_ms > ?2"));
  later->bind(1, destination).bind(2, now_ms);
  if (later->step() && !later->column_is_null(0)) next.head_due_at_ms = later->column_int64(0);
  return next;
}

void SqliteStore::end_claim(OutboxId id) {
  std::lock_guard<std::mutex> lock(claims_mutex_);
  for (auto& [destination, slots] : claims_) {
    for (auto it = slots.begin(); it != slots.end();) {
      it = it->second == id ? slots.erase(it) : std::next(it);
    }
  }
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
  end_claim(id);  // after the write: the row must not be claimable while still pending
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
  end_claim(id);  // after the write: the row must not be claimable while still pending
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
  end_claim(id);  // after the write: the row must not be claimable while still pending
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

std::int64_t SqliteStore::purge_payloads_older_than(std::int64_t cutoff_ms) {
  std::int64_t count = 0;
  write([&](WriteBatch& batch) {
    const char* eligible =
        "SELECT m.id FROM messages m WHERE m.received_at_ms < ?1 AND length(m.payload) > 0 "
        "AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.message_id = m.id AND o.state <> "
        "'delivered') AND NOT EXISTS (SELECT 1 FROM held_explanations h WHERE "
        "h.message_id = m.id AND h.state = 'held')";
    StatementScope outbox(batch.connection().cached(
        std::string("UPDATE outbox SET payload = x'' WHERE message_id IN (") + eligible + ")"));
    outbox->bind(1, cutoff_ms).run();
    StatementScope messages(batch.connection().cached(
        std::string("UPDATE messages SET payload = x'' WHERE id IN (") + eligible + ")"));
    messages->bind(1, cutoff_ms).run();
    count = batch.connection().changes();
  });
  if (count > 0)
    EXPLAINER_LOG(logger(), info) << "store_retention_payloads_purged messages=" << count;
  return count;
}

std::int64_t SqliteStore::purge_delivered_older_than(std::int64_t cutoff_ms) {
  std::int64_t count = 0;
  write([&](WriteBatch& batch) {
    // Outbox rows go with their message (ON DELETE CASCADE, foreign_keys=ON).
    StatementScope remove(batch.connection().cached(
        "DELETE FROM messages WHERE received_at_ms < ?1 AND NOT EXISTS ("
        "SELECT 1 FROM outbox o WHERE o.message_id = messages.id AND o.state <> 'delivered') "
        "AND NOT EXISTS (SELECT 1 FROM held_explanations h WHERE h.message_id = messages.id "
        "AND h.state = 'held')"));
    remove->bind(1, cutoff_ms).run();
    count = batch.connection().changes();
  });
  if (count > 0) EXPLAINER_LOG(logger(), info) << "store_retention_purged messages=" << count;
  return count;
}

namespace {

constexpr const char* kHeldColumns =
    "SELECT h.id, h.message_id, h.destinations, h.report_index, h.report_id, h.accession, "
    "h.finding_id, h.content_id, h.content_version, h.language, h.state, h.created_at_ms, "
    "COALESCE(h.decided_at_ms, 0), COALESCE(h.decided_by, ''), COALESCE(h.reason, ''), "
    "m.control_id, m.format FROM held_explanations h JOIN messages m ON m.id = h.message_id ";

HeldItem read_held(Statement& row) {
  HeldItem item;
  item.id = row.column_int64(0);
  item.message_id = row.column_int64(1);
  item.entry.destinations = split_destinations(row.column_text(2));
  item.entry.report_index = static_cast<int>(row.column_int64(3));
  item.entry.report_id = row.column_text(4);
  item.entry.accession = row.column_blob(5);
  item.entry.finding_id = row.column_text(6);
  item.entry.content_id = row.column_text(7);
  item.entry.content_version = row.column_text(8);
  item.entry.language = row.column_text(9);
  item.state = parse_held_state(row.column_text(10));
  item.created_at_ms = row.column_int64(11);
  item.decided_at_ms = row.column_int64(12);
  item.decided_by = row.column_text(13);
  item.reason = row.column_text(14);
  item.control_id = row.column_text(15);
  item.format = row.column_text(16);
  return item;
}

}  // namespace

std::vector<HeldItem> SqliteStore::list_held(bool include_decided) {
  std::lock_guard<std::mutex> lock(read_mutex_);
  StatementScope rows(read_connection_->cached(std::string(kHeldColumns) +
                                               "WHERE ?1 OR h.state = 'held' ORDER BY h.id"));
  rows->bind(1, std::int64_t{include_decided ? 1 : 0});
  std::vector<HeldItem> items;
  while (rows->step()) items.push_back(read_held(*rows));
  return items;
}

std::optional<HeldItem> SqliteStore::find_held(HeldId id) {
  std::lock_guard<std::mutex> lock(read_mutex_);
  StatementScope row(read_connection_->cached(std::string(kHeldColumns) + "WHERE h.id = ?1"));
  row->bind(1, id);
  if (!row->step()) return std::nullopt;
  return read_held(*row);
}

std::optional<std::string> SqliteStore::message_payload(MessageId id) {
  std::lock_guard<std::mutex> lock(read_mutex_);
  StatementScope row(read_connection_->cached("SELECT payload FROM messages WHERE id = ?1"));
  row->bind(1, id);
  if (!row->step()) return std::nullopt;
  return row->column_blob(0);
}

HeldDecision SqliteStore::decide_held(HeldId id, const std::string& state, const std::string& by,
                                      const std::string& reason,
                                      const std::vector<OutboxEntry>& follow_ups) {
  for (const auto& entry : follow_ups) {
    if (entry.destination.empty()) throw StoreError("follow-up without a destination");
  }
  const std::int64_t now = clock_.now_unix_ms();
  HeldDecision decision = HeldDecision::kNotFound;
  write([&](WriteBatch& batch) {
    Connection& db = batch.connection();
    MessageId message_id = 0;
    {
      StatementScope find(
          db.cached("SELECT message_id, state FROM held_explanations WHERE id = ?1"));
      find->bind(1, id);
      if (!find->step()) return;
      message_id = find->column_int64(0);
      if (find->column_text(1) != "held") {
        decision = HeldDecision::kAlreadyDecided;
        return;
      }
    }
    {
      StatementScope update(
          db.cached("UPDATE held_explanations SET state = ?2, decided_at_ms = ?3, decided_by = ?4, "
                    "reason = ?5 WHERE id = ?1 AND state = 'held'"));
      update->bind(1, id).bind(2, state).bind(3, now).bind(4, by).bind(5, reason).run();
    }
    for (const auto& entry : follow_ups) {
      StatementScope insert(
          db.cached("INSERT INTO outbox (message_id, destination, payload, created_at_ms, "
                    "next_attempt_at_ms) VALUES (?1, ?2, ?3, ?4, ?4)"));
      insert->bind(1, message_id)
          .bind(2, entry.destination)
          .bind_blob(3, entry.payload)
          .bind(4, now);
      insert->run();
      batch.notify_after_commit(entry.destination);
    }
    decision = HeldDecision::kDone;
  });
  return decision;
}

HeldDecision SqliteStore::release_held(HeldId id, const std::string& by,
                                       std::vector<OutboxEntry> follow_ups) {
  const HeldDecision decision = decide_held(id, "released", by, "", follow_ups);
  if (decision == HeldDecision::kDone) {
    EXPLAINER_LOG(logger(), info) << "held_explanation_released held_id=" << id
                                  << " follow_ups=" << follow_ups.size();
  }
  return decision;
}

HeldDecision SqliteStore::discard_held(HeldId id, const std::string& by,
                                       const std::string& reason) {
  const HeldDecision decision = decide_held(id, "discarded", by, reason, {});
  if (decision == HeldDecision::kDone) {
    EXPLAINER_LOG(logger(), info) << "held_explanation_discarded held_id=" << id;
  }
  return decision;
}

std::int64_t SqliteStore::held_count() {
  std::lock_guard<std::mutex> lock(read_mutex_);
  StatementScope row(
      read_connection_->cached("SELECT COUNT(*) FROM held_explanations WHERE state = 'held'"));
  return row->step() ? row->column_int64(0) : 0;
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
