-- The transactional outbox every subgraph appends to in its own write transaction.
CREATE TABLE event_log (
  cursor bigserial PRIMARY KEY,
  type text NOT NULL,
  aggregate_type text NOT NULL,
  aggregate_id text NOT NULL,
  -- Partner ids that are party to the event: row-level visibility for subscribers.
  parties text[] NOT NULL DEFAULT '{}',
  actor text,
  payload jsonb NOT NULL,
  occurred_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX event_log_aggregate ON event_log (aggregate_type, aggregate_id, cursor);
