-- Who knows whom. A partner principal reads, of the directory, only itself, the company and the partners
-- it is related to: counterparties of its orders and invoices and of confirmed supply links (learnt from
-- the event log), and the companies it disclosed itself. One row per direction: a disclosure is one-way.
CREATE TABLE relationship (
  partner_id text NOT NULL REFERENCES partner (id),
  related_id text NOT NULL REFERENCES partner (id),
  -- What first related them: ORDER, INVOICE, SUPPLY_LINK or DISCLOSURE.
  basis text NOT NULL CHECK (basis IN ('ORDER', 'INVOICE', 'SUPPLY_LINK', 'DISCLOSURE')),
  since timestamptz NOT NULL DEFAULT clock_timestamp(),
  PRIMARY KEY (partner_id, related_id)
);

-- Positions of the consumers that keep `relationship` from the event log.
CREATE TABLE consumer_offsets (consumer text PRIMARY KEY, cursor bigint NOT NULL);

-- The partner whose principal registered (disclosed) this company; null when the company's staff did.
ALTER TABLE partner ADD COLUMN disclosed_by text REFERENCES partner (id);
-- A partner's disclosure of a company that is already in the directory, under identifiers it cannot be
-- told are known: a record of its own, pointing at the partner that holds the identifiers, for staff to
-- reconcile. The discloser never learns of, nor changes, the partner it duplicates.
ALTER TABLE partner ADD COLUMN duplicate_of text REFERENCES partner (id);

-- Identifiers of duplicate records repeat those of the partner they duplicate: the identifier stays
-- unique among the records that deduplicate registrations.
ALTER TABLE partner_identifier ADD COLUMN duplicate boolean NOT NULL DEFAULT false;
ALTER TABLE partner_identifier DROP CONSTRAINT partner_identifier_pkey;
CREATE UNIQUE INDEX partner_identifier_unique ON partner_identifier (scheme, value) WHERE NOT duplicate;
CREATE UNIQUE INDEX partner_identifier_per_partner ON partner_identifier (scheme, value, partner_id);

ALTER TABLE api_key ADD COLUMN last_used_at timestamptz;
ALTER TABLE api_key ADD COLUMN revoked_by text;
