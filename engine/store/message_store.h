// MessageStore: the durable inbound log and per-destination outbox.
//
// Store-and-forward invariant. A listener acknowledges a message (MLLP AA/CA, HTTP 2xx)
// only after accept() returned Accepted or Duplicate. At that point the inbound message
// and one outbox row per destination are durable as one unit (all or nothing), at the
// durability level of the backend (see its header; SQLite default: WAL with
// synchronous=FULL, i.e. fsync before accept() returns).
//
// Delivery contract. Each destination is a strict FIFO in outbox-id order: next_pending()
// returns the oldest row that is neither delivered nor dead, and only when it is due. A
// row waiting for a retry therefore blocks later rows of its destination (HL7 ordering);
// a dead row no longer does. Delivery is at-least-once: a crash between a successful send
// and mark_delivered() sends that row again after restart.
//
// Errors. accept() never throws: every failure is a Failed value. All other operations
// throw StoreError when the backend fails (unavailable, I/O error, disk full, schema);
// logical outcomes (no such row, row not dead) are return values.
//
// Thread safety: every operation may be called from any thread concurrently. A store
// must outlive the Subscriptions it hands out. Backends also accept a second process
// (the `explainer queue` CLI) working on the same store while the daemon runs; such a
// process's changes reach the daemon's workers through their idle poll, not through
// subscribe() (which is in-process).
//
// No patient data in anything a store logs or puts into error text: ids, counts and
// destination names only. Payloads are opaque bytes, stored and returned unchanged.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace explainer::store {

using MessageId = std::int64_t;
using OutboxId = std::int64_t;
using HeldId = std::int64_t;

// Thrown by every operation but accept() when the backend fails, and by backend
// factories when a store cannot be opened (the text says why, e.g. schema too new).
class StoreError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// One message as received, before any destination-specific change.
struct InboundMessage {
  std::string source;               // "mllp:<listener name>", "fhir", "cli", ...
  std::string format;               // "hl7v2", "fhir-json", "fhir-xml"
  std::string dedupe_key;           // v2: sending app|facility|MSH-10; FHIR: resource id|version.
                                    // Empty: never treated as a duplicate.
  std::string control_id;           // MSH-10 or resource id, for operators
  std::int64_t received_at_ms = 0;  // wall clock, ms since the Unix epoch
  std::string payload;              // the original bytes, unchanged
};

// What to deliver to one destination (may differ per destination, e.g. enrichment form).
struct OutboxEntry {
  std::string destination;
  std::string payload;
};

struct Accepted {
  MessageId message_id = 0;
};
// The dedupe key was already stored: nothing new was enqueued, the repeat was counted
// on the existing message. The caller acknowledges as for Accepted.
struct Duplicate {
  MessageId existing_message_id = 0;
};
// Nothing was stored; the caller must not acknowledge positively.
struct Failed {
  std::string reason;
};
using AcceptResult = std::variant<Accepted, Duplicate, Failed>;

inline bool is_stored(const AcceptResult& result) {
  return !std::holds_alternative<Failed>(result);
}

enum class OutboxState { kPending, kDelivered, kDead };
const char* to_string(OutboxState state);

// One outbox row as handed to a delivery worker or listed for an operator.
struct OutboxItem {
  OutboxId id = 0;
  MessageId message_id = 0;
  std::string destination;
  std::string payload;  // empty in list_dead() results
  OutboxState state = OutboxState::kPending;
  int attempts = 0;  // attempts recorded by mark_* since enqueue (or since retry_dead)
  std::int64_t created_at_ms = 0;
  std::int64_t next_attempt_at_ms = 0;
  std::string last_error;  // last retry reason or dead-letter reason; empty if none
  std::string control_id;  // of the inbound message
};

// Result of next_pending(): either the due head, or when the (not yet due) head will be
// due, or neither when the destination has nothing pending.
struct NextPending {
  std::optional<OutboxItem> item;
  std::optional<std::int64_t> head_due_at_ms;
};

// Per destination, for `explainer queue status`.
struct QueueStatus {
  std::string destination;
  std::int64_t pending = 0;
  std::int64_t oldest_pending_age_ms = 0;  // 0 when nothing is pending
  std::int64_t dead = 0;
  std::string last_error;  // of the most recently failed row (retry or dead); may be empty
};

// Monotonic counters since this store object was opened (not persisted).
struct StoreCounters {
  std::uint64_t commits = 0;     // write transactions committed (group commit: many messages)
  std::uint64_t accepted = 0;    // accept() results Accepted
  std::uint64_t duplicates = 0;  // accept() results Duplicate
  std::uint64_t failed = 0;      // accept() results Failed
};

