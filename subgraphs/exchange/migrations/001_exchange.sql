CREATE TABLE consumer_offsets (consumer text PRIMARY KEY, cursor bigint NOT NULL);
-- The partners exchange knows, kept from partners' events (platform/events/parties.ts).
CREATE TABLE party (
  id text PRIMARY KEY,
  name text NOT NULL,
  roles text[] NOT NULL,
  status text NOT NULL,
  is_self boolean NOT NULL
);

CREATE TABLE profile (
  partner_id text PRIMARY KEY,
  channel text NOT NULL DEFAULT 'POLLING' CHECK (channel IN ('WEBHOOK', 'POLLING')),
  endpoint_url text,
  enabled boolean NOT NULL DEFAULT true,
  disabled_at timestamptz,
  disabled_reason text,
  consecutive_failures integer NOT NULL DEFAULT 0,
  event_types text[] NOT NULL DEFAULT '{}',
  formats text[] NOT NULL DEFAULT '{json}',
  identifiers jsonb NOT NULL DEFAULT '{}',
  mode text NOT NULL DEFAULT 'TEST' CHECK (mode IN ('TEST', 'PRODUCTION')),
  updated_at timestamptz NOT NULL DEFAULT clock_timestamp()
);

-- Every secret that signs a partner's deliveries; an old one keeps signing until it expires (rotation overlap).
CREATE TABLE webhook_secret (
  id bigserial PRIMARY KEY,
  partner_id text NOT NULL REFERENCES profile (partner_id),
  secret text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  expires_at timestamptz
);
CREATE INDEX webhook_secret_partner ON webhook_secret (partner_id, id);

-- Documents in both directions, byte for byte as received or sent.
CREATE TABLE document (
  id text PRIMARY KEY,
  seq bigserial UNIQUE,
  direction text NOT NULL CHECK (direction IN ('INBOUND', 'OUTBOUND')),
  partner_id text NOT NULL,
  format text NOT NULL,
  media_type text NOT NULL,
  content bytea NOT NULL,
  content_hash text NOT NULL,
  size integer NOT NULL,
  document_type text,
  control_number text,
  idempotency_key text,
  status text NOT NULL,
  reasons text[] NOT NULL DEFAULT '{}',
  duplicate_of text REFERENCES document (id),
  effects jsonb NOT NULL DEFAULT '[]',
  -- An outbound acknowledgement names the inbound document it answers.
  answers text REFERENCES document (id),
  received_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  processed_at timestamptz,
  acknowledged_at timestamptz,
  lease_until timestamptz
);
-- The same bytes from the same partner are one document.
CREATE UNIQUE INDEX document_content ON document (partner_id, direction, content_hash);
CREATE UNIQUE INDEX document_idempotency ON document (partner_id, idempotency_key)
  WHERE idempotency_key IS NOT NULL;
CREATE INDEX document_control ON document (partner_id, format, control_number)
  WHERE direction = 'INBOUND' AND control_number IS NOT NULL;
CREATE INDEX document_inbox ON document (seq) WHERE status = 'RECEIVED';
CREATE INDEX document_partner ON document (partner_id, seq DESC);

-- One message owed to one partner's endpoint, sent in id order per partner.
CREATE TABLE delivery (
  id bigserial PRIMARY KEY,
  partner_id text NOT NULL,
  message_id text NOT NULL,
  event_type text NOT NULL,
  event_cursor bigint,
  document_id text REFERENCES document (id),
  content_type text NOT NULL,
  body bytea NOT NULL,
  status text NOT NULL DEFAULT 'PENDING' CHECK (status IN ('PENDING', 'DELIVERED', 'FAILED', 'DEAD')),
  attempt_count integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  -- Retries stop at window_started_at (the first attempt) + the retry window; a redelivery starts a new one.
  window_started_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  lease_until timestamptz,
  last_url text,
  -- When what it carries was committed: the start of commit-to-receipt latency.
  source_committed_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  delivered_at timestamptz
);
CREATE INDEX delivery_queue ON delivery (partner_id, id) WHERE status = 'PENDING';
CREATE INDEX delivery_partner ON delivery (partner_id, id DESC);
CREATE INDEX delivery_recent ON delivery (id DESC);

CREATE TABLE delivery_attempt (
  delivery_id bigint NOT NULL REFERENCES delivery (id),
  attempt_no integer NOT NULL,
  at timestamptz NOT NULL,
  url text NOT NULL,
  http_status integer,
  latency_ms integer NOT NULL,
  error text,
  PRIMARY KEY (delivery_id, attempt_no)
);
