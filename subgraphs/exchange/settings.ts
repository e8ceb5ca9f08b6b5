/** What exchange is configured with; README and docs/exchange.md list each variable and its default. */
export interface ExchangeSettings {
  /** Retries stop, and the delivery is dead-lettered, this long after its first attempt. */
  retryWindowMs: number;
  /** The first retry waits about this long; each next one twice as long, up to `retryMaxDelayMs`. */
  retryBaseDelayMs: number;
  retryMaxDelayMs: number;
  /** An endpoint is disabled after this many failed deliveries in a row. */
  disableAfterFailures: number;
  /** How long one attempt may take before it counts as a timeout. */
  attemptTimeoutMs: number;
  /** Plain-http endpoints; off in production. */
  allowHttp: boolean;
  /** Private, loopback and link-local targets; off in production (they would let a partner reach inside). */
  allowPrivateTargets: boolean;
  /** Largest document the inbox stores. */
  maxDocumentBytes: number;
  /** Endpoints called at once, each with at most one delivery in flight so its order holds. */
  deliveryConcurrency: number;
  /** False for a receive-only process: it stores documents and leaves processing to others. */
  processInbox: boolean;
}

const development = () => (process.env.NODE_ENV ?? 'development') !== 'production';

function number(name: string, fallback: number, min = 0): number {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < min)
    throw new Error(`${name} must be a number ≥ ${min}, got ${raw}`);
  return value;
}

function flag(name: string, fallback: boolean): boolean {
  const raw = process.env[name]?.trim().toLowerCase();
  if (raw === undefined || raw === '') return fallback;
  return !['0', 'false', 'no', 'off'].includes(raw);
}

/** Read at each use, so an operator's change (and a test's) applies without a restart. */
export function exchangeSettings(): ExchangeSettings {
  return {
    retryWindowMs: number('EXCHANGE_RETRY_WINDOW_HOURS', 72, 0) * 3_600_000,
    retryBaseDelayMs: number('EXCHANGE_RETRY_BASE_MS', 5_000, 1),
    retryMaxDelayMs: number('EXCHANGE_RETRY_MAX_MS', 3_600_000, 1),
    disableAfterFailures: number('EXCHANGE_DISABLE_AFTER_FAILURES', 5, 1),
    attemptTimeoutMs: number('EXCHANGE_ATTEMPT_TIMEOUT_MS', 15_000, 1),
    allowHttp: flag('EXCHANGE_ALLOW_HTTP', development()),
    allowPrivateTargets: flag('EXCHANGE_ALLOW_PRIVATE_TARGETS', development()),
    maxDocumentBytes: number('EXCHANGE_MAX_DOCUMENT_BYTES', 1_048_576, 1),
    deliveryConcurrency: number('EXCHANGE_DELIVERY_CONCURRENCY', 32, 1),
    processInbox: flag('EXCHANGE_PROCESS_INBOX', true),
  };
}
