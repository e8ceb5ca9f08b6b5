-- What orders knows of the catalog beyond the list price, kept from inventory's events (no subgraph reads
-- another's tables): agreed customer prices and promotions to price sales orders, and availability to
-- confirm them.
ALTER TABLE catalog_item ADD COLUMN availability_check text NOT NULL DEFAULT 'BACKORDER';

CREATE TABLE customer_price (
  id text PRIMARY KEY,
  sku text NOT NULL,
  customer_id text NOT NULL,
  amount numeric(18, 4) NOT NULL,
  currency char(3) NOT NULL,
  starts_at timestamptz NOT NULL,
  ends_at timestamptz
);
CREATE INDEX customer_price_lookup ON customer_price (customer_id, sku);

CREATE TABLE promotion (
  id text PRIMARY KEY,
  sku text NOT NULL,
  kind text NOT NULL,
  value numeric(18, 4) NOT NULL,
  currency char(3),
  starts_at timestamptz NOT NULL,
  ends_at timestamptz NOT NULL
);
CREATE INDEX promotion_lookup ON promotion (sku, starts_at);

-- Available (on hand minus reserved, over every location) as inventory last announced it.
CREATE TABLE item_availability (
  sku text PRIMARY KEY,
  available numeric(18, 4) NOT NULL
);
-- Sales order confirmations inventory has not answered yet (its StockReserved event removes them): what
-- they will reserve is not in the announced availability, so confirmations subtract it themselves.
CREATE TABLE pending_reservation (
  order_id text NOT NULL,
  sku text NOT NULL,
  quantity numeric(18, 4) NOT NULL,
  PRIMARY KEY (order_id, sku)
);
CREATE INDEX pending_reservation_sku ON pending_reservation (sku);
