-- Explainer PostgreSQL store, schema version 2: explanations held back by policy ("hold").
-- Recorded in the same transaction as their message; released (the follow-up goes into the
-- outbox of the same message) or discarded by an operator (`explainer review`). Rows stay
-- as the audit record until retention deletes their message, which it does not while any
-- of its explanations is still held.
CREATE TABLE held_explanations (
  id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  message_id      BIGINT  NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
  destinations    TEXT    NOT NULL,        -- destination names, separated by '\n'
  report_index    INTEGER NOT NULL,        -- v2 OBR group / FHIR report index
  report_id       TEXT    NOT NULL DEFAULT '',
  accession       BYTEA   NOT NULL,        -- patient-related: never logged
  finding_id      TEXT    NOT NULL,
  content_id      TEXT    NOT NULL,
  content_version TEXT    NOT NULL,
  language        TEXT    NOT NULL,
  state           TEXT    NOT NULL DEFAULT 'held'
                  CHECK (state IN ('held', 'released', 'discarded')),
  created_at_ms   BIGINT  NOT NULL,
  decided_at_ms   BIGINT,
  decided_by      TEXT,
  reason          TEXT
);
CREATE INDEX held_explanations_held ON held_explanations(id) WHERE state = 'held';
CREATE INDEX held_explanations_message ON held_explanations(message_id);
