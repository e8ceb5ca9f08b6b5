CREATE TABLE partner (
  id text PRIMARY KEY,
  name text NOT NULL,
  country char(2) NOT NULL,
  roles text[] NOT NULL DEFAULT '{}',
  status text NOT NULL CHECK (status IN ('INVITED', 'ACTIVE', 'SUSPENDED')),
  is_self boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
-- Exactly one partner is the company that runs the system.
CREATE UNIQUE INDEX partner_single_self ON partner (is_self) WHERE is_self;
CREATE INDEX partner_name ON partner (lower(name), id);

-- An identifier belongs to one partner at most: this is what deduplicates registrations.
CREATE TABLE partner_identifier (
  scheme text NOT NULL CHECK (scheme IN ('GLN', 'DUNS', 'LEI', 'VAT')),
  value text NOT NULL,
  partner_id text NOT NULL REFERENCES partner (id),
  PRIMARY KEY (scheme, value)
);
CREATE INDEX partner_identifier_partner ON partner_identifier (partner_id);

CREATE TABLE api_key (
  id text PRIMARY KEY,
  partner_id text NOT NULL REFERENCES partner (id),
  name text NOT NULL,
  -- SHA-256 of a 256-bit random secret; the secret itself is never stored.
  secret_hash text NOT NULL UNIQUE,
  created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  revoked_at timestamptz
);
CREATE INDEX api_key_partner ON api_key (partner_id);
