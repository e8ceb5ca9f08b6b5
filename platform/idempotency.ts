import { createHash } from 'node:crypto';
import { isPartnerPrincipal, type Principal } from './auth/principal.ts';

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