// ---- Held explanations (policy "hold"): see accept_with_held() and the review operations. ----

// One explanation the policy held back from a report, recorded with the message. Payloads
// are not duplicated: the follow-up is built from the stored original message at release.
struct HeldEntry {
  std::vector<std::string> destinations;  // the enriched destinations it was held from (>= 1)
  int report_index = 0;                   // v2: OBR group index; FHIR: extracted report index
  std::string report_id;                  // FHIR DiagnosticReport id; "" for v2
  std::string accession;                  // patient-related: never logged, CLI output only
  std::string finding_id;
  std::string content_id;
  std::string content_version;
  std::string language;
};

enum class HeldState { kHeld, kReleased, kDiscarded };
const char* to_string(HeldState state);

struct HeldItem {
  HeldId id = 0;
  MessageId message_id = 0;
  HeldEntry entry;
  HeldState state = HeldState::kHeld;
  std::int64_t created_at_ms = 0;
  std::int64_t decided_at_ms = 0;  // 0 while held
  std::string decided_by;          // operator name given to release/discard
  std::string reason;              // discard reason; may be empty
  std::string control_id;          // of the inbound message
  std::string format;              // of the inbound message ("hl7v2", "fhir-json", ...)
};

// Outcome of release_held() / discard_held().
enum class HeldDecision { kDone, kNotFound, kAlreadyDecided };

// Handle for a subscribe() registration; unregisters on destruction, after which the
// callback is guaranteed not to be running nor to run again. Move-only.
class Subscription {
 public:
  Subscription() = default;
  explicit Subscription(std::function<void()> cancel) : cancel_(std::move(cancel)) {}
  Subscription(Subscription&& other) noexcept : cancel_(std::move(other.cancel_)) {
    other.cancel_ = nullptr;
  }
  Subscription& operator=(Subscription&& other) noexcept {
    if (this != &other) {
      reset();
      cancel_ = std::move(other.cancel_);
      other.cancel_ = nullptr;
    }
    return *this;
  }
  Subscription(const Subscription&) = delete;
  Subscription& operator=(const Subscription&) = delete;
  ~Subscription() { reset(); }
  void reset() {
    if (cancel_) {
      auto cancel = std::move(cancel_);
      cancel_ = nullptr;
      cancel();
    }
  }

 private:
  std::function<void()> cancel_;
};

class MessageStore {
 public:
  virtual ~MessageStore() = default;
  MessageStore(const MessageStore&) = delete;
  MessageStore& operator=(const MessageStore&) = delete;

  // Stores `message` and one pending outbox row per entry (due immediately) in one
  // transaction; entries keep their order (lower outbox ids first). Blocks until that
  // transaction is durable or failed. Concurrent calls may share one transaction (group
  // commit) but succeed or fail individually. A duplicate dedupe key enqueues nothing.
  // Never throws.
  virtual AcceptResult accept(InboundMessage message, std::vector<OutboxEntry> outbox) = 0;

  // accept() that also records `held` explanations (state held, created now) in the same
  // transaction: when it returns Accepted they are as durable as the message. A Duplicate
  // records nothing new. A held entry without destinations fails the call. Never throws.
  virtual AcceptResult accept_with_held(InboundMessage message, std::vector<OutboxEntry> outbox,
                                        std::vector<HeldEntry> held) = 0;

  // The oldest pending (not delivered, not dead) row of `destination`, returned only if
  // next_attempt_at_ms <= now_ms; otherwise head_due_at_ms tells when it will be.
  virtual NextPending next_pending(const std::string& destination, std::int64_t now_ms) = 0;

  // Bounded parallelism (a destination configured with parallelism N > 1; N workers, slots
  // 0..N-1, each delivering one row at a time). Claims for `slot` the oldest due pending row
  // of `destination` that no other slot of that destination holds, and returns it; the
  // slot's previous claim (if any) ends. A row waiting for its retry does not block later
  // rows, so delivery order is NOT guaranteed in this mode. With nothing claimable,
  // head_due_at_ms is when the earliest unclaimed pending row becomes due (empty: none).
  // A claim ends with a mark_*() of its row or the slot's next call. Backends shared by
  // several instances (PostgreSQL) keep claims as expiring leases common to all instances,
  // so at most N rows of a destination are in flight across them. Do not mix with
  // next_pending() for the same destination.
  virtual NextPending claim_pending(const std::string& destination, int slot,
                                    std::int64_t now_ms) = 0;

