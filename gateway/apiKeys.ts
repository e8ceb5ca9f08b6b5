import { createHash } from 'node:crypto';
import type { ApiKeyResolver } from './auth.ts';
import { ExpiringCache } from './expiringCache.ts';

/**
 * API keys as partners resolved them, remembered `ttlMs` so a partner system's burst of requests costs
 * one question. Revoking a key or changing a partner's status through this gateway forgets at once
 * (`forgetAll`), and so does the watcher's finding that a key or partner is refused (`forget`); a
 * revocation made through another gateway instance takes effect here within `ttlMs`.
 */
export class RememberedApiKeys {
  private readonly known = new ExpiringCache<string, { partnerId: string; keyId: string }>(10_000);
  /** Bumped by every forgetting: an answer asked for before it is not remembered after it. */
  private generation = 0;

  constructor(
    private readonly resolveWithPartners: ApiKeyResolver,
    private readonly ttlMs = 2_000,
  ) {}

  readonly resolve: ApiKeyResolver = async (secret) => {
    // Only the key's hash is held, as partners store it.
    const id = createHash('sha256').update(secret).digest('base64url');
    const known = this.known.get(id);
    if (known) return known;
    const asked = this.generation;
    const found = await this.resolveWithPartners(secret);
    // Refusals are not remembered: a key that starts working (or a typo fixed) is not held back.
    if (found && asked === this.generation) this.known.set(id, found, Date.now() + this.ttlMs);
    return found;
  };

  /** Forgets the keys named, and every key of the partners named. */
  forget(refused: { partnerIds: readonly string[]; keyIds: readonly string[] }): void {
    if (refused.partnerIds.length === 0 && refused.keyIds.length === 0) return;
    this.generation += 1;
    const partners = new Set(refused.partnerIds);
    const keys = new Set(refused.keyIds);
    this.known.deleteWhere((key) => partners.has(key.partnerId) || keys.has(key.keyId));
  }

  forgetAll(): void {
    this.generation += 1;
    this.known.clear();
  }
}
