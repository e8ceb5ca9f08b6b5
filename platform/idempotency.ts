import { createHash } from 'node:crypto';
import { isPartnerPrincipal, type Principal } from './auth/principal.ts';
import type { Queryable } from './db/database.ts';
import { requireText } from './input.ts';

/** JSON with object keys sorted, so the same request hashes the same whatever order its fields came in. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, field]) => field !== undefined)
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([key, field]) => [key, canonical(field)]),
    );
  }
  return value;
}

/** What a retried request is compared by: a retry must carry exactly the same content as the original. */
export function requestHash(request: unknown): string {
  return createHash('sha256')
    .update(JSON.stringify(canonical(request)))
    .digest('hex');
}

/**
 * Whose retries an idempotency key belongs to: a partner's (any of its keys or users may retry), or one
 * person's of the company.
 */
export function idempotencyScope(principal: Principal): string {
  return isPartnerPrincipal(principal) ? `partner:${principal.partnerId}` : principal.subject;
}

/** What an earlier request under the same key (or reference) left: its result and its request's hash. */
export interface Earlier<Result> {
  result: Result;
  requestHash: string | null;
}

export interface IdempotentWrite<Result> {
  /** Serialises concurrent retries: the second waits until the first commits, then finds its result. */
  lock: string;
  /** The result of an earlier request under the same key, if any. */
  find: () => Promise<Earlier<Result> | undefined>;
  /** The hash of this request (`requestHash`). */
  requestHash: string;
  /** The CONFLICT to raise when the earlier request under this key carried other content. */
  conflict: (earlier: Result) => Error;
}

/**
 * The one step every retry-safe write takes: lock the key, find what an earlier request under it wrote;
 * the same request gets that back, another request gets CONFLICT, and a new key goes on to `create`.
 */
export async function idempotent<Result>(
  tx: Queryable,
  write: IdempotentWrite<Result>,
  create: () => Promise<Result>,
): Promise<Result> {
  await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [write.lock]);
  const earlier = await write.find();
  if (!earlier) return create();
  if (earlier.requestHash !== write.requestHash) throw write.conflict(earlier.result);
  return earlier.result;
}

/** The scope and key of a request that carries an idempotency key, or null when it carries none. */
export function idempotencyKeyOf(
  principal: Principal,
  key: string | null | undefined,
): { scope: string; key: string } | null {
  if (key === null || key === undefined) return null;
  return { scope: idempotencyScope(principal), key: requireText(key, 'idempotencyKey') };
}
