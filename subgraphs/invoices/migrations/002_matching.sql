-- Amounts take up to 4 decimals: currencies have up to 3 minor digits (KWD), and 0 (JPY) must fit too.
ALTER TABLE invoice
  ALTER COLUMN subtotal TYPE numeric(20, 4),
  ALTER COLUMN tax_total TYPE numeric(20, 4),
  ALTER COLUMN total TYPE numeric(20, 4),
  ALTER COLUMN paid TYPE numeric(20, 4);
-- Statuses: a payable is APPROVED or DISPUTED once matched, a receivable ISSUED; payments move either on.
UPDATE invoice SET status = 'APPROVED' WHERE status IN ('RECEIVED', 'MATCHED');
ALTER TABLE invoice ADD CONSTRAINT invoice_status
  CHECK (status IN ('DISPUTED', 'APPROVED', 'ISSUED', 'PARTIALLY_PAID', 'PAID', 'CANCELLED'));
ALTER TABLE invoice ADD CONSTRAINT invoice_due_after_issue CHECK (due_date >= issue_date);
ALTER TABLE invoice
  ADD COLUMN idempotency_scope text,
  ADD COLUMN idempotency_key text,
  -- Hash of the invoice's content: a resubmission with the same number must carry exactly this.
  ADD COLUMN request_hash text,
  ADD COLUMN created_by text NOT NULL DEFAULT 'system',
  ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now(),
  -- The three-way match as computed (decimals as strings), kept as evidence of what was checked.
  ADD COLUMN match jsonb,
  ADD COLUMN dispute_reason text,
  ADD COLUMN approval_justification text,
  ADD COLUMN approved_by text,
  ADD COLUMN approved_at timestamptz,
  ADD COLUMN cancel_reason text,
  ADD COLUMN dunning_level integer NOT NULL DEFAULT 0 CHECK (dunning_level >= 0);
CREATE UNIQUE INDEX invoice_idempotency ON invoice (idempotency_scope, idempotency_key)
  WHERE idempotency_key IS NOT NULL;
-- Dunning scans open receivables by due date.
CREATE INDEX invoice_open_due ON invoice (due_date) WHERE status IN ('ISSUED', 'PARTIALLY_PAID');
DROP INDEX invoice_created;
CREATE INDEX invoice_created ON invoice (created_at DESC, id DESC);

CREATE TABLE invoice_line (
  invoice_id text NOT NULL REFERENCES invoice (id),
  line_no integer NOT NULL CHECK (line_no > 0),
  order_id text NOT NULL,
  order_line_no integer NOT NULL,
  sku text NOT NULL,
  unit text NOT NULL,
  description text,
  quantity numeric(18, 4) NOT NULL CHECK (quantity > 0),
  unit_price numeric(18, 4) NOT NULL CHECK (unit_price >= 0),
  net_amount numeric(20, 4) NOT NULL CHECK (net_amount >= 0),
  tax_rate numeric(7, 4) NOT NULL CHECK (tax_rate >= 0 AND tax_rate <= 100),
  tax_amount numeric(20, 4) NOT NULL CHECK (tax_amount >= 0),
  PRIMARY KEY (invoice_id, line_no),
  UNIQUE (invoice_id, order_id, order_line_no)
);
CREATE INDEX invoice_line_order ON invoice_line (order_id, order_line_no);

CREATE TABLE payment (
  id text PRIMARY KEY,
  invoice_id text NOT NULL REFERENCES invoice (id),
  reference text NOT NULL,
  amount numeric(20, 4) NOT NULL CHECK (amount > 0),
  paid_on date NOT NULL,
  request_hash text NOT NULL,
  recorded_by text NOT NULL,
  recorded_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  -- A payment retried by a bank or a partner's system carries the same reference: recorded once.
  UNIQUE (invoice_id, reference)
);

-- One row per reminder; the key makes "never the same level twice" a fact of the data.
CREATE TABLE dunning_reminder (
  invoice_id text NOT NULL REFERENCES invoice (id),
  level integer NOT NULL CHECK (level > 0),
  days_overdue integer NOT NULL CHECK (days_overdue > 0),
  as_of date NOT NULL,
  balance numeric(20, 4) NOT NULL,
  sent_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  PRIMARY KEY (invoice_id, level)
);

CREATE TABLE payment_terms (
  partner_id text PRIMARY KEY,
  days integer NOT NULL CHECK (days BETWEEN 0 AND 365),
  tax_rate numeric(7, 4) NOT NULL CHECK (tax_rate >= 0 AND tax_rate <= 100),
  updated_by text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- Our invoice numbers per series and year: AR-2026-000001.
CREATE TABLE invoice_number (
  series text NOT NULL,
  year integer NOT NULL,
  last integer NOT NULL,
  PRIMARY KEY (series, year)
);

-- What invoicing knows of orders and partners, projected from the event log (never from their tables).
CREATE TABLE order_fact (
  order_id text PRIMARY KEY,
  number text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('PURCHASE', 'SALES')),
  status text NOT NULL,
  buyer_id text NOT NULL,
  seller_id text NOT NULL,
  currency char(3) NOT NULL
);
CREATE TABLE order_line_fact (
  order_id text NOT NULL REFERENCES order_fact (order_id),
  line_no integer NOT NULL,
  sku text NOT NULL,
  unit text NOT NULL,
  quantity numeric(18, 4) NOT NULL,
  unit_price numeric(18, 4) NOT NULL,
  confirmed_quantity numeric(18, 4),
  shipped_quantity numeric(18, 4) NOT NULL DEFAULT 0,
  -- Accepted at goods receipt: what a supplier may bill.
  received_quantity numeric(18, 4) NOT NULL DEFAULT 0,
  PRIMARY KEY (order_id, line_no)
);
CREATE TABLE party (
  id text PRIMARY KEY,
  name text NOT NULL,
  roles text[] NOT NULL,
  status text NOT NULL,
  is_self boolean NOT NULL
);
