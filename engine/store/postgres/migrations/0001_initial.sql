-- Explainer PostgreSQL store, schema version 1.
-- Timestamps of messages and outbox rows are BIGINT milliseconds since the Unix epoch
-- (the engine's wall clock, as in the SQLite store). Lease expiry uses the database
-- server's clock (TIMESTAMPTZ), so instances with skewed clocks still agree on it.
-- Payloads are BYTEA: bytes exactly as received / as to be delivered. dedupe_key and
-- control_id come from the message (MSH fields, resource ids) and may hold bytes that are
-- not UTF-8 (Latin-1 facility names, ...): BYTEA too, kept exactly.

-- One row per inbound message (the original bytes, before any enrichment).
CREATE TABLE messages (
  id                   BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  source               TEXT   NOT NULL,            -- 'mllp:<listener>', 'fhir', ...
  format               TEXT   NOT NULL,            -- 'hl7v2', 'fhir-json', 'fhir-xml'
  dedupe_key           BYTEA  UNIQUE,              -- NULL: never a duplicate
  control_id           BYTEA  NOT NULL,
  received_at_ms       BIGINT NOT NULL,
  payload              BYTEA  NOT NULL,
  duplicate_count      BIGINT NOT NULL DEFAULT 0,  -- retransmissions acknowledged, not enqueued
  last_duplicate_at_ms BIGINT
);
CREATE INDEX messages_received_at ON messages(received_at_ms);

-- One row per (message, destination): what to deliver there, and how far it got.
-- Ids come from one sequence; accept batches take the enqueue lock before inserting, so
-- ids grow in commit order (see postgres/README.md).
CREATE TABLE outbox (
  id                 BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,  -- FIFO order per destination
  message_id         BIGINT  NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
  destination        TEXT    NOT NULL,
  payload            BYTEA   NOT NULL,
  state              TEXT    NOT NULL DEFAULT 'pending'
                     CHECK (state IN ('pending', 'delivered', 'dead')),
  attempts           INTEGER NOT NULL DEFAULT 0,
  created_at_ms      BIGINT  NOT NULL,
  next_attempt_at_ms BIGINT  NOT NULL,
  last_attempt_at_ms BIGINT,
  last_error         TEXT,                               -- never patient data; made valid UTF-8
  delivered_at_ms    BIGINT,
  dead_at_ms         BIGINT
);
-- The head of each destination's queue, and its dead letters.
CREATE INDEX outbox_pending ON outbox(destination, id) WHERE state = 'pending';
CREATE INDEX outbox_dead ON outbox(destination, id) WHERE state = 'dead';
CREATE INDEX outbox_message ON outbox(message_id);

-- Which engine instance may deliver a destination's head right now. A row is locked
-- (SELECT ... FOR UPDATE SKIP LOCKED) while an instance decides; owner/expires_at say who
-- holds the head until when. NULL owner: free. An expired lease may be taken over.
CREATE TABLE destination_leases (
  destination TEXT PRIMARY KEY,
  owner       TEXT,         -- "<instance id>#<random>" of the holding store object
  outbox_id   BIGINT,       -- the head row handed out (informational)
  acquired_at TIMESTAMPTZ,
  expires_at  TIMESTAMPTZ
);
