CREATE TABLE invoice (
  id text PRIMARY KEY,
  number text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('PAYABLE', 'RECEIVABLE')),
  status text NOT NULL,
  issuer_id text NOT NULL,
  recipient_id text NOT NULL,
  order_id text,
  currency char(3) NOT NULL,
  subtotal numeric(18, 2) NOT NULL CHECK (subtotal >= 0),
  tax_total numeric(18, 2) NOT NULL CHECK (tax_total >= 0),
  total numeric(18, 2) NOT NULL CHECK (total = subtotal + tax_total),
  paid numeric(18, 2) NOT NULL DEFAULT 0 CHECK (paid >= 0 AND paid <= total),
  issue_date date NOT NULL,
  due_date date NOT NULL,
  created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  -- A supplier's invoice number is unique per supplier; ours are unique per kind.
  UNIQUE (issuer_id, number)
);
CREATE INDEX invoice_order ON invoice (order_id);
CREATE INDEX invoice_issuer ON invoice (issuer_id);
CREATE INDEX invoice_recipient ON invoice (recipient_id);
CREATE INDEX invoice_created ON invoice (created_at DESC, id);

CREATE TABLE consumer_offsets (consumer text PRIMARY KEY, cursor bigint NOT NULL);
