/**
 * When to try a failed delivery again. The schedule lives in the database (`next_attempt_at`), not in a
 * timer, so it survives a restart; this only computes the next instant. Exponential with "full jitter"
 * (a random delay between half and all of base × 2^(n−1), capped), so endpoints that failed together do not
 * all come back at once; a receiver's `Retry-After` is honoured when it asks for longer.
 */
export interface RetryPolicy {
  baseDelayMs: number;
  maxDelayMs: number;
  windowMs: number;
}

export type AttemptVerdict = 'DELIVERED' | 'RETRY' | 'FAILED';

/** 2xx delivered; timeouts, 408, 429, 5xx and no response at all are worth retrying; other 4xx are final. */
export function verdictOf(httpStatus: number | null): AttemptVerdict {
  if (httpStatus === null) return 'RETRY';
  if (httpStatus >= 200 && httpStatus < 300) return 'DELIVERED';
  if (httpStatus === 408 || httpStatus === 429 || httpStatus >= 500) return 'RETRY';
  return 'FAILED';
}

export function backoffDelayMs(
  attempt: number,
  policy: RetryPolicy,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.min(attempt - 1, 30));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/** Retry-After as seconds or an HTTP date; undefined when absent or unreadable. */
export function retryAfterMs(header: string | null, now: number): number | undefined {
  if (!header) return undefined;
  const text = header.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** The next attempt's time, or null when it would fall outside the retry window (dead letter). */
export function nextAttemptAt(
  attempt: number,
  windowStartedAt: Date,
  now: number,
  policy: RetryPolicy,
  retryAfter?: number,
): Date | null {
  const delay = Math.max(backoffDelayMs(attempt, policy), retryAfter ?? 0);
  const at = now + delay;
  return at > windowStartedAt.getTime() + policy.windowMs ? null : new Date(at);
}
