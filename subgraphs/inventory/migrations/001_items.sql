CREATE TABLE item (
  sku text PRIMARY KEY,
  name text NOT NULL,
  unit text NOT NULL,
  gtin text UNIQUE,
  list_price numeric(18, 4) CHECK (list_price >= 0),
  currency char(3),
  created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CHECK ((list_price IS NULL) = (currency IS NULL))
);
CREATE INDEX item_name ON item (lower(name), sku);

CREATE TABLE stock_level (
  sku text NOT NULL REFERENCES item (sku),
  location text NOT NULL,
  on_hand numeric(18, 4) NOT NULL DEFAULT 0 CHECK (on_hand >= 0),
  reserved numeric(18, 4) NOT NULL DEFAULT 0 CHECK (reserved >= 0),
  PRIMARY KEY (sku, location),
  -- Available (on hand minus reserved) never goes negative.
  CHECK (reserved <= on_hand)
);

CREATE TABLE consumer_offsets (consumer text PRIMARY KEY, cursor bigint NOT NULL);
