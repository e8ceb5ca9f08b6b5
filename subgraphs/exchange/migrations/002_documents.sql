-- The format outbound business documents go to a partner in (x12-004010, edifact-d96a, peppol-bis3);
-- null sends none, the partner taking events by webhook instead.
ALTER TABLE profile ADD COLUMN outbound_format text;

-- Each message of an inbound interchange, decided on its own and committed as soon as it is decided, so a
-- process that dies in the middle of 500 messages resumes after the last one decided.
CREATE TABLE document_message (
  document_id text NOT NULL REFERENCES document (id),
  position integer NOT NULL,
  document_type text,
  control_number text,
  status text NOT NULL CHECK (status IN ('PROCESSED', 'REJECTED')),
  findings jsonb NOT NULL DEFAULT '[]',
  effects jsonb NOT NULL DEFAULT '[]',
  decided_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  PRIMARY KEY (document_id, position)
);

-- The last control number written to a partner in a family: interchanges, groups and messages we send
-- are numbered from it and a number is never used twice.
CREATE TABLE control_counter (
  partner_id text NOT NULL,
  family text NOT NULL,
  last_value bigint NOT NULL,
  PRIMARY KEY (partner_id, family)
);

-- How a partner names the company's items: its own part number, ours as it knows it, or a GTIN.
CREATE TABLE item_reference (
  partner_id text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('BUYER_PART', 'VENDOR_PART', 'GTIN')),
  value text NOT NULL,
  sku text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  PRIMARY KEY (partner_id, kind, value)
);
CREATE INDEX item_reference_sku ON item_reference (partner_id, sku);

-- A business document owed to a partner because of an event: written by the outbound worker from the
-- owning subgraph's current data, once (the event's cursor and the subject make it unique).
CREATE TABLE outbound_job (
  id bigserial PRIMARY KEY,
  partner_id text NOT NULL,
  format text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('PurchaseOrder', 'OrderResponse', 'DespatchAdvice', 'Invoice')),
  subject_id text NOT NULL,
  event_cursor bigint NOT NULL,
  status text NOT NULL DEFAULT 'PENDING' CHECK (status IN ('PENDING', 'DONE')),
  document_id text REFERENCES document (id),
  attempts integer NOT NULL DEFAULT 0,
  last_error text,
  lease_until timestamptz,
  created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  UNIQUE (partner_id, kind, subject_id, event_cursor)
);
CREATE INDEX outbound_job_pending ON outbound_job (id) WHERE status = 'PENDING';
