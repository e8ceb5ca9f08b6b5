import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Queryable } from '../../platform/db/database.ts';
import { appendEvent } from '../../platform/events/eventLog.ts';
import { conflict } from '../../platform/errors.ts';
import type { IdentifierScheme, PartnerRole, PartnerStatus } from './generated/resolvers.ts';

export interface PartnerRow {
  id: string;
  name: string;
  country: string;
  roles: PartnerRole[];
  status: PartnerStatus;
  is_self: boolean;
  /** The partner that disclosed this company, if a partner did. */
  disclosed_by: string | null;
  /** A partner's disclosure that repeats the identifiers of a company already in the directory. */
  duplicate_of: string | null;
  identifiers: { scheme: IdentifierScheme; value: string }[];
}

export interface ApiKeyRow {
  id: string;
  partner_id: string;
  name: string;
  created_at: Date;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

const API_KEY_COLUMNS = 'id, partner_id, name, created_at, last_used_at, revoked_at';

export interface NewPartner {
  name: string;
  country: string;
  roles: PartnerRole[];
  identifiers: { scheme: IdentifierScheme; value: string }[];
  status: PartnerStatus;
  isSelf?: boolean;
}

const SELECT_PARTNER = `
  SELECT p.id, p.name, p.country::text AS country, p.roles, p.status, p.is_self, p.disclosed_by, p.duplicate_of,
         COALESCE((SELECT json_agg(json_build_object('scheme', i.scheme, 'value', i.value) ORDER BY i.scheme, i.value)
                     FROM partners.partner_identifier i WHERE i.partner_id = p.id), '[]'::json) AS identifiers
    FROM partners.partner p`;

export async function partnersByIds(db: Queryable, ids: readonly string[]): Promise<PartnerRow[]> {
  const { rows } = await db.query<PartnerRow>(`${SELECT_PARTNER} WHERE p.id = ANY($1::text[])`, [[...ids]]);
  return rows;
}

export async function selfPartner(db: Queryable): Promise<PartnerRow | undefined> {
  return db.maybeOne<PartnerRow>(`${SELECT_PARTNER} WHERE p.is_self`);
}

export async function listPartners(
  db: Queryable,
  filter: { role?: PartnerRole | null; search?: string | null; visibleTo?: string | null },
  after: [string, string] | null,
  limit: number,
): Promise<PartnerRow[]> {
  const { rows } = await db.query<PartnerRow>(
    `${SELECT_PARTNER}
      WHERE ($1::text IS NULL OR $1 = ANY(p.roles))
        AND ($2::text IS NULL OR strpos(lower(p.name), lower($2)) > 0
             OR EXISTS (SELECT 1 FROM partners.partner_identifier i WHERE i.partner_id = p.id AND i.value = $2))
        AND ($3::text IS NULL OR p.id = $3 OR p.is_self
             OR EXISTS (SELECT 1 FROM partners.relationship r WHERE r.partner_id = $3 AND r.related_id = p.id))
        AND ($4::text IS NULL OR (lower(p.name), p.id) > ($4, $5))
      ORDER BY lower(p.name), p.id
      LIMIT $6`,
    [
      filter.role ?? null,
      filter.search ?? null,
      filter.visibleTo ?? null,
      after?.[0] ?? null,
      after?.[1] ?? null,
      limit,
    ],
  );
  return rows;
}

export const partnerSortKey = (row: PartnerRow): [string, string] => [row.name.toLowerCase(), row.id];

/**
 * Registers a partner as the company's staff do, deduplicating by identifier: a known identifier returns
 * the partner that holds it, with any new identifiers and roles added. Different name or country for it
 * is a conflict, never a second record.
 */
export async function registerPartner(
  tx: Queryable,
  input: NewPartner,
  actor: string,
): Promise<{ partner: PartnerRow; created: boolean }> {
  const known = [
    ...new Set(
      (await identifierHolders(tx, input.identifiers)).filter((h) => !h.duplicate).map((h) => h.partner_id),
    ),
  ];
  if (known.length > 1) {
    throw conflict('these identifiers belong to different partners', { partnerIds: known });
  }
  const existingId = known[0];
  if (existingId) return { partner: await mergeInto(tx, existingId, input, actor), created: false };
  return { partner: await insertPartner(tx, input, actor, {}), created: true };
}

/** Every record that holds one of `identifiers`, duplicates included. */
export async function identifierHolders(
  tx: Queryable,
  identifiers: NewPartner['identifiers'],
): Promise<{ partner_id: string; duplicate: boolean }[]> {
  const { rows } = await tx.query<{ partner_id: string; duplicate: boolean }>(
    `SELECT DISTINCT partner_id, duplicate FROM partners.partner_identifier
      WHERE (scheme, value) IN (SELECT * FROM unnest($1::text[], $2::text[]))
      ORDER BY partner_id`,
    [identifiers.map((i) => i.scheme), identifiers.map((i) => i.value)],
  );
  return rows;
}

/**
 * Inserts a new record and appends `PartnerRegistered`. A disclosure names the partner that disclosed
 * it; a duplicate also the record whose identifiers it repeats (see migration 003).
 */
export async function insertPartner(
  tx: Queryable,
  input: NewPartner,
  actor: string,
  origin: { disclosedBy?: string; duplicateOf?: string },
): Promise<PartnerRow> {
  const id = randomUUID();
  await tx.query(
    `INSERT INTO partners.partner (id, name, country, roles, status, is_self, disclosed_by, duplicate_of)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [
      id,
      input.name,
      input.country,
      input.roles,
      input.status,
      input.isSelf ?? false,
      origin.disclosedBy ?? null,
      origin.duplicateOf ?? null,
    ],
  );
  await insertIdentifiers(tx, id, input.identifiers, origin.duplicateOf !== undefined);
  const [partner] = await partnersByIds(tx, [id]);
  await appendPartnerEvent(tx, 'PartnerRegistered', partner!, actor);
  return partner!;
}

async function mergeInto(tx: Queryable, id: string, input: NewPartner, actor: string): Promise<PartnerRow> {
  const [existing] = await partnersByIds(tx, [id]);
  if (!existing) throw new Error(`identifier points at missing partner ${id}`);
  const differences = [
    existing.name !== input.name ? `name "${existing.name}"` : null,
    existing.country !== input.country ? `country ${existing.country}` : null,
  ].filter(Boolean);
  if (differences.length > 0) {
    throw conflict(
      `a partner with these identifiers is already registered with ${differences.join(' and ')}`,
      {
        partnerId: id,
      },
    );
  }
  const newRoles = input.roles.filter((role) => !existing.roles.includes(role));
  const newIdentifiers = input.identifiers.filter(
    (i) => !existing.identifiers.some((e) => e.scheme === i.scheme && e.value === i.value),
  );
  if (newRoles.length === 0 && newIdentifiers.length === 0) return existing;
  await tx.query(`UPDATE partners.partner SET roles = $2, updated_at = now() WHERE id = $1`, [
    id,
    [...existing.roles, ...newRoles],
  ]);
  await insertIdentifiers(tx, id, newIdentifiers);
  const [merged] = await partnersByIds(tx, [id]);
  await appendPartnerEvent(tx, 'PartnerUpdated', merged!, actor);
  return merged!;
}

export async function updatePartner(
  tx: Queryable,
  id: string,
  changes: {
    name?: string | null;
    country?: string | null;
    roles?: PartnerRole[] | null;
    status?: PartnerStatus | null;
  },
  actor: string,
): Promise<PartnerRow | undefined> {
  const { rowCount } = await tx.query(
    `UPDATE partners.partner
        SET name = COALESCE($2, name), country = COALESCE($3, country), roles = COALESCE($4, roles),
            status = COALESCE($5, status), updated_at = now()
      WHERE id = $1`,
    [id, changes.name ?? null, changes.country ?? null, changes.roles ?? null, changes.status ?? null],
  );
  if (rowCount === 0) return undefined;
  const [partner] = await partnersByIds(tx, [id]);
  await appendPartnerEvent(tx, 'PartnerUpdated', partner!, actor);
  return partner;
}

async function insertIdentifiers(
  tx: Queryable,
  partnerId: string,
  identifiers: NewPartner['identifiers'],
  duplicate = false,
) {
  if (identifiers.length === 0) return;
  await tx.query(
    `INSERT INTO partners.partner_identifier (scheme, value, partner_id, duplicate)
     SELECT scheme, value, $3, $4 FROM unnest($1::text[], $2::text[]) AS t(scheme, value)`,
    [identifiers.map((i) => i.scheme), identifiers.map((i) => i.value), partnerId, duplicate],
  );
}

/** Other subgraphs (the network projection) learn partners from these events. */
async function appendPartnerEvent(
  tx: Queryable,
  type: 'PartnerRegistered' | 'PartnerUpdated',
  partner: PartnerRow,
  actor: string,
) {
  await appendEvent(tx, {
    type,
    aggregateType: 'Partner',
    aggregateId: partner.id,
    parties: [partner.id],
    actor,
    payload: {
      id: partner.id,
      name: partner.name,
      country: partner.country,
      roles: partner.roles,
      status: partner.status,
      isSelf: partner.is_self,
    },
  });
}

const hashSecret = (secret: string) => createHash('sha256').update(secret).digest('hex');

export async function createApiKey(
  tx: Queryable,
  partnerId: string,
  name: string,
  actor: string,
): Promise<{ key: ApiKeyRow; secret: string }> {
  const secret = `snk_${randomBytes(32).toString('base64url')}`;
  const key = await tx.one<ApiKeyRow>(
    `INSERT INTO partners.api_key (id, partner_id, name, secret_hash) VALUES ($1, $2, $3, $4)
     RETURNING ${API_KEY_COLUMNS}`,
    [randomUUID(), partnerId, name, hashSecret(secret)],
  );
  await appendEvent(tx, {
    type: 'ApiKeyCreated',
    aggregateType: 'Partner',
    aggregateId: partnerId,
    parties: [partnerId],
    actor,
    payload: { keyId: key.id, name },
  });
  return { key, secret };
}

/**
 * The partner an API key acts for, or undefined when the key is unknown, revoked or its partner is not
 * active. Records the use, at most once a minute per key, in the same statement.
 */
export async function partnerForApiKey(
  db: Queryable,
  secret: string,
): Promise<{ partner_id: string; key_id: string } | undefined> {
  return db.maybeOne<{ partner_id: string; key_id: string }>(
    `WITH found AS (
       SELECT k.partner_id, k.id AS key_id, k.last_used_at FROM partners.api_key k
         JOIN partners.partner p ON p.id = k.partner_id
        WHERE k.secret_hash = $1 AND k.revoked_at IS NULL AND p.status = 'ACTIVE'),
     touched AS (
       UPDATE partners.api_key SET last_used_at = date_trunc('minute', now())
        WHERE id IN (SELECT key_id FROM found
                      WHERE last_used_at IS NULL OR last_used_at < date_trunc('minute', now())))
     SELECT partner_id, key_id FROM found`,
    [hashSecret(secret)],
  );
}

export async function apiKeysByPartnerIds(
  db: Queryable,
  partnerIds: readonly string[],
): Promise<ApiKeyRow[]> {
  const { rows } = await db.query<ApiKeyRow>(
    `SELECT ${API_KEY_COLUMNS} FROM partners.api_key WHERE partner_id = ANY($1::text[])
      ORDER BY created_at, id`,
    [[...partnerIds]],
  );
  return rows;
}

/** Locks the key until the transaction ends. */
export async function apiKeyForUpdate(tx: Queryable, id: string): Promise<ApiKeyRow | undefined> {
  return tx.maybeOne<ApiKeyRow>(`SELECT ${API_KEY_COLUMNS} FROM partners.api_key WHERE id = $1 FOR UPDATE`, [
    id,
  ]);
}

/** Revokes the key and logs it; a key already revoked is returned as it is. */
export async function revokeApiKey(tx: Queryable, key: ApiKeyRow, actor: string): Promise<ApiKeyRow> {
  if (key.revoked_at) return key;
  const revoked = await tx.one<ApiKeyRow>(
    `UPDATE partners.api_key SET revoked_at = clock_timestamp(), revoked_by = $2 WHERE id = $1
     RETURNING ${API_KEY_COLUMNS}`,
    [key.id, actor],
  );
  await appendEvent(tx, {
    type: 'ApiKeyRevoked',
    aggregateType: 'Partner',
    aggregateId: key.partner_id,
    parties: [key.partner_id],
    actor,
    payload: { keyId: key.id, name: key.name },
  });
  return revoked;
}

/**
 * Of the credentials the gateway holds open, those that no longer work: partners suspended or unknown
 * (their people's tokens), keys revoked, unknown or of a partner that is not active.
 */
export async function refusedCredentials(
  db: Queryable,
  partnerIds: readonly string[],
  keyIds: readonly string[],
): Promise<{ partnerIds: string[]; keyIds: string[] }> {
  const { rows } = await db.query<{ kind: 'partner' | 'key'; id: string }>(
    `SELECT 'partner' AS kind, t.id FROM unnest($1::text[]) AS t(id)
      WHERE NOT EXISTS (SELECT 1 FROM partners.partner p WHERE p.id = t.id AND p.status <> 'SUSPENDED')
     UNION ALL
     SELECT 'key', t.id FROM unnest($2::text[]) AS t(id)
      WHERE NOT EXISTS (SELECT 1 FROM partners.api_key k JOIN partners.partner p ON p.id = k.partner_id
                         WHERE k.id = t.id AND k.revoked_at IS NULL AND p.status = 'ACTIVE')`,
    [[...partnerIds], [...keyIds]],
  );
  return {
    partnerIds: rows.filter((row) => row.kind === 'partner').map((row) => row.id),
    keyIds: rows.filter((row) => row.kind === 'key').map((row) => row.id),
  };
}

export interface NewContact {
  name: string;
  email: string | null;
  phone: string | null;
  function: string | null;
}

/** A contact in its GraphQL shape, plus the partner it belongs to (for batching and authorization). */
export interface ContactRow extends NewContact {
  id: string;
  partnerId: string;
}

const SELECT_CONTACT = `
  SELECT c.id, c.partner_id AS "partnerId", c.name, c.email, c.phone, c.business_function AS "function"
    FROM partners.partner_contact c`;

export async function contactsByPartnerIds(
  db: Queryable,
  partnerIds: readonly string[],
): Promise<ContactRow[]> {
  const { rows } = await db.query<ContactRow>(
    `${SELECT_CONTACT} WHERE c.partner_id = ANY($1::text[]) ORDER BY lower(c.name), c.id`,
    [[...partnerIds]],
  );
  return rows;
}

/** Locks the contact until the transaction ends, so a check made on it holds until its removal. */
export async function contactForUpdate(tx: Queryable, id: string): Promise<ContactRow | undefined> {
  return tx.maybeOne<ContactRow>(`${SELECT_CONTACT} WHERE c.id = $1 FOR UPDATE`, [id]);
}

/**
 * Adds a contact to an existing partner; undefined when there is no such partner. Contacts append no
 * event: personal data stays in partners.
 */
export async function addContact(
  tx: Queryable,
  partnerId: string,
  contact: NewContact,
): Promise<ContactRow | undefined> {
  return tx.maybeOne<ContactRow>(
    `INSERT INTO partners.partner_contact (id, partner_id, name, email, phone, business_function)
     SELECT $1, p.id, $3, $4, $5, $6 FROM partners.partner p WHERE p.id = $2
     RETURNING id, partner_id AS "partnerId", name, email, phone, business_function AS "function"`,
    [randomUUID(), partnerId, contact.name, contact.email, contact.phone, contact.function],
  );
}

export async function removeContact(tx: Queryable, id: string): Promise<void> {
  await tx.query(`DELETE FROM partners.partner_contact WHERE id = $1`, [id]);
}

export interface NewCertification {
  kind: string;
  issuer: string;
  /** ISO 8601 date. */
  validUntil: string;
}

export interface CertificationRow extends NewCertification {
  id: string;
  partnerId: string;
  /** validUntil is today or later, in UTC. */
  valid: boolean;
}

/** The day is taken in UTC, whatever the session's time zone, so every process agrees on validity. */
const CERTIFICATION_COLUMNS = `id, partner_id AS "partnerId", kind, issuer,
  to_char(valid_until, 'YYYY-MM-DD') AS "validUntil",
  valid_until >= (now() AT TIME ZONE 'UTC')::date AS valid`;

export async function certificationsByPartnerIds(
  db: Queryable,
  partnerIds: readonly string[],
): Promise<CertificationRow[]> {
  const { rows } = await db.query<CertificationRow>(
    `SELECT ${CERTIFICATION_COLUMNS} FROM partners.certification
      WHERE partner_id = ANY($1::text[]) ORDER BY kind, valid_until DESC, id`,
    [[...partnerIds]],
  );
  return rows;
}

/** Locks the certification until the transaction ends, so a check made on it holds until its removal. */
export async function certificationForUpdate(
  tx: Queryable,
  id: string,
): Promise<CertificationRow | undefined> {
  return tx.maybeOne<CertificationRow>(
    `SELECT ${CERTIFICATION_COLUMNS} FROM partners.certification WHERE id = $1 FOR UPDATE`,
    [id],
  );
}

/** Adds a certification to an existing partner and logs it; undefined when there is no such partner. */
export async function addCertification(
  tx: Queryable,
  partnerId: string,
  certification: NewCertification,
  actor: string,
): Promise<CertificationRow | undefined> {
  const added = await tx.maybeOne<CertificationRow>(
    `INSERT INTO partners.certification (id, partner_id, kind, issuer, valid_until)
     SELECT $1, p.id, $3, $4, $5::date FROM partners.partner p WHERE p.id = $2
     RETURNING ${CERTIFICATION_COLUMNS}`,
    [randomUUID(), partnerId, certification.kind, certification.issuer, certification.validUntil],
  );
  if (added) await appendCertificationEvent(tx, 'PartnerCertificationAdded', added, actor);
  return added;
}

export async function removeCertification(
  tx: Queryable,
  certification: CertificationRow,
  actor: string,
): Promise<void> {
  await tx.query(`DELETE FROM partners.certification WHERE id = $1`, [certification.id]);
  await appendCertificationEvent(tx, 'PartnerCertificationRemoved', certification, actor);
}

/** The network subgraph weighs a partner's risk by the certifications it holds. */
async function appendCertificationEvent(
  tx: Queryable,
  type: 'PartnerCertificationAdded' | 'PartnerCertificationRemoved',
  certification: CertificationRow,
  actor: string,
) {
  await appendEvent(tx, {
    type,
    aggregateType: 'Partner',
    aggregateId: certification.partnerId,
    parties: [certification.partnerId],
    actor,
    payload: {
      partnerId: certification.partnerId,
      certificationId: certification.id,
      kind: certification.kind,
      issuer: certification.issuer,
      validUntil: certification.validUntil,
    },
  });
}
