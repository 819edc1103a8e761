// PostgresStore: the MessageStore backend for several engine instances on one database.
//
// Durability: accept() and operator writes return after PostgreSQL committed them with the
// server's synchronous_commit (default on: WAL flushed to disk). Concurrent accept() calls
// of one store object share a transaction (GroupCommitter: one WAL flush for many
// messages). mark_delivered/mark_retry/mark_dead and lease bookkeeping commit with
// synchronous_commit=off: a server crash may undo the last marks (those rows are
// delivered again; delivery is at-least-once anyway); an engine crash loses nothing.
//
// Several instances: every instance (store object) may call next_pending() for any
// destination. A destination's head is handed to one instance at a time under a lease
// (table destination_leases, row locked with FOR UPDATE SKIP LOCKED while deciding),
// valid for `lease_duration` on the database server's clock. mark_* ends the lease; an
// instance that dies holding one stalls that destination until it expires, then another
// instance takes the head over. So per-destination order holds across instances, and a
// killed instance's leased message is delivered by another one. lease_duration must
// exceed the longest delivery attempt (send timeout), or a slow attempt may overlap with
// a takeover (then the row can be sent twice, still in order).
//
// next_pending() while another instance holds the destination: no item, and
// head_due_at_ms = when to ask again (lease expiry, or shortly when another instance is
// deciding at this moment). Callers treat it exactly like a head not yet due.
//
// subscribe() is in-process: it fires for rows this store object made pending. Rows
// enqueued by other instances reach this instance's workers through their idle poll
// (no LISTEN/NOTIFY).
//
// Thread safety: all operations from any thread. Reads, marks and operator operations use
// a bounded pool of sessions (pool_size); accept() batches use one further session.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/clock.h"
#include "store/message_store.h"
#include "store/postgres/pg_group_committer.h"
#include "store/postgres/pg_session.h"
#include "store/work_notifier.h"

namespace explainer::store::postgres {

struct PostgresStoreOptions {
  // libpq key=value pairs, e.g. "host=db port=5432 user=explainer password=... dbname=explainer".
  // Values must not contain spaces or quotes (Poco splits the string at spaces).
  std::string connection_string;
  // Schema holding the store's tables, created if missing (needs CREATE on the database).
  // Letters, digits and '_' only. Empty: the first schema of the server's search_path
  // (normally "public"). Instances sharing a queue must use the same value here (it also
  // keys their common enqueue lock: "" and "public" would not exclude each other).
  std::string schema;
  std::size_t pool_size = 8;  // sessions for next_pending/marks/operator calls
  bool upgrade = false;       // allow migrating an older schema (operator's --upgrade)
  // Names this instance in leases and logs (e.g. host name). Empty: "<hostname>:<pid>".
  // Each store object appends a random suffix, so a restarted instance never mistakes
  // its predecessor's leases for its own.
  std::string instance_id;
  std::chrono::milliseconds lease_duration{60'000};
  std::size_t max_batch = 512;  // most accept() calls in one transaction
  // On destruction, give up this object's leases so other instances continue at once.
  // false only for tests that simulate a crashed instance.
  bool release_leases_on_close = true;
  // Wall clock for delivered/dead/retry timestamps; must outlive the store.
  const core::Clock* clock = &core::SystemClock::instance();
};

class PostgresStore final : public MessageStore {
 public:
  // Connects, then creates or checks the schema (see pg_migrations.h): a newer schema is
  // refused, an older one is refused unless options.upgrade. Throws StoreError with an
  // operator-readable message if the store cannot be opened.
  static std::unique_ptr<PostgresStore> open(const PostgresStoreOptions& options);

  // Commits queued accepts, releases this object's leases (unless configured not to),
  // then disconnects. Subscriptions must be gone by then.
  ~PostgresStore() override;

  AcceptResult accept(InboundMessage message, std::vector<OutboxEntry> outbox) override;
  AcceptResult accept_with_held(InboundMessage message, std::vector<OutboxEntry> outbox,
                                std::vector<HeldEntry> held) override;
  std::vector<HeldItem> list_held(bool include_decided = false) override;
  std::optional<HeldItem> find_held(HeldId id) override;
  std::optional<std::string> message_payload(MessageId id) override;
  // Release: one synced transaction under the enqueue lock (outbox ids stay in commit order).
  HeldDecision release_held(HeldId id, const std::string& by,
                            std::vector<OutboxEntry> follow_ups) override;
  HeldDecision discard_held(HeldId id, const std::string& by, const std::string& reason) override;
  std::int64_t held_count() override;
  NextPending next_pending(const std::string& destination, std::int64_t now_ms) override;
  // Slot k's claim is a lease row like the FIFO lease (row "<destination>" for slot 0,
  // "<destination>#<k>" for k > 0), decided under a per-destination advisory lock so two
  // slots never claim one row; an instance that dies holding claims stalls those rows only,
  // until their leases expire.
  NextPending claim_pending(const std::string& destination, int slot, std::int64_t now_ms) override;
  bool mark_delivered(OutboxId id) override;
  bool mark_retry(OutboxId id, std::int64_t next_attempt_at_ms, const std::string& error) override;
  bool mark_dead(OutboxId id, const std::string& reason) override;
  Subscription subscribe(const std::string& destination,
                         std::function<void()> on_new_work) override;
  std::vector<QueueStatus> queue_status(std::int64_t now_ms) override;
  std::vector<OutboxItem> list_dead(const std::string& destination = {}) override;
  bool retry_dead(OutboxId id) override;
  std::int64_t retry_all_dead(const std::string& destination = {}) override;
  bool purge(OutboxId id) override;
  std::int64_t purge_delivered_older_than(std::int64_t cutoff_ms) override;
  std::int64_t purge_payloads_older_than(std::int64_t cutoff_ms) override;
  StoreCounters counters() const override;

  int schema_version();
  // "<instance id>#<random>": the owner this object writes into destination_leases.
  const std::string& lease_owner() const { return lease_owner_; }

 private:
  explicit PostgresStore(const PostgresStoreOptions& options);
  // Runs `update` (an outbox-row UPDATE ... RETURNING destination into its second
  // argument) and, when it changed the row, ends this object's lease (FIFO or slot) on
  // the row, in one relaxed transaction. True if the row changed.
  using MarkUpdate = std::function<void(Poco::Data::Session&, std::vector<std::string>&)>;
  bool mark(OutboxId id, const MarkUpdate& update);
  std::vector<HeldItem> select_held(const std::string& where, Poco::Int64 parameter);
  HeldDecision decide_held(HeldId id, const std::string& state, const std::string& by,
                           const std::string& reason, const std::vector<OutboxEntry>& follow_ups);

  const PostgresStoreOptions options_;
  const std::string connection_string_;  // with the schema's search_path
  const core::Clock& clock_;
  const std::string lease_owner_;
  WorkNotifier notifier_;
  std::unique_ptr<SessionPool> pool_;
  std::unique_ptr<GroupCommitter> committer_;
  std::atomic<std::uint64_t> other_commits_{0};
  std::atomic<std::uint64_t> accepted_{0};
  std::atomic<std::uint64_t> duplicates_{0};
  std::atomic<std::uint64_t> failed_{0};
};

}  // namespace explainer::store::postgres
