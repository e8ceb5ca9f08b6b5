CREATE TABLE purchase_order (
  id text PRIMARY KEY,
  number text NOT NULL UNIQUE,
  kind text NOT NULL CHECK (kind IN ('PURCHASE', 'SALES')),
  status text NOT NULL,
  buyer_id text NOT NULL,
  seller_id text NOT NULL,
  currency char(3) NOT NULL,
  external_ref text,
  -- Whose reference external_ref is: the partner that is not us.
  external_ref_owner text,
  idempotency_key text,
  request_hash text,
  created_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CHECK (buyer_id <> seller_id)
);
CREATE UNIQUE INDEX purchase_order_external_ref ON purchase_order (external_ref_owner, external_ref) WHERE external_ref IS NOT NULL;
CREATE UNIQUE INDEX purchase_order_idempotency ON purchase_order (created_by, idempotency_key) WHERE idempotency_key IS NOT NULL;
CREATE INDEX purchase_order_buyer ON purchase_order (buyer_id, created_at DESC, id);
CREATE INDEX purchase_order_seller ON purchase_order (seller_id, created_at DESC, id);
CREATE INDEX purchase_order_created ON purchase_order (created_at DESC, id);

CREATE TABLE order_line (
  order_id text NOT NULL REFERENCES purchase_order (id),
  line_no integer NOT NULL CHECK (line_no > 0),
  sku text NOT NULL,
  quantity numeric(18, 4) NOT NULL CHECK (quantity > 0),
  unit text NOT NULL,
  unit_price numeric(18, 4) NOT NULL CHECK (unit_price >= 0),
  requested_date date,
  confirmed_quantity numeric(18, 4),
  confirmed_date date,
  shipped_quantity numeric(18, 4) NOT NULL DEFAULT 0,
  received_quantity numeric(18, 4) NOT NULL DEFAULT 0,
  PRIMARY KEY (order_id, line_no)
);

-- Order numbers are per kind and year: PO-2026-000001, SO-2026-000001.
CREATE TABLE order_number (
  kind text NOT NULL,
  year integer NOT NULL,
  last integer NOT NULL,
  PRIMARY KEY (kind, year)
);
