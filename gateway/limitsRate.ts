import { GraphQLError } from 'graphql';
import type { RateLimits } from './limits.ts';

/**
 * Per-principal budgets over time and at once: a token bucket of operations, a count of operations in
 * flight, and a count of open subscriptions. Kept in this process: behind several gateway instances each
 * enforces its own share, which bounds a principal to instances × limit.
 */

export type RateLimitName = 'rate' | 'concurrent' | 'subscriptionsPerConnection' | 'subscriptions';

export function rateLimited(
  limit: RateLimitName,
  max: number,
  tier: string,
  retryAfterSeconds?: number,
): GraphQLError {
  const what: Record<RateLimitName, string> = {
    rate: `more than ${max} operations a minute (with a burst allowance)`,
    concurrent: `more than ${max} operations at once`,
    subscriptionsPerConnection: `more than ${max} subscriptions on one connection`,
    subscriptions: `more than ${max} open subscriptions`,
  };
  return new GraphQLError(`refused: ${what[limit]} for ${tier} principals`, {
    extensions: {
      code: 'RATE_LIMITED',
      limit,
      max,
      ...(retryAfterSeconds !== undefined ? { retryAfter: retryAfterSeconds } : {}),
      http: {
        status: 429,
        ...(retryAfterSeconds !== undefined
          ? { headers: new Map([['retry-after', String(retryAfterSeconds)]]) }
          : {}),
      },
    },
  });
}

interface Budget {
  tokens: number;
  refilledAt: number;
  running: number;
  subscriptions: number;
}

/** Something held while it runs; released exactly once. */
export interface Slot {
  release(): void;
}

export class RateLimiter {
  private readonly budgets = new Map<string, Budget>();
  private sweeps = 0;

  private budget(key: string, limits: RateLimits, now: number): Budget {
    let budget = this.budgets.get(key);
    if (!budget) {
      budget = { tokens: limits.burst, refilledAt: now, running: 0, subscriptions: 0 };
      this.budgets.set(key, budget);
      if (++this.sweeps % 1_000 === 0) this.sweep(now);
    }
    const perMs = limits.perMinute / 60_000;
    budget.tokens = Math.min(limits.burst, budget.tokens + (now - budget.refilledAt) * perMs);
    budget.refilledAt = now;
    return budget;
  }

  /** Takes one operation from the bucket; the error says when to try again. */
  take(key: string, limits: RateLimits, tier: string): GraphQLError | undefined {
    const budget = this.budget(key, limits, Date.now());
    if (budget.tokens < 1) {
      const retryAfter = Math.ceil((1 - budget.tokens) / (limits.perMinute / 60));
      return rateLimited('rate', limits.perMinute, tier, Math.max(1, retryAfter));
    }
    budget.tokens -= 1;
    return undefined;
  }

  /** An operation in flight, or the error when the principal already runs its maximum. */
  run(key: string, limits: RateLimits, tier: string): Slot | GraphQLError {
    const budget = this.budget(key, limits, Date.now());
    if (budget.running >= limits.concurrent) return rateLimited('concurrent', limits.concurrent, tier, 1);
    budget.running += 1;
    return once(() => {
      budget.running -= 1;
    });
  }

  /** An open subscription counted against the principal's total. */
  subscribe(key: string, limits: RateLimits, tier: string): Slot | GraphQLError {
    const budget = this.budget(key, limits, Date.now());
    if (budget.subscriptions >= limits.subscriptions)
      return rateLimited('subscriptions', limits.subscriptions, tier);
    budget.subscriptions += 1;
    return once(() => {
      budget.subscriptions -= 1;
    });
  }

  /** Forgets idle principals whose bucket is full again, so the map does not grow without bound. */
  private sweep(now: number): void {
    for (const [key, budget] of this.budgets) {
      if (budget.running === 0 && budget.subscriptions === 0 && now - budget.refilledAt > 600_000)
        this.budgets.delete(key);
    }
  }
}

function once(release: () => void): Slot {
  let released = false;
  return {
    release() {
      if (released) return;
      released = true;
      release();
    },
  };
}
