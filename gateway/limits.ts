import { hasRole, isPartnerPrincipal, type Principal } from '../platform/auth/principal.ts';
import { envFlag, envNumber } from '../platform/env.ts';

/**
 * What the gateway allows one principal before an operation runs, and how often. Partner principals
 * (API keys and partners' people) get the `partner` tier; the company's staff the `staff` tier: higher
 * limits, never none. Every number is read from the environment (docs/security.md lists them).
 */

export type Tier = 'partner' | 'staff';

/** The shape of one operation: refused before it runs (QUERY_TOO_COMPLEX) when any is exceeded. */
export interface OperationLimits {
  /** Nesting of fields (the root field is depth 1). */
  depth: number;
  /** Fields given an alias, counted as expanded through fragments. */
  aliases: number;
  /** Fields at the root of the operation, aliases included. */
  rootFields: number;
  /** Lexical tokens of the document (graphql-js counts them while parsing). */
  tokens: number;
  /** The estimated cost (gateway/limitsOperation.ts: list sizes and `depth` arguments multiply). */
  cost: number;
}

/** How much one principal may do at once and over time: refused with RATE_LIMITED. */
export interface RateLimits {
  /** Operations per minute, as a token bucket refilled evenly. */
  perMinute: number;
  /** Operations that may be sent at once beyond the steady rate. */
  burst: number;
  /** Operations (queries and mutations, HTTP and graphql-ws) running at the same time. */
  concurrent: number;
  /** Subscriptions open on one graphql-ws connection. */
  subscriptionsPerConnection: number;
  /** Subscriptions open over all connections of one principal (a partner: all its keys and people). */
  subscriptions: number;
}

export interface TierLimits {
  operation: OperationLimits;
  rate: RateLimits;
}

export interface LimitsConfig {
  partner: TierLimits;
  staff: TierLimits;
  /** Introspection and "did you mean" suggestions for partner principals (staff always have them). */
  partnerIntrospection: boolean;
  /** Largest HTTP request body (413 beyond). */
  maxBodyBytes: number;
  /** Largest graphql-ws message, connection_init included: a bigger one closes the socket unread. */
  maxWebSocketMessageBytes: number;
}

export const DEFAULT_LIMITS: LimitsConfig = {
  partner: {
    operation: { depth: 12, aliases: 30, rootFields: 30, tokens: 10_000, cost: 10_000 },
    rate: {
      perMinute: 1_200,
      burst: 200,
      concurrent: 16,
      subscriptionsPerConnection: 100,
      subscriptions: 1_000,
    },
  },
  staff: {
    operation: { depth: 20, aliases: 100, rootFields: 100, tokens: 50_000, cost: 25_000 },
    rate: {
      perMinute: 6_000,
      burst: 1_000,
      concurrent: 64,
      subscriptionsPerConnection: 200,
      subscriptions: 5_000,
    },
  },
  partnerIntrospection: true,
  maxBodyBytes: 5 * 1024 * 1024,
  maxWebSocketMessageBytes: 512 * 1024,
};

const OPERATION_VARIABLES: Record<keyof OperationLimits, string> = {
  depth: 'DEPTH',
  aliases: 'ALIASES',
  rootFields: 'ROOT_FIELDS',
  tokens: 'TOKENS',
  cost: 'COST',
};
const RATE_VARIABLES: Record<keyof RateLimits, string> = {
  perMinute: 'RATE_PER_MINUTE',
  burst: 'RATE_BURST',
  concurrent: 'CONCURRENT',
  subscriptionsPerConnection: 'SUBSCRIPTIONS_PER_CONNECTION',
  subscriptions: 'SUBSCRIPTIONS',
};

function tierFromEnvironment(tier: Tier, defaults: TierLimits): TierLimits {
  const prefix = `LIMIT_${tier.toUpperCase()}_`;
  const read = <K extends string>(names: Record<K, string>, values: Record<K, number>) =>
    Object.fromEntries(
      (Object.keys(names) as K[]).map((key) => [key, envNumber(prefix + names[key], values[key], 1)]),
    ) as Record<K, number>;
  return {
    operation: read(OPERATION_VARIABLES, defaults.operation),
    rate: read(RATE_VARIABLES, defaults.rate),
  };
}

/**
 * The limits from the environment: `LIMIT_PARTNER_*` and `LIMIT_STAFF_*` per tier, the body and message
 * sizes, and introspection for partners (on in development, off when NODE_ENV is production).
 */
export function limitsFromEnvironment(): LimitsConfig {
  return {
    partner: tierFromEnvironment('partner', DEFAULT_LIMITS.partner),
    staff: tierFromEnvironment('staff', DEFAULT_LIMITS.staff),
    partnerIntrospection: envFlag('GATEWAY_PARTNER_INTROSPECTION', process.env.NODE_ENV !== 'production'),
    maxBodyBytes: envNumber('GATEWAY_MAX_BODY_BYTES', DEFAULT_LIMITS.maxBodyBytes, 1),
    maxWebSocketMessageBytes: envNumber(
      'GATEWAY_MAX_WS_MESSAGE_BYTES',
      DEFAULT_LIMITS.maxWebSocketMessageBytes,
      1,
    ),
  };
}

/** A partner principal, or anyone without a staff role, gets the partner tier. */
export function tierOf(principal: Principal): Tier {
  if (isPartnerPrincipal(principal)) return 'partner';
  return hasRole(principal, 'admin', 'buyer', 'sales', 'finance', 'analyst') ? 'staff' : 'partner';
}

/** Whose budget an operation spends: a partner's, shared by all its keys and people, or a person's own. */
export function budgetKey(principal: Principal): string {
  return isPartnerPrincipal(principal) ? `partner:${principal.partnerId}` : `subject:${principal.subject}`;
}