  // Each mark_* records the outcome of one delivery attempt of a pending row (attempts+1);
  // next_pending() sees it on return. A backend may defer making marks durable (see its
  // header): after a power loss a delivered row may be pending again and be re-sent, which
  // at-least-once delivery allows. They return false if the row does not exist or is not
  // pending (e.g. an operator purged it meanwhile).
  virtual bool mark_delivered(OutboxId id) = 0;
  virtual bool mark_retry(OutboxId id, std::int64_t next_attempt_at_ms,
                          const std::string& error) = 0;
  virtual bool mark_dead(OutboxId id, const std::string& reason) = 0;

  // Calls `on_new_work` (from an internal thread, after the commit and before the call
  // that made the change returns) whenever rows became pending for `destination` through
  // this store object: accept(), retry_dead(), retry_all_dead(). The callback must be quick and
  // must not call into the store; signalling a condition variable is the intended use.
  virtual Subscription subscribe(const std::string& destination,
                                 std::function<void()> on_new_work) = 0;

  // ---- Operator operations (`explainer queue`). ----

  // One entry per destination that has any outbox row, ordered by name.
  virtual std::vector<QueueStatus> queue_status(std::int64_t now_ms) = 0;
  // For metrics, called at every scrape: like queue_status() but only destinations with
  // pending or dead rows, and last_error left empty. Backends override it with queries
  // that read only pending and dead rows (not the retained delivered ones); the default
  // filters queue_status().
  virtual std::vector<QueueStatus> queue_depths(std::int64_t now_ms);
  // Dead rows, oldest first (payloads left empty). Empty `destination`: all destinations.
  virtual std::vector<OutboxItem> list_dead(const std::string& destination = {}) = 0;
  // Makes a dead row pending again, due now, attempts reset to 0. It keeps its place in
  // the FIFO (its id), so it goes before rows enqueued after it. False if not dead.
  virtual bool retry_dead(OutboxId id) = 0;
  // retry_dead() for every dead row (of `destination`, or all when empty). Returns count.
  virtual std::int64_t retry_all_dead(const std::string& destination = {}) = 0;
  // Deletes a dead row and its payload for good. False if the row is not dead (to drop a
  // pending row, mark_dead() it first).
  virtual bool purge(OutboxId id) = 0;

  // ---- Review of held explanations (`explainer review`). ----

  // Held items, oldest first; with `include_decided` also released and discarded ones.
  virtual std::vector<HeldItem> list_held(bool include_decided = false) = 0;
  virtual std::optional<HeldItem> find_held(HeldId id) = 0;
  // The original bytes of a stored message (to build a follow-up from); nullopt if gone.
  virtual std::optional<std::string> message_payload(MessageId id) = 0;
  // Atomically: if item `id` is still held, marks it released by `by` (now) and enqueues
  // `follow_ups` as pending outbox rows of the item's message (due now; subscribers are
  // told). One transaction, durable on return. kAlreadyDecided / kNotFound change nothing,
  // so releasing twice never sends twice.
  virtual HeldDecision release_held(HeldId id, const std::string& by,
                                    std::vector<OutboxEntry> follow_ups) = 0;
  // Marks a held item discarded by `by` (now) with `reason`; nothing is sent.
  virtual HeldDecision discard_held(HeldId id, const std::string& by,
                                    const std::string& reason) = 0;
  // Items currently held (for the held-explanations gauge).
  virtual std::int64_t held_count() = 0;

  // ---- Retention. ----

  // Deletes every message received before `cutoff_ms` whose outbox rows are all delivered
  // (dead rows keep their message until purged) and that has no explanation still held,
  // together with its outbox rows, held-explanation records and payloads. Returns the number of
  // messages deleted. After this, a retransmission of a deleted message is no longer recognised as
  // a duplicate.
  virtual std::int64_t purge_delivered_older_than(std::int64_t cutoff_ms) = 0;

  // Empties the payloads (the message's and its outbox rows') of every message received
  // before `cutoff_ms` whose outbox rows are all delivered, keeping the rows themselves: the
  // patient data goes, the dedupe key (and control id, timestamps) stays, so a retransmission
  // is still recognised as a duplicate until purge_delivered_older_than() deletes the row.
  // Returns the number of messages emptied (already empty ones are not counted again).
  virtual std::int64_t purge_payloads_older_than(std::int64_t cutoff_ms) = 0;

  virtual StoreCounters counters() const = 0;

 protected:
  MessageStore() = default;
};

}  // namespace explainer::store
