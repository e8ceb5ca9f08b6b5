-- Locations. Exactly one is the default: order-driven receipts and issues happen there first.
CREATE TABLE location (
  code text PRIMARY KEY CHECK (code ~ '^[A-Z0-9][A-Z0-9_.-]{0,31}$'),
  name text NOT NULL,
  is_default boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE UNIQUE INDEX location_one_default ON location (is_default) WHERE is_default;
INSERT INTO location (code, name) SELECT DISTINCT location, location FROM stock_level;
UPDATE location SET is_default = true WHERE code = (SELECT min(code) FROM location);
ALTER TABLE stock_level ADD CONSTRAINT stock_level_location FOREIGN KEY (location) REFERENCES location (code);

-- What customers and prices need to know of items, and the change tracking of the catalog: every change a
-- customer's catalog shows (item data, list price, promotion, availability) stamps the item with the
-- event-log cursor of the event that describes it. Cursors become visible in order, so "version > the
-- highest cursor seen at the last sync" misses nothing.
ALTER TABLE item ADD COLUMN reorder_point numeric(18, 4) CHECK (reorder_point >= 0);
ALTER TABLE item ADD COLUMN below_reorder_point boolean NOT NULL DEFAULT false;
ALTER TABLE item ADD COLUMN availability_check text NOT NULL DEFAULT 'BACKORDER'
  CHECK (availability_check IN ('BACKORDER', 'CONFIRM_AVAILABLE'));
ALTER TABLE item ADD COLUMN catalog_version bigint NOT NULL DEFAULT 0;
CREATE INDEX item_catalog_version ON item (catalog_version);

-- The stock ledger: every change of a stock level, signed, with the balance it left behind.
CREATE TABLE stock_movement (
  id bigserial PRIMARY KEY,
  sku text NOT NULL REFERENCES item (sku),
  location text NOT NULL REFERENCES location (code),
  kind text NOT NULL CHECK (kind IN ('RECEIPT', 'ISSUE', 'ADJUSTMENT', 'RESERVATION', 'RELEASE')),
  on_hand_change numeric(18, 4) NOT NULL,
  reserved_change numeric(18, 4) NOT NULL,
  on_hand_after numeric(18, 4) NOT NULL CHECK (on_hand_after >= 0),
  reserved_after numeric(18, 4) NOT NULL CHECK (reserved_after >= 0 AND reserved_after <= on_hand_after),
  reason text,
  order_id text,
  line_no integer,
  -- The event-log cursor of the order event this movement reacts to: applied once.
  source_cursor bigint,
  actor text,
  at timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX stock_movement_item ON stock_movement (sku, id DESC);
CREATE INDEX stock_movement_item_location ON stock_movement (sku, location, id DESC);
CREATE INDEX stock_movement_order ON stock_movement (order_id) WHERE order_id IS NOT NULL;

-- What is still reserved for a sales order line, per location.
CREATE TABLE reservation (
  order_id text NOT NULL,
  line_no integer NOT NULL,
  sku text NOT NULL REFERENCES item (sku),
  location text NOT NULL REFERENCES location (code),
  quantity numeric(18, 4) NOT NULL CHECK (quantity >= 0),
  PRIMARY KEY (order_id, line_no, location)
);

-- Partners as the partners subgraph announces them: a customer price needs an active customer.
CREATE TABLE partner (
  id text PRIMARY KEY,
  name text NOT NULL,
  roles text[] NOT NULL,
  status text NOT NULL
);

-- A price agreed with one customer, valid on calendar days [valid_from, valid_to] (UTC); starts_at and
-- ends_at are the same validity as instants (ends_at exclusive, null when open-ended).
CREATE TABLE customer_price (
  id text PRIMARY KEY,
  sku text NOT NULL REFERENCES item (sku),
  customer_id text NOT NULL,
  amount numeric(18, 4) NOT NULL CHECK (amount >= 0),
  currency char(3) NOT NULL,
  valid_from date NOT NULL,
  valid_to date CHECK (valid_to >= valid_from),
  starts_at timestamptz NOT NULL,
  ends_at timestamptz,
  removed_at timestamptz,
  version bigint NOT NULL,
  created_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX customer_price_item ON customer_price (customer_id, sku);
CREATE INDEX customer_price_sku ON customer_price (sku);
CREATE INDEX customer_price_version ON customer_price (customer_id, version);
CREATE INDEX customer_price_starts ON customer_price (customer_id, starts_at);
CREATE INDEX customer_price_ends ON customer_price (customer_id, ends_at);

-- A discount on the list price for everyone, in [starts_at, ends_at).
CREATE TABLE promotion (
  id text PRIMARY KEY,
  sku text NOT NULL REFERENCES item (sku),
  name text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('PERCENT', 'AMOUNT')),
  value numeric(18, 4) NOT NULL CHECK (value > 0 AND (kind <> 'PERCENT' OR value <= 100)),
  currency char(3),
  starts_at timestamptz NOT NULL,
  ends_at timestamptz NOT NULL CHECK (ends_at > starts_at),
  created_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  CHECK ((kind = 'AMOUNT') = (currency IS NOT NULL))
);
CREATE INDEX promotion_item ON promotion (sku, starts_at);
CREATE INDEX promotion_starts ON promotion (starts_at);
CREATE INDEX promotion_ends ON promotion (ends_at);

-- A database with history: the stock levels already reflect the orders logged so far (they were counts),
-- so the stock consumer starts at the current end of the log; the partners it would have learned from the
-- earlier events are taken from the log itself. On an empty log both are no-ops.
INSERT INTO partner (id, name, roles, status)
SELECT DISTINCT ON (payload->>'id') payload->>'id', payload->>'name',
       ARRAY(SELECT jsonb_array_elements_text(payload->'roles')), payload->>'status'
  FROM events.event_log WHERE type IN ('PartnerRegistered', 'PartnerUpdated')
 ORDER BY payload->>'id', cursor DESC;
INSERT INTO consumer_offsets (consumer, cursor)
SELECT 'stock', max(cursor) FROM events.event_log HAVING max(cursor) IS NOT NULL;
