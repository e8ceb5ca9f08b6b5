import { GraphQLError } from 'graphql';
import { isPartnerPrincipal, type Principal } from '../platform/auth/principal.ts';
import { askPartners } from './askPartners.ts';

/**
 * Credentials outlive the moment they were checked: a graphql-ws connection and its subscriptions are
 * authenticated once, and a partner person's token says nothing of its partner being suspended since.
 * This module asks partners, the owner of keys and partners' status, which credentials no longer work:
 * for tokens at authentication (cached a few seconds), and for open subscriptions every few seconds,
 * ending those of a suspended partner or a revoked key.
 */

/** Of these partners and keys, those refused now (see partners' `credentialStatus`). */
export type CredentialCheck = (
  partnerIds: readonly string[],
  keyIds: readonly string[],
) => Promise<{ partnerIds: string[]; keyIds: string[] }>;

const API_KEY_SUBJECT = 'api-key:';

/** The subject of a principal authenticated by API key: the key, so that revoking it can find it. */
export const apiKeySubject = (keyId: string) => `${API_KEY_SUBJECT}${keyId}`;

function keyOf(principal: Principal): string | undefined {
  return principal.subject.startsWith(API_KEY_SUBJECT)
    ? principal.subject.slice(API_KEY_SUBJECT.length)
    : undefined;
}

/** Asks partners, as the gateway itself. */
export function credentialCheck(partnersUrl: string, internalSecret: string): CredentialCheck {
  return async (partnerIds, keyIds) => {
    const { credentialStatus } = await askPartners<{
      credentialStatus: { refusedPartnerIds: string[]; refusedKeyIds: string[] };
    }>(
      partnersUrl,
      internalSecret,
      'check credentials',
      `query ($partnerIds: [ID!]!, $keyIds: [ID!]!) {
        credentialStatus(partnerIds: $partnerIds, keyIds: $keyIds) { refusedPartnerIds refusedKeyIds } }`,
      { partnerIds, keyIds },
    );
    return { partnerIds: credentialStatus.refusedPartnerIds, keyIds: credentialStatus.refusedKeyIds };
  };
}

/**
 * Whether a partner's people are refused (suspended or unknown partner), remembered for `ttlMs` so a
 * burst of requests costs one question; suspension therefore takes effect within that time.
 */
export class PartnerStatusCache {
  private readonly known = new Map<string, { refused: Promise<boolean>; until: number }>();

  constructor(
    private readonly ask: CredentialCheck,
    private readonly ttlMs = 2_000,
  ) {}

  refused(partnerId: string): Promise<boolean> {
    const cached = this.known.get(partnerId);
    if (cached && cached.until > Date.now()) return cached.refused;
    return this.check([partnerId], []).then((result) => result.partnerIds.includes(partnerId));
  }

  /** Forgets every answer: after a mutation that may have suspended a partner. */
  forgetAll(): void {
    this.known.clear();
  }

  /**
   * Asks partners and remembers the answer for every partner asked about: once the watcher has seen a
   * suspension, the partner's next request is refused too, whatever was cached before.
   */
  readonly check: CredentialCheck = (partnerIds, keyIds) => {
    const answer = this.ask(partnerIds, keyIds);
    if (this.known.size > 10_000) this.known.clear();
    const until = Date.now() + this.ttlMs;
    for (const partnerId of partnerIds) {
      const refused = answer.then((result) => result.partnerIds.includes(partnerId));
      this.known.set(partnerId, { refused, until });
      // A failed check is not remembered: the next request asks again.
      refused.catch(() => this.known.delete(partnerId));
    }
    return answer;
  };
}

/** How long a refused connection stays open for the errors of its subscriptions to reach the client. */
const CLOSE_GRACE_MS = 500;

/** Ends the client subscriptions whose principal matches, with `error`; returns how many. */
export type EndSubscriptions = (matches: (principal: Principal) => boolean, error: GraphQLError) => number;

/**
 * Re-validates, every `intervalMs`, the credentials of open subscriptions of partner principals, and
 * ends those of a suspended partner or a revoked key with FORBIDDEN. New operations on the same
 * connection are authenticated afresh and refused.
 */
export class CredentialWatcher {
  private readonly open = new Map<Principal, number>();
  /** Open graphql-ws connections of partner principals, and how to close each (4403). */
  private readonly connections = new Set<{ principal: Principal; close: () => void }>();
  private timer: NodeJS.Timeout | undefined;
  private checking = false;

  constructor(
    private readonly check: CredentialCheck,
    private readonly end: EndSubscriptions,
    private readonly intervalMs = 2_000,
    private readonly onError: (error: unknown) => void = (error) =>
      console.error('gateway: re-validating credentials failed:', error),
  ) {}

  start(): void {
    this.timer ??= setInterval(() => void this.revalidate(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Watches a graphql-ws connection of `principal` until the returned release is called. */
  connection(principal: Principal, close: () => void): () => void {
    if (!isPartnerPrincipal(principal)) return () => undefined;
    const entry = { principal, close };
    this.connections.add(entry);
    return () => this.connections.delete(entry);
  }

  /** Watches `principal` until the returned release is called: for as long as one subscription runs. */
  watch(principal: Principal): () => void {
    if (!isPartnerPrincipal(principal)) return () => undefined;
    this.open.set(principal, (this.open.get(principal) ?? 0) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const count = (this.open.get(principal) ?? 1) - 1;
      if (count > 0) this.open.set(principal, count);
      else this.open.delete(principal);
    };
  }

  /** One round: asks partners about every open partner and key, and ends what is refused. */
  async revalidate(): Promise<number> {
    if (this.checking || (this.open.size === 0 && this.connections.size === 0)) return 0;
    this.checking = true;
    try {
      const partnerIds = new Set<string>();
      const keyIds = new Set<string>();
      for (const principal of [...this.open.keys(), ...[...this.connections].map((c) => c.principal)]) {
        const keyId = keyOf(principal);
        if (keyId) keyIds.add(keyId);
        else if (principal.partnerId) partnerIds.add(principal.partnerId);
      }
      const refused = await this.check([...partnerIds], [...keyIds]);
      if (refused.partnerIds.length === 0 && refused.keyIds.length === 0) return 0;
      const partners = new Set(refused.partnerIds);
      const keys = new Set(refused.keyIds);
      const matches = (principal: Principal) => {
        const keyId = keyOf(principal);
        return keyId ? keys.has(keyId) : partners.has(principal.partnerId ?? '');
      };
      for (const principal of [...this.open.keys()]) if (matches(principal)) this.open.delete(principal);
      const ended = this.end(
        matches,
        new GraphQLError('credentials no longer valid: the API key was revoked or the partner suspended', {
          extensions: { code: 'FORBIDDEN' },
        }),
      );
      // The subscriptions end first, with an error the client can read; the connection itself closes a
      // moment later, once those errors have been written to it.
      const closing = [...this.connections].filter((connection) => matches(connection.principal));
      for (const connection of closing) this.connections.delete(connection);
      if (closing.length > 0)
        setTimeout(() => closing.forEach((connection) => connection.close()), CLOSE_GRACE_MS).unref();
      return ended;
    } catch (error) {
      this.onError(error);
      return 0;
    } finally {
      this.checking = false;
    }
  }
}
