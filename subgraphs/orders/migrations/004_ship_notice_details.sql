-- What EDI ship notices carry beyond quantities (X12 856, EDIFACT DESADV, UBL Despatch Advice): lots and
-- serial numbers per shipment line, and the packages the goods travel in.
CREATE TABLE shipment_lot (
  shipment_id text NOT NULL,
  line_no integer NOT NULL,
  -- The order the seller listed them in.
  position integer NOT NULL,
  lot_number text NOT NULL,
  quantity numeric(18, 4) NOT NULL CHECK (quantity > 0),
  expiry_date date,
  production_date date,
  PRIMARY KEY (shipment_id, line_no, lot_number),
  FOREIGN KEY (shipment_id, line_no) REFERENCES shipment_line (shipment_id, line_no)
);

CREATE TABLE shipment_serial (
  shipment_id text NOT NULL,
  line_no integer NOT NULL,
  position integer NOT NULL,
  serial text NOT NULL,
  PRIMARY KEY (shipment_id, line_no, serial),
  FOREIGN KEY (shipment_id, line_no) REFERENCES shipment_line (shipment_id, line_no)
);
-- Traceability: which shipments carried a unit, when one is recalled or returned.
CREATE INDEX shipment_serial_lookup ON shipment_serial (serial);

CREATE TABLE shipment_package (
  shipment_id text NOT NULL REFERENCES shipment (id),
  position integer NOT NULL,
  package_id text NOT NULL,
  package_type text,
  gross_weight numeric(18, 4) CHECK (gross_weight > 0),
  weight_unit text,
  PRIMARY KEY (shipment_id, position),
  UNIQUE (shipment_id, package_id),
  CHECK ((gross_weight IS NULL) = (weight_unit IS NULL))
);
CREATE INDEX shipment_package_lookup ON shipment_package (package_id);

CREATE TABLE shipment_package_content (
  shipment_id text NOT NULL,
  package_position integer NOT NULL,
  position integer NOT NULL,
  line_no integer NOT NULL,
  quantity numeric(18, 4) NOT NULL CHECK (quantity > 0),
  lot_number text,
  PRIMARY KEY (shipment_id, package_position, position),
  FOREIGN KEY (shipment_id, package_position) REFERENCES shipment_package (shipment_id, position),
  FOREIGN KEY (shipment_id, line_no) REFERENCES shipment_line (shipment_id, line_no),
  FOREIGN KEY (shipment_id, line_no, lot_number) REFERENCES shipment_lot (shipment_id, line_no, lot_number)
);

-- Retried confirmations and rejections: the key the seller sent, a hash of what it asked, and the order.
-- Keys are scoped like the keys that create orders: to a partner, or to one person of the company.
CREATE TABLE order_request (
  idempotency_scope text NOT NULL,
  idempotency_key text NOT NULL,
  order_id text NOT NULL REFERENCES purchase_order (id),
  request_hash text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  PRIMARY KEY (idempotency_scope, idempotency_key)
);
