#include "store/postgres/postgres_store.h"

#include <Poco/Data/LOB.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <exception>
#include <random>
#include <set>
#include <utility>

#include "core/log.h"
#include "store/held_support.h"
#include "store/postgres/pg_migrations.h"

namespace explainer::store::postgres {

using namespace Poco::Data::Keywords;
using Poco::Int64;
using Poco::Data::BLOB;

namespace {

// How soon to ask again when another instance is deciding about the same destination
// right now (its lease row is locked for the length of one short transaction).
constexpr std::int64_t kContendedRetryMs = 50;

core::Logger& logger() {
  static core::Logger instance = core::make_logger("store");
  return instance;
}

// Runs `body`, turning backend exceptions into StoreError (text without patient data).
template <typename Body>
auto guarded(Body&& body) -> decltype(body()) {
  try {
    return body();
  } catch (const StoreError&) {
    throw;
  } catch (const Poco::Exception& e) {
    throw StoreError(describe(e));
  }
}

BLOB to_blob(const std::string& bytes) {
  return BLOB(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
}

std::string from_blob(const BLOB& blob) {
  if (blob.size() == 0) return {};
  return std::string(reinterpret_cast<const char*>(blob.rawContent()), blob.size());
}

// `text` with every byte that is not part of a well-formed UTF-8 sequence (and NUL)
// replaced by '?': PostgreSQL TEXT accepts nothing else, and error texts (from peers) may
// be Latin-1. Used for last_error only; identifiers are stored as BYTEA.
std::string valid_utf8(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  const auto* bytes = reinterpret_cast<const unsigned char*>(text.data());
  const std::size_t size = text.size();
  std::size_t i = 0;
  while (i < size) {
    const unsigned char lead = bytes[i];
    std::size_t length = 0;
    unsigned char min_next = 0x80, max_next = 0xBF;
    if (lead >= 0x01 && lead <= 0x7F) {
      length = 1;
    } else if (lead >= 0xC2 && lead <= 0xDF) {
      length = 2;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
      length = 3;
      if (lead == 0xE0) min_next = 0xA0;  // no overlong forms
      if (lead == 0xED) max_next = 0x9F;  // no surrogates
    } else if (lead >= 0xF0 && lead <= 0xF4) {
      length = 4;
      if (lead == 0xF0) min_next = 0x90;
      if (lead == 0xF4) max_next = 0x8F;  // <= U+10FFFF
    }
    bool valid = length > 0 && i + length <= size;
    for (std::size_t k = 1; valid && k < length; ++k) {
      const unsigned char next = bytes[i + k];
      valid = k == 1 ? (next >= min_next && next <= max_next) : (next >= 0x80 && next <= 0xBF);
    }
    if (valid) {
      out.append(text, i, length);
      i += length;
    } else {
      out.push_back('?');
      ++i;
    }
  }
  return out;
}

void check_schema_name(const std::string& schema) {
  const bool valid = std::all_of(schema.begin(), schema.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  });
  if (!valid)
    throw StoreError("PostgreSQL store schema name may hold letters, digits and '_' only");
}

std::string default_instance_id() {
  char host[256] = {};
  if (::gethostname(host, sizeof(host) - 1) != 0) host[0] = '\0';
  return std::string(host[0] ? host : "localhost") + ":" + std::to_string(::getpid());
}

std::string make_lease_owner(const std::string& instance_id) {
  std::random_device random;
  char suffix[17];
  std::snprintf(suffix, sizeof(suffix), "%08x%08x", random(), random());
  return (instance_id.empty() ? default_instance_id() : instance_id) + "#" + suffix;
}

// Stable 64-bit FNV-1a: the advisory-lock key of a schema's enqueue lock.
std::int64_t enqueue_lock_key(const std::string& schema) {
  std::uint64_t hash = 1469598103934665603ULL;
  for (unsigned char c : "explainer.enqueue." + schema) {
    hash ^= c;
    hash *= 1099511628211ULL;
  }
  return static_cast<std::int64_t>(hash);
}

// Advisory-lock key serialising claim_pending() decisions for one destination.
std::int64_t slot_lock_key(const std::string& schema, const std::string& destination) {
  std::uint64_t hash = 1469598103934665603ULL;
  for (unsigned char c : "explainer.slots." + schema + "." + destination) {
    hash ^= c;
    hash *= 1099511628211ULL;
  }
  return static_cast<std::int64_t>(hash);
}

// Given up by this owner: the destination is free for any instance.
void release_lease(Poco::Data::Session& session, const std::string& destination,
                   const std::string& owner) {
  session << "UPDATE destination_leases SET owner = NULL, outbox_id = NULL, acquired_at = NULL, "
             "expires_at = NULL WHERE destination = $1 AND owner = $2",
      bind(destination), bind(owner), now;
}

}  // namespace

std::unique_ptr<PostgresStore> PostgresStore::open(const PostgresStoreOptions& options) {
  return std::unique_ptr<PostgresStore>(new PostgresStore(options));
}

PostgresStore::PostgresStore(const PostgresStoreOptions& options)
    : options_(options),
      connection_string_(with_search_path(options.connection_string, options.schema)),
      clock_(options.clock ? *options.clock : core::SystemClock::instance()),
      lease_owner_(make_lease_owner(options.instance_id)) {
  if (options.connection_string.empty()) throw StoreError("no PostgreSQL connection configured");
  check_schema_name(options.schema);
  if (options.lease_duration.count() <= 0)
    throw StoreError("PostgreSQL lease duration must be > 0");
  register_connector();
  const int version =
      migrate(options.connection_string, options.schema, embedded_migrations(), options.upgrade);
  guarded([&] {
    pool_ = std::make_unique<SessionPool>(connection_string_, options.pool_size);
    committer_ = std::make_unique<GroupCommitter>(
        connection_string_, enqueue_lock_key(options.schema), notifier_, options.max_batch);
  });
  EXPLAINER_LOG(logger(), info) << "store_opened backend=postgres schema_version=" << version
                                << " instance=" << lease_owner_;
}

PostgresStore::~PostgresStore() {
  committer_.reset();  // commits queued accepts
  if (!options_.release_leases_on_close || !pool_) return;
  try {
    auto session = pool_->acquire();
    std::string owner = lease_owner_;
    *session << "UPDATE destination_leases SET owner = NULL, outbox_id = NULL, acquired_at = NULL, "
                "expires_at = NULL WHERE owner = $1",
        bind(owner), now;
  } catch (const Poco::Exception& e) {
    EXPLAINER_LOG(logger(), warning)
        << "store_lease_release_failed reason=\"" << describe(e) << "\"";
  } catch (...) {
    // Leases then simply expire.
  }
}

AcceptResult PostgresStore::accept(InboundMessage message, std::vector<OutboxEntry> outbox) {
  return accept_with_held(std::move(message), std::move(outbox), {});
}

AcceptResult PostgresStore::accept_with_held(InboundMessage message,
                                             std::vector<OutboxEntry> outbox,
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
    const Int64 now_ms = clock_.now_unix_ms();
    AcceptResult result = Failed{"not run"};
    WriteResult written = committer_->execute([&](WriteBatch& batch) {
      Poco::Data::Session& db = batch.session();
      std::vector<Int64> inserted;
      // Empty payloads bind as NULL in Poco's connector, hence COALESCE.
      db << "INSERT INTO messages (source, format, dedupe_key, control_id, received_at_ms, "
            "payload) VALUES ($1, $2, NULLIF($3, ''::BYTEA), COALESCE($4, ''::BYTEA), $5, "
            "COALESCE($6, ''::BYTEA)) "
            "ON CONFLICT (dedupe_key) DO NOTHING RETURNING id",
          bind(message.source), bind(message.format), bind(to_blob(message.dedupe_key)),
          bind(to_blob(message.control_id)), bind(Int64{message.received_at_ms}),
          bind(to_blob(message.payload)), into(inserted), now;
      if (inserted.empty()) {
        // Conflicts only with a committed row: our batch holds the enqueue lock, so no
        // other instance's insert of the same key is in flight.
        std::vector<Int64> existing;
        db << "UPDATE messages SET duplicate_count = duplicate_count + 1, "
              "last_duplicate_at_ms = $2 WHERE dedupe_key = $1 RETURNING id",
            bind(to_blob(message.dedupe_key)), bind(now_ms), into(existing), now;
        if (existing.empty()) throw StoreError("duplicate message vanished meanwhile; resend");
        result = Duplicate{existing.front()};
        return;
      }
      const MessageId id = inserted.front();
      for (const auto& entry : outbox) {
        db << "INSERT INTO outbox (message_id, destination, payload, created_at_ms, "
              "next_attempt_at_ms) VALUES ($1, $2, COALESCE($3, ''::BYTEA), $4, $5)",
            bind(Int64{id}), bind(entry.destination), bind(to_blob(entry.payload)), bind(now_ms),
            bind(now_ms), now;
        batch.notify_after_commit(entry.destination);
      }
      for (const auto& entry : held) {
        db << "INSERT INTO held_explanations (message_id, destinations, report_index, report_id, "
              "accession, finding_id, content_id, content_version, language, created_at_ms) "
              "VALUES ($1, $2, $3, $4, COALESCE($5, ''::BYTEA), $6, $7, $8, $9, $10)",
            bind(Int64{id}), bind(valid_utf8(join_destinations(entry.destinations))),
            bind(entry.report_index), bind(valid_utf8(entry.report_id)),
            bind(to_blob(entry.accession)), bind(valid_utf8(entry.finding_id)),
            bind(valid_utf8(entry.content_id)), bind(valid_utf8(entry.content_version)),
            bind(valid_utf8(entry.language)), bind(now_ms), now;
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

NextPending PostgresStore::next_pending(const std::string& destination, std::int64_t now_ms) {
  return guarded([&] {
    auto session = pool_->acquire();
    Poco::Data::Session& db = *session;
    Transaction transaction(db, Commit::kRelaxed);
    NextPending next;

    // 1. Lock this destination's lease row; someone deciding right now: ask again shortly.
    std::vector<std::string> owners;
    std::vector<Int64> remaining_ms;
    db << "SELECT COALESCE(owner, ''), COALESCE(CEIL(EXTRACT(EPOCH FROM (expires_at - "
          "clock_timestamp())) * 1000)::BIGINT, 0) FROM destination_leases "
          "WHERE destination = $1 FOR UPDATE SKIP LOCKED",
        bind(destination), into(owners), into(remaining_ms), now;
    if (owners.empty()) {
      std::vector<std::string> created;
      db << "INSERT INTO destination_leases (destination) VALUES ($1) "
            "ON CONFLICT (destination) DO NOTHING RETURNING destination",
          bind(destination), into(created), now;
      if (created.empty()) {
        transaction.commit();
        next.head_due_at_ms = now_ms + kContendedRetryMs;
        return next;
      }
      owners.emplace_back();
      remaining_ms.push_back(0);
    }
    const std::string previous_owner = owners.front();
    const bool held_elsewhere = !previous_owner.empty() && previous_owner != lease_owner_;
    if (held_elsewhere && remaining_ms.front() > 0) {
      transaction.commit();
      next.head_due_at_ms = now_ms + remaining_ms.front();
      return next;
    }

    // 2. The head, read under the lease row lock.
    std::vector<Int64> ids, message_ids, due_at, attempts, created_at;
    std::vector<BLOB> payloads, control_ids;
    std::vector<std::string> errors;
    db << "SELECT o.id, o.message_id, o.next_attempt_at_ms, o.payload, o.attempts::BIGINT, "
          "o.created_at_ms, COALESCE(o.last_error, ''), m.control_id FROM outbox o "
          "JOIN messages m ON m.id = o.message_id "
          "WHERE o.destination = $1 AND o.state = 'pending' ORDER BY o.id LIMIT 1",
        bind(destination), into(ids), into(message_ids), into(due_at), into(payloads),
        into(attempts), into(created_at), into(errors), into(control_ids), now;
    if (ids.empty() || due_at.front() > now_ms) {
      if (!ids.empty()) next.head_due_at_ms = due_at.front();
      if (!previous_owner.empty()) release_lease(db, destination, previous_owner);
      transaction.commit();
      return next;
    }

    // 3. Take (or renew) the lease on the due head.
    db << "UPDATE destination_leases SET owner = $1, outbox_id = $2, acquired_at = "
          "clock_timestamp(), expires_at = clock_timestamp() + $3::DOUBLE PRECISION * "
          "INTERVAL '1 millisecond' WHERE destination = $4",
        bind(lease_owner_), bind(ids.front()),
        bind(static_cast<double>(options_.lease_duration.count())), bind(destination), now;
    transaction.commit();
    if (held_elsewhere) {
      EXPLAINER_LOG(logger(), warning)
          << "store_lease_taken_over destination=" << destination << " outbox_id=" << ids.front()
          << " previous_owner=" << previous_owner;
    }
    OutboxItem item;
    item.id = ids.front();
    item.message_id = message_ids.front();
    item.destination = destination;
    item.next_attempt_at_ms = due_at.front();
    item.payload = from_blob(payloads.front());
    item.attempts = static_cast<int>(attempts.front());
    item.created_at_ms = created_at.front();
    item.last_error = errors.front();
    item.control_id = from_blob(control_ids.front());
    next.item = std::move(item);
    return next;
  });
}

NextPending PostgresStore::claim_pending(const std::string& destination, int slot,
                                         std::int64_t now_ms) {
  if (slot < 0) throw StoreError("claim_pending: negative slot");
  return guarded([&] {
    auto session = pool_->acquire();
    Poco::Data::Session& db = *session;
    Transaction transaction(db, Commit::kRelaxed);
    NextPending next;
    // '#' cannot occur in a destination name (config: letters, digits, '_' and '-').
    std::string slot_row = slot == 0 ? destination : destination + "#" + std::to_string(slot);
    std::string name = destination;
    std::string owner = lease_owner_;

    // 1. One decision per destination at a time, across all instances.
    Int64 key = slot_lock_key(options_.schema, destination);
    db << "SELECT pg_advisory_xact_lock($1)", bind(key), now;
    db << "INSERT INTO destination_leases (destination) VALUES ($1) ON CONFLICT (destination) DO "
          "NOTHING",
        bind(slot_row), now;
    std::vector<std::string> owners;
    std::vector<Int64> remaining_ms;
    db << "SELECT COALESCE(owner, ''), COALESCE(CEIL(EXTRACT(EPOCH FROM (expires_at - "
          "clock_timestamp())) * 1000)::BIGINT, 0) FROM destination_leases WHERE destination = $1",
        bind(slot_row), into(owners), into(remaining_ms), now;
    const std::string previous_owner = owners.empty() ? std::string() : owners.front();
    const bool held_elsewhere = !previous_owner.empty() && previous_owner != lease_owner_;
    if (held_elsewhere && remaining_ms.front() > 0) {
      transaction.commit();
      next.head_due_at_ms = now_ms + remaining_ms.front();
      return next;
    }

    // 2. The oldest due pending row no other live slot lease of this destination holds.
    const std::string claimed_elsewhere =
        "SELECT l.outbox_id FROM destination_leases l WHERE l.outbox_id IS NOT NULL "
        "AND l.owner IS NOT NULL AND l.expires_at > clock_timestamp() AND l.destination <> $3 "
        "AND (l.destination = $1 OR left(l.destination, length($1) + 1) = $1 || '#')";
    std::vector<Int64> ids, message_ids, due_at, attempts, created_at;
    std::vector<BLOB> payloads, control_ids;
    std::vector<std::string> errors;
    db << "SELECT o.id, o.message_id, o.next_attempt_at_ms, o.payload, o.attempts::BIGINT, "
          "o.created_at_ms, COALESCE(o.last_error, ''), m.control_id FROM outbox o "
          "JOIN messages m ON m.id = o.message_id "
          "WHERE o.destination = $1 AND o.state = 'pending' AND o.next_attempt_at_ms <= $2 "
          "AND o.id NOT IN (" +
              claimed_elsewhere + ") ORDER BY o.id LIMIT 1",
        bind(name), bind(Int64{now_ms}), bind(slot_row), into(ids), into(message_ids), into(due_at),
        into(payloads), into(attempts), into(created_at), into(errors), into(control_ids), now;
    if (ids.empty()) {
      std::vector<Int64> later;
      db << "SELECT COALESCE(MIN(next_attempt_at_ms), -1) FROM outbox WHERE destination = $1 "
            "AND state = 'pending' AND next_attempt_at_ms > $2",
          bind(name), bind(Int64{now_ms}), into(later), now;
      if (!later.empty() && later.front() >= 0) next.head_due_at_ms = later.front();
      if (!previous_owner.empty()) {
        db << "UPDATE destination_leases SET owner = NULL, outbox_id = NULL, acquired_at = NULL, "
              "expires_at = NULL WHERE destination = $1",
            bind(slot_row), now;
      }
      transaction.commit();
      return next;
    }

    // 3. Lease the row to this slot.
    db << "UPDATE destination_leases SET owner = $1, outbox_id = $2, acquired_at = "
          "clock_timestamp(), expires_at = clock_timestamp() + $3::DOUBLE PRECISION * "
          "INTERVAL '1 millisecond' WHERE destination = $4",
        bind(owner), bind(ids.front()), bind(static_cast<double>(options_.lease_duration.count())),
        bind(slot_row), now;
    transaction.commit();
    if (held_elsewhere) {
      EXPLAINER_LOG(logger(), warning) << "store_lease_taken_over destination=" << destination
                                       << " slot=" << slot << " previous_owner=" << previous_owner;
    }
    OutboxItem item;
    item.id = ids.front();
    item.message_id = message_ids.front();
    item.destination = destination;
    item.next_attempt_at_ms = due_at.front();
    item.payload = from_blob(payloads.front());
    item.attempts = static_cast<int>(attempts.front());
    item.created_at_ms = created_at.front();
    item.last_error = errors.front();
    item.control_id = from_blob(control_ids.front());
    next.item = std::move(item);
    return next;
  });
}

bool PostgresStore::mark(OutboxId id, const MarkUpdate& update) {
  const bool changed = guarded([&] {
    auto session = pool_->acquire();
    Poco::Data::Session& db = *session;
    Transaction transaction(db, Commit::kRelaxed);
    std::vector<std::string> destinations;
    update(db, destinations);
    if (destinations.empty()) return false;
    // The FIFO lease or the slot lease handing out this row (outbox ids are unique).
    std::string owner = lease_owner_;
    db << "UPDATE destination_leases SET owner = NULL, outbox_id = NULL, acquired_at = NULL, "
          "expires_at = NULL WHERE outbox_id = $1 AND owner = $2",
        bind(Int64{id}), bind(owner), now;
    transaction.commit();
    return true;
  });
  if (changed) other_commits_.fetch_add(1);
  return changed;
}

bool PostgresStore::mark_delivered(OutboxId id) {
  const Int64 now_ms = clock_.now_unix_ms();
  return mark(id, [&](Poco::Data::Session& db, std::vector<std::string>& destinations) {
    db << "UPDATE outbox SET state = 'delivered', attempts = attempts + 1, "
          "delivered_at_ms = $2, last_attempt_at_ms = $2 "
          "WHERE id = $1 AND state = 'pending' RETURNING destination",
        bind(Int64{id}), bind(now_ms), into(destinations), now;
  });
}

bool PostgresStore::mark_retry(OutboxId id, std::int64_t next_attempt_at_ms,
                               const std::string& error) {
  const Int64 now_ms = clock_.now_unix_ms();
  return mark(id, [&](Poco::Data::Session& db, std::vector<std::string>& destinations) {
    db << "UPDATE outbox SET attempts = attempts + 1, next_attempt_at_ms = $3, "
          "last_error = $4, last_attempt_at_ms = $2 "
          "WHERE id = $1 AND state = 'pending' RETURNING destination",
        bind(Int64{id}), bind(now_ms), bind(Int64{next_attempt_at_ms}), bind(valid_utf8(error)),
        into(destinations), now;
  });
}

bool PostgresStore::mark_dead(OutboxId id, const std::string& reason) {
  const Int64 now_ms = clock_.now_unix_ms();
  const bool changed = mark(id, [&](Poco::Data::Session& db,
                                    std::vector<std::string>& destinations) {
    db << "UPDATE outbox SET state = 'dead', attempts = attempts + 1, "
          "last_error = $3, dead_at_ms = $2, last_attempt_at_ms = $2 "
          "WHERE id = $1 AND state = 'pending' RETURNING destination",
        bind(Int64{id}), bind(now_ms), bind(valid_utf8(reason)), into(destinations), now;
  });
  if (changed) EXPLAINER_LOG(logger(), warning) << "outbox_dead_lettered outbox_id=" << id;
  return changed;
}

Subscription PostgresStore::subscribe(const std::string& destination,
                                      std::function<void()> on_new_work) {
  return notifier_.subscribe(destination, std::move(on_new_work));
}

std::vector<QueueStatus> PostgresStore::queue_status(std::int64_t now_ms) {
  return guarded([&] {
    auto session = pool_->acquire();
    Poco::Data::Session& db = *session;
    std::vector<std::string> destinations;
    std::vector<Int64> pending, oldest, dead;
    db << "SELECT destination, COUNT(*) FILTER (WHERE state = 'pending'), "
          "COALESCE(MIN(created_at_ms) FILTER (WHERE state = 'pending'), -1), "
          "COUNT(*) FILTER (WHERE state = 'dead') "
          "FROM outbox GROUP BY destination ORDER BY destination COLLATE \"C\"",
        into(destinations), into(pending), into(oldest), into(dead), now;
    std::vector<std::string> error_destinations, errors;
    db << "SELECT DISTINCT ON (destination) destination, last_error FROM outbox "
          "WHERE state IN ('pending', 'dead') AND last_error IS NOT NULL "
          "ORDER BY destination, last_attempt_at_ms DESC NULLS LAST, id DESC",
        into(error_destinations), into(errors), now;
    std::vector<QueueStatus> statuses;
    for (std::size_t i = 0; i < destinations.size(); ++i) {
      QueueStatus status;
      status.destination = destinations[i];
      status.pending = pending[i];
      if (oldest[i] >= 0) status.oldest_pending_age_ms = std::max<Int64>(0, now_ms - oldest[i]);
      status.dead = dead[i];
      for (std::size_t j = 0; j < error_destinations.size(); ++j) {
        if (error_destinations[j] == status.destination) status.last_error = errors[j];
      }
      statuses.push_back(std::move(status));
    }
    return statuses;
  });
}

std::vector<OutboxItem> PostgresStore::list_dead(const std::string& destination) {
  return guarded([&] {
    auto session = pool_->acquire();
    Poco::Data::Session& db = *session;
    std::vector<Int64> ids, message_ids, attempts, created_at, due_at;
    std::vector<std::string> destinations, errors;
    std::vector<BLOB> control_ids;
    db << "SELECT o.id, o.message_id, o.destination, o.attempts::BIGINT, o.created_at_ms, "
          "o.next_attempt_at_ms, COALESCE(o.last_error, ''), m.control_id FROM outbox o "
          "JOIN messages m ON m.id = o.message_id "
          "WHERE o.state = 'dead' AND ($1 = '' OR o.destination = $2) ORDER BY o.id",
        bind(destination), bind(destination), into(ids), into(message_ids), into(destinations),
        into(attempts), into(created_at), into(due_at), into(errors), into(control_ids), now;
    std::vector<OutboxItem> items;
    for (std::size_t i = 0; i < ids.size(); ++i) {
      OutboxItem item;
      item.id = ids[i];
      item.message_id = message_ids[i];
      item.destination = destinations[i];
      item.state = OutboxState::kDead;
      item.attempts = static_cast<int>(attempts[i]);
      item.created_at_ms = created_at[i];
      item.next_attempt_at_ms = due_at[i];
      item.last_error = errors[i];
      item.control_id = from_blob(control_ids[i]);
      items.push_back(std::move(item));
    }
    return items;
  });
}

bool PostgresStore::retry_dead(OutboxId id) {
  const Int64 now_ms = clock_.now_unix_ms();
  std::vector<std::string> destinations = guarded([&] {
    auto session = pool_->acquire();
    Transaction transaction(*session, Commit::kSynced);
    std::vector<std::string> changed;
    *session << "UPDATE outbox SET state = 'pending', attempts = 0, next_attempt_at_ms = $2, "
                "dead_at_ms = NULL WHERE id = $1 AND state = 'dead' RETURNING destination",
        bind(Int64{id}), bind(now_ms), into(changed), now;
    transaction.commit();
    return changed;
  });
  if (destinations.empty()) return false;
  other_commits_.fetch_add(1);
  notifier_.notify(destinations.front());
  return true;
}

std::int64_t PostgresStore::retry_all_dead(const std::string& destination) {
  const Int64 now_ms = clock_.now_unix_ms();
  std::vector<std::string> changed = guarded([&] {
    auto session = pool_->acquire();
    Transaction transaction(*session, Commit::kSynced);
    std::vector<std::string> rows;
    *session << "UPDATE outbox SET state = 'pending', attempts = 0, next_attempt_at_ms = $3, "
                "dead_at_ms = NULL WHERE state = 'dead' AND ($1 = '' OR destination = $2) "
                "RETURNING destination",
        bind(destination), bind(destination), bind(now_ms), into(rows), now;
    transaction.commit();
    return rows;
  });
  if (changed.empty()) return 0;
  other_commits_.fetch_add(1);
  for (const auto& name : std::set<std::string>(changed.begin(), changed.end())) {
    notifier_.notify(name);
  }
  return static_cast<std::int64_t>(changed.size());
}

bool PostgresStore::purge(OutboxId id) {
  const bool changed = guarded([&] {
    auto session = pool_->acquire();
    Poco::Data::Statement remove(*session);
    remove << "DELETE FROM outbox WHERE id = $1 AND state = 'dead'", bind(Int64{id});
    return remove.execute() == 1;
  });
  if (changed) other_commits_.fetch_add(1);
  return changed;
}

std::int64_t PostgresStore::purge_payloads_older_than(std::int64_t cutoff_ms) {
  const std::int64_t count = guarded([&] {
    auto session = pool_->acquire();
    Poco::Data::Session& db = *session;
    Transaction transaction(db, Commit::kSynced);
    const std::string eligible =
        "SELECT m.id FROM messages m WHERE m.received_at_ms < $1 AND length(m.payload) > 0 "
        "AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.message_id = m.id AND o.state <> "
        "'delivered') AND NOT EXISTS (SELECT 1 FROM held_explanations h WHERE "
        "h.message_id = m.id AND h.state = 'held')";
    Int64 cutoff = cutoff_ms;
    db << "UPDATE outbox SET payload = ''::BYTEA WHERE message_id IN (" + eligible + ")",
        bind(cutoff), now;
    std::vector<Int64> emptied;
    db << "UPDATE messages SET payload = ''::BYTEA WHERE id IN (" + eligible + ") RETURNING id",
        bind(cutoff), into(emptied), now;
    transaction.commit();
    return static_cast<std::int64_t>(emptied.size());
  });
  other_commits_.fetch_add(1);
  if (count > 0)
    EXPLAINER_LOG(logger(), info) << "store_retention_payloads_purged messages=" << count;
  return count;
}

std::int64_t PostgresStore::purge_delivered_older_than(std::int64_t cutoff_ms) {
  const std::int64_t count = guarded([&] {
    auto session = pool_->acquire();
    Poco::Data::Statement remove(*session);
    // Outbox rows go with their message (ON DELETE CASCADE).
    remove << "DELETE FROM messages m WHERE m.received_at_ms < $1 AND NOT EXISTS ("
              "SELECT 1 FROM outbox o WHERE o.message_id = m.id AND o.state <> 'delivered') "
              "AND NOT EXISTS (SELECT 1 FROM held_explanations h WHERE h.message_id = m.id "
              "AND h.state = 'held')",
        bind(Int64{cutoff_ms});
    return static_cast<std::int64_t>(remove.execute());
  });
  other_commits_.fetch_add(1);
  if (count > 0) EXPLAINER_LOG(logger(), info) << "store_retention_purged messages=" << count;
  return count;
}

std::vector<HeldItem> PostgresStore::select_held(const std::string& where, Int64 parameter) {
  return guarded([&] {
    auto session = pool_->acquire();
    Poco::Data::Session& db = *session;
    std::vector<Int64> ids, message_ids, report_indexes, created_at, decided_at;
    std::vector<std::string> destinations, report_ids, findings, contents, versions, languages,
        states, decided_by, reasons, formats;
    std::vector<BLOB> accessions, control_ids;
    db << "SELECT h.id, h.message_id, h.destinations, h.report_index::BIGINT, h.report_id, "
          "h.accession, h.finding_id, h.content_id, h.content_version, h.language, h.state, "
          "h.created_at_ms, COALESCE(h.decided_at_ms, 0), COALESCE(h.decided_by, ''), "
          "COALESCE(h.reason, ''), m.control_id, m.format FROM held_explanations h "
          "JOIN messages m ON m.id = h.message_id " +
              where + " ORDER BY h.id",
        bind(parameter), into(ids), into(message_ids), into(destinations), into(report_indexes),
        into(report_ids), into(accessions), into(findings), into(contents), into(versions),
        into(languages), into(states), into(created_at), into(decided_at), into(decided_by),
        into(reasons), into(control_ids), into(formats), now;
    std::vector<HeldItem> items;
    for (std::size_t i = 0; i < ids.size(); ++i) {
      HeldItem item;
      item.id = ids[i];
      item.message_id = message_ids[i];
      item.entry.destinations = split_destinations(destinations[i]);
      item.entry.report_index = static_cast<int>(report_indexes[i]);
      item.entry.report_id = report_ids[i];
      item.entry.accession = from_blob(accessions[i]);
      item.entry.finding_id = findings[i];
      item.entry.content_id = contents[i];
      item.entry.content_version = versions[i];
      item.entry.language = languages[i];
      item.state = parse_held_state(states[i]);
      item.created_at_ms = created_at[i];
      item.decided_at_ms = decided_at[i];
      item.decided_by = decided_by[i];
      item.reason = reasons[i];
      item.control_id = from_blob(control_ids[i]);
      item.format = formats[i];
      items.push_back(std::move(item));
    }
    return items;
  });
}

std::vector<HeldItem> PostgresStore::list_held(bool include_decided) {
  return select_held("WHERE $1 = 1 OR h.state = 'held'", include_decided ? 1 : 0);
}

std::optional<HeldItem> PostgresStore::find_held(HeldId id) {
  auto items = select_held("WHERE h.id = $1", id);
  if (items.empty()) return std::nullopt;
  return std::move(items.front());
}

std::optional<std::string> PostgresStore::message_payload(MessageId id) {
  return guarded([&]() -> std::optional<std::string> {
    auto session = pool_->acquire();
    std::vector<BLOB> payloads;
    *session << "SELECT payload FROM messages WHERE id = $1", bind(Int64{id}), into(payloads), now;
    if (payloads.empty()) return std::nullopt;
    return from_blob(payloads.front());
  });
}

HeldDecision PostgresStore::decide_held(HeldId id, const std::string& state, const std::string& by,
                                        const std::string& reason,
                                        const std::vector<OutboxEntry>& follow_ups) {
  for (const auto& entry : follow_ups) {
    if (entry.destination.empty()) throw StoreError("follow-up without a destination");
  }
  const Int64 now_ms = clock_.now_unix_ms();
  const HeldDecision decision = guarded([&] {
    auto session = pool_->acquire();
    Poco::Data::Session& db = *session;
    Transaction transaction(db, Commit::kSynced);
    if (!follow_ups.empty()) {
      // Outbox ids must grow in commit order (see postgres/README.md): take the enqueue lock
      // like an accept batch does.
      const Int64 key = enqueue_lock_key(options_.schema);
      db << "SELECT pg_advisory_xact_lock($1)", bind(key), now;
    }
    std::vector<Int64> message_ids;
    std::vector<std::string> states;
    db << "SELECT message_id, state FROM held_explanations WHERE id = $1 FOR UPDATE",
        bind(Int64{id}), into(message_ids), into(states), now;
    if (message_ids.empty()) return HeldDecision::kNotFound;
    if (states.front() != "held") return HeldDecision::kAlreadyDecided;
    db << "UPDATE held_explanations SET state = $2, decided_at_ms = $3, decided_by = $4, "
          "reason = $5 WHERE id = $1",
        bind(Int64{id}), bind(state), bind(now_ms), bind(valid_utf8(by)), bind(valid_utf8(reason)),
        now;
    for (const auto& entry : follow_ups) {
      db << "INSERT INTO outbox (message_id, destination, payload, created_at_ms, "
            "next_attempt_at_ms) VALUES ($1, $2, COALESCE($3, ''::BYTEA), $4, $5)",
          bind(message_ids.front()), bind(entry.destination), bind(to_blob(entry.payload)),
          bind(now_ms), bind(now_ms), now;
    }
    transaction.commit();
    return HeldDecision::kDone;
  });
  if (decision == HeldDecision::kDone) {
    other_commits_.fetch_add(1);
    for (const auto& entry : follow_ups) notifier_.notify(entry.destination);
  }
  return decision;
}

HeldDecision PostgresStore::release_held(HeldId id, const std::string& by,
                                         std::vector<OutboxEntry> follow_ups) {
  const HeldDecision decision = decide_held(id, "released", by, "", follow_ups);
  if (decision == HeldDecision::kDone) {
    EXPLAINER_LOG(logger(), info) << "held_explanation_released held_id=" << id
                                  << " follow_ups=" << follow_ups.size();
  }
  return decision;
}

HeldDecision PostgresStore::discard_held(HeldId id, const std::string& by,
                                         const std::string& reason) {
  const HeldDecision decision = decide_held(id, "discarded", by, reason, {});
  if (decision == HeldDecision::kDone) {
    EXPLAINER_LOG(logger(), info) << "held_explanation_discarded held_id=" << id;
  }
  return decision;
}

std::int64_t PostgresStore::held_count() {
  return guarded([&] {
    auto session = pool_->acquire();
    Int64 count = 0;
    *session << "SELECT COUNT(*) FROM held_explanations WHERE state = 'held'", into(count), now;
    return static_cast<std::int64_t>(count);
  });
}

StoreCounters PostgresStore::counters() const {
  StoreCounters counters;
  counters.commits = committer_->commits() + other_commits_.load();
  counters.accepted = accepted_.load();
  counters.duplicates = duplicates_.load();
  counters.failed = failed_.load();
  return counters;
}

int PostgresStore::schema_version() {
  return postgres::schema_version(options_.connection_string, options_.schema);
}

}  // namespace explainer::store::postgres
