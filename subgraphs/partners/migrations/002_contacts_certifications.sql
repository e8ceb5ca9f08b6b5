-- Contacts are personal data: they live here only and never enter the event log.
CREATE TABLE partner_contact (
  id text PRIMARY KEY,
  partner_id text NOT NULL REFERENCES partner (id),
  name text NOT NULL CHECK (name <> ''),
  email text,
  phone text,
  -- What the person handles: sales, logistics, accounts payable, ...
  business_function text,
  created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  -- A contact nobody can reach is no contact.
  CHECK (email IS NOT NULL OR phone IS NOT NULL)
);
CREATE INDEX partner_contact_partner ON partner_contact (partner_id);

CREATE TABLE certification (
  id text PRIMARY KEY,
  partner_id text NOT NULL REFERENCES partner (id),
  kind text NOT NULL CHECK (kind <> ''),
  issuer text NOT NULL CHECK (issuer <> ''),
  valid_until date NOT NULL,
  created_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX certification_partner ON certification (partner_id);
