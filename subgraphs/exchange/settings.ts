import { envFlag, envNumber } from '../../platform/env.ts';

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
  /** How the company names itself in document envelopes; partners address their documents to it. */
  self: {
    x12Qualifier: string;
    x12Id: string;
    edifactQualifier: string;
    edifactId: string;
    /** Peppol participant id, scheme:value. */
    peppolId: string;
  };
}

const development = () => (process.env.NODE_ENV ?? 'development') !== 'production';

/** Read at each use, so an operator's change (and a test's) applies without a restart. */
export function exchangeSettings(): ExchangeSettings {
  return {
    retryWindowMs: envNumber('EXCHANGE_RETRY_WINDOW_HOURS', 72, 0) * 3_600_000,
    retryBaseDelayMs: envNumber('EXCHANGE_RETRY_BASE_MS', 5_000, 1),
    retryMaxDelayMs: envNumber('EXCHANGE_RETRY_MAX_MS', 3_600_000, 1),
    disableAfterFailures: envNumber('EXCHANGE_DISABLE_AFTER_FAILURES', 5, 1),
    attemptTimeoutMs: envNumber('EXCHANGE_ATTEMPT_TIMEOUT_MS', 15_000, 1),
    allowHttp: envFlag('EXCHANGE_ALLOW_HTTP', development()),
    allowPrivateTargets: envFlag('EXCHANGE_ALLOW_PRIVATE_TARGETS', development()),
    maxDocumentBytes: envNumber('EXCHANGE_MAX_DOCUMENT_BYTES', 4_194_304, 1),
    deliveryConcurrency: envNumber('EXCHANGE_DELIVERY_CONCURRENCY', 32, 1),
    processInbox: envFlag('EXCHANGE_PROCESS_INBOX', true),
    self: {
      x12Qualifier: process.env.EXCHANGE_X12_QUALIFIER ?? 'ZZ',
      x12Id: process.env.EXCHANGE_X12_ID ?? 'SUPPLYNETWORK',
      edifactQualifier: process.env.EXCHANGE_EDIFACT_QUALIFIER ?? '14',
      edifactId: process.env.EXCHANGE_EDIFACT_ID ?? '5412345000013',
      peppolId: process.env.EXCHANGE_PEPPOL_ID ?? '0088:5412345000013',
    },
  };
}
