import type { Queryable } from '../../../platform/db/database.ts';

/** A Partner as exchange resolves it: only its key (the generated types map Partner onto it). */
export interface PartnerRef {
  id: string;
}

export interface WireIdentifiers {
  x12Qualifier?: string | null;
  x12Id?: string | null;
  gsApplicationCode?: string | null;
  edifactId?: string | null;
  edifactQualifier?: string | null;
  peppolParticipantId?: string | null;
  gln?: string | null;
}

export interface ProfileRow {
  partner_id: string;
  channel: 'WEBHOOK' | 'POLLING';
  endpoint_url: string | null;
  enabled: boolean;
  disabled_at: Date | null;
  disabled_reason: string | null;
  consecutive_failures: number;
  event_types: string[];
  formats: string[];
  identifiers: WireIdentifiers;
  mode: 'TEST' | 'PRODUCTION';
  outbound_format: string | null;
  updated_at: Date;
}

export interface SecretRow {
  id: string;
  partner_id: string;
  secret: string;
  created_at: Date;
  expires_at: Date | null;
}

export interface ProfileResult {
  profile: ProfileRow;
  webhookSecret: string | null;
}

export async function profilesByPartner(db: Queryable, partnerIds: readonly string[]): Promise<ProfileRow[]> {
  const { rows } = await db.query<ProfileRow>(
    'SELECT * FROM exchange.profile WHERE partner_id = ANY($1::text[])',
    [[...partnerIds]],
  );
  return rows;
}

export async function lockProfile(tx: Queryable, partnerId: string): Promise<ProfileRow | undefined> {
  await tx.query('INSERT INTO exchange.profile (partner_id) VALUES ($1) ON CONFLICT DO NOTHING', [partnerId]);
  return tx.maybeOne<ProfileRow>('SELECT * FROM exchange.profile WHERE partner_id = $1 FOR UPDATE', [
    partnerId,
  ]);
}

export interface ProfileChange {
  channel: ProfileRow['channel'];
  endpoint_url: string | null;
  enabled: boolean;
  event_types: string[];
  formats: string[];
  identifiers: WireIdentifiers;
  mode: ProfileRow['mode'];
  outbound_format: string | null;
}

export async function saveProfile(
  tx: Queryable,
  partnerId: string,
  change: ProfileChange,
): Promise<ProfileRow> {
  return tx.one<ProfileRow>(
    `UPDATE exchange.profile SET channel = $2, endpoint_url = $3, enabled = $4, event_types = $5, formats = $6,
            identifiers = $7, mode = $8, outbound_format = $9, updated_at = clock_timestamp(),
            disabled_at = CASE WHEN $4 THEN NULL ELSE disabled_at END,
            disabled_reason = CASE WHEN $4 THEN NULL ELSE disabled_reason END,
            consecutive_failures = CASE WHEN $4 AND NOT enabled THEN 0 ELSE consecutive_failures END
      WHERE partner_id = $1 RETURNING *`,
    [
      partnerId,
      change.channel,
      change.endpoint_url,
      change.enabled,
      change.event_types,
      change.formats,
      { ...change.identifiers },
      change.mode,
      change.outbound_format,
    ],
  );
}

/** Secrets that sign now: the current one and any older one still in its overlap. */
export async function signingSecrets(db: Queryable, partnerIds: readonly string[]): Promise<SecretRow[]> {
  const { rows } = await db.query<SecretRow>(
    `SELECT * FROM exchange.webhook_secret
      WHERE partner_id = ANY($1::text[]) AND (expires_at IS NULL OR expires_at > clock_timestamp())
      ORDER BY partner_id, id DESC`,
    [[...partnerIds]],
  );
  return rows;
}

/** A new current secret; the previous current one keeps signing for `overlapHours`. */
export async function addSecret(
  tx: Queryable,
  partnerId: string,
  secret: string,
  overlapHours: number,
): Promise<void> {
  await tx.query(
    `UPDATE exchange.webhook_secret SET expires_at = clock_timestamp() + make_interval(hours => $2)
      WHERE partner_id = $1 AND expires_at IS NULL`,
    [partnerId, overlapHours],
  );
  await tx.query('INSERT INTO exchange.webhook_secret (partner_id, secret) VALUES ($1, $2)', [
    partnerId,
    secret,
  ]);
}

export async function partyExists(db: Queryable, partnerId: string): Promise<boolean> {
  const { rows } = await db.query('SELECT 1 FROM exchange.party WHERE id = $1', [partnerId]);
  return rows.length > 0;
}

export async function hasSecret(db: Queryable, partnerId: string): Promise<boolean> {
  const { rows } = await db.query('SELECT 1 FROM exchange.webhook_secret WHERE partner_id = $1 LIMIT 1', [
    partnerId,
  ]);
  return rows.length > 0;
}

/** Whether the partner takes its documents and events on a webhook. */
export async function hasWebhook(db: Queryable, partnerId: string): Promise<boolean> {
  const { rows } = await db.query(
    `SELECT 1 FROM exchange.profile WHERE partner_id = $1 AND channel = 'WEBHOOK' AND endpoint_url IS NOT NULL`,
    [partnerId],
  );
  return rows.length > 0;
}

export async function resetFailures(tx: Queryable, partnerId: string): Promise<void> {
  await tx.query('UPDATE exchange.profile SET consecutive_failures = 0 WHERE partner_id = $1', [partnerId]);
}

/** One more failed delivery in a row: the run's length, and whether the endpoint is still enabled. */
export async function countFailure(
  tx: Queryable,
  partnerId: string,
): Promise<{ consecutive_failures: number; enabled: boolean } | undefined> {
  return tx.maybeOne<{ consecutive_failures: number; enabled: boolean }>(
    `UPDATE exchange.profile SET consecutive_failures = consecutive_failures + 1 WHERE partner_id = $1
     RETURNING consecutive_failures, enabled`,
    [partnerId],
  );
}

export async function disableEndpoint(tx: Queryable, partnerId: string, reason: string): Promise<void> {
  await tx.query(
    `UPDATE exchange.profile SET enabled = false, disabled_at = clock_timestamp(), disabled_reason = $2
      WHERE partner_id = $1`,
    [partnerId, reason],
  );
}
