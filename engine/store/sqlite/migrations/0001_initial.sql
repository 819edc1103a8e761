-- Explainer SQLite store, schema version 1.
-- Timestamps are integers: milliseconds since the Unix epoch (wall clock).
-- Payloads are BLOBs: bytes exactly as received / as to be delivered.

-- One row per inbound message (the original bytes, before any enrichment).
CREATE TABLE messages (
  id                   INTEGER PRIMARY KEY AUTOINCREMENT,
  source               TEXT    NOT NULL,            -- 'mllp:<listener>', 'fhir', ...
  format               TEXT    NOT NULL,            -- 'hl7v2', 'fhir-json', 'fhir-xml'
  dedupe_key           TEXT,                        -- NULL: never a duplicate
  control_id           TEXT    NOT NULL,
  received_at_ms       INTEGER NOT NULL,
  payload              BLOB    NOT NULL,
  duplicate_count      INTEGER NOT NULL DEFAULT 0,  -- retransmissions acknowledged, not enqueued
  last_duplicate_at_ms INTEGER
);
CREATE UNIQUE INDEX messages_dedupe_key ON messages(dedupe_key) WHERE dedupe_key IS NOT NULL;
CREATE INDEX messages_received_at ON messages(received_at_ms);

-- One row per (message, destination): what to deliver there, and how far it got.
CREATE TABLE outbox (
  id                 INTEGER PRIMARY KEY AUTOINCREMENT,  -- FIFO order per destination
  message_id         INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
  destination        TEXT    NOT NULL,
  payload            BLOB    NOT NULL,
  state              TEXT    NOT NULL DEFAULT 'pending'
                     CHECK (state IN ('pending', 'delivered', 'dead')),
  attempts           INTEGER NOT NULL DEFAULT 0,
  created_at_ms      INTEGER NOT NULL,
  next_attempt_at_ms INTEGER NOT NULL,
  last_attempt_at_ms INTEGER,
  last_error         TEXT,                               -- never patient data
  delivered_at_ms    INTEGER,
  dead_at_ms         INTEGER
);
-- The head of each destination's queue, and its dead letters.
CREATE INDEX outbox_pending ON outbox(destination, id) WHERE state = 'pending';
CREATE INDEX outbox_dead ON outbox(destination, id) WHERE state = 'dead';
CREATE INDEX outbox_message ON outbox(message_id);
