-- Idempotency keys are scoped to the party that retries: a partner (whichever of its keys or users sends
-- the retry), or a person of the company.
ALTER TABLE purchase_order ADD COLUMN idempotency_scope text;
UPDATE purchase_order SET idempotency_scope = created_by WHERE idempotency_key IS NOT NULL;
DROP INDEX purchase_order_idempotency;
CREATE UNIQUE INDEX purchase_order_idempotency ON purchase_order (idempotency_scope, idempotency_key) WHERE idempotency_key IS NOT NULL;
ALTER TABLE purchase_order ADD COLUMN overdelivery_tolerance numeric(6, 3) NOT NULL DEFAULT 0 CHECK (overdelivery_tolerance >= 0);
-- Set by a final shipment: the seller will send no more, even when short of the confirmed quantities.
ALTER TABLE purchase_order ADD COLUMN shipping_complete boolean NOT NULL DEFAULT false;
ALTER TABLE purchase_order ADD CONSTRAINT purchase_order_status CHECK (status IN ('DRAFT', 'SUBMITTED', 'CONFIRMED', 'PARTIALLY_CONFIRMED', 'REJECTED', 'PARTIALLY_SHIPPED', 'SHIPPED', 'PARTIALLY_RECEIVED', 'RECEIVED', 'CLOSED', 'CANCELLED'));

ALTER TABLE order_line ADD COLUMN rejected_quantity numeric(18, 4) NOT NULL DEFAULT 0;
ALTER TABLE order_line ADD CONSTRAINT order_line_quantities CHECK (
  shipped_quantity >= 0 AND received_quantity >= 0 AND rejected_quantity >= 0
  AND (confirmed_quantity IS NULL OR confirmed_quantity >= 0));

CREATE TABLE shipment (
  id text PRIMARY KEY,
  order_id text NOT NULL REFERENCES purchase_order (id),
  seq integer NOT NULL,
  reference text,
  -- Same reference, same content: a retried ship notice returns the shipment it created.
  request_hash text NOT NULL,
  status text NOT NULL CHECK (status IN ('IN_TRANSIT', 'RECEIVED')),
  shipped_at timestamptz NOT NULL,
  expected_delivery_date date,
  carrier text,
  tracking_number text,
  received_at timestamptz,
  receipt_hash text,
  created_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  UNIQUE (order_id, seq)
);
CREATE UNIQUE INDEX shipment_reference ON shipment (order_id, reference) WHERE reference IS NOT NULL;

CREATE TABLE shipment_line (
  shipment_id text NOT NULL REFERENCES shipment (id),
  line_no integer NOT NULL,
  quantity numeric(18, 4) NOT NULL CHECK (quantity > 0),
  received_quantity numeric(18, 4) CHECK (received_quantity >= 0),
  rejected_quantity numeric(18, 4) CHECK (rejected_quantity >= 0),
  rejection_reason text,
  PRIMARY KEY (shipment_id, line_no)
);

-- What orders knows of partners and items, projected from the event log (no subgraph reads another's
-- tables): enough to refuse an order to an unknown, suspended or wrong-role partner, or for an unknown SKU.
CREATE TABLE party (
  id text PRIMARY KEY,
  name text NOT NULL,
  roles text[] NOT NULL,
  status text NOT NULL,
  is_self boolean NOT NULL
);
CREATE TABLE catalog_item (
  sku text PRIMARY KEY,
  unit text NOT NULL,
  list_price numeric(18, 4),
  currency char(3)
);
CREATE TABLE consumer_offsets (consumer text PRIMARY KEY, cursor bigint NOT NULL);

-- Lists are newest first with the id as tie-breaker, both descending: the indexes say so, so no sort step.
DROP INDEX purchase_order_buyer;
DROP INDEX purchase_order_seller;
DROP INDEX purchase_order_created;
CREATE INDEX purchase_order_buyer ON purchase_order (buyer_id, created_at DESC, id DESC);
CREATE INDEX purchase_order_seller ON purchase_order (seller_id, created_at DESC, id DESC);
CREATE INDEX purchase_order_created ON purchase_order (created_at DESC, id DESC);
CREATE INDEX purchase_order_kind ON purchase_order (kind, created_at DESC, id DESC);
