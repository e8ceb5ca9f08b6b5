import { signPrincipal, type Principal } from '../platform/auth/principal.ts';
import { ExpiringCache } from './expiringCache.ts';

/**
 * The signed principal header of each principal, made once per renewal window instead of per request:
 * a signature lives 60 seconds (platform/auth/principal.ts) and is handed out for its first 20, so every
 * request still carries one good for at least 40 more seconds.
 */
export const RENEW_SIGNATURE_MS = 20_000;

export class SignedPrincipals {
  private readonly signed = new ExpiringCache<string, Promise<string>>(10_000);

  constructor(private readonly secret: string) {}

  sign(principal: Principal): Promise<string> {
    // Sorted roles: the same principal is one entry whatever order its token listed its roles in.
    const key = JSON.stringify([principal.subject, principal.partnerId ?? null, [...principal.roles].sort()]);
    const known = this.signed.get(key);
    if (known) return known;
    const signing = signPrincipal(principal, this.secret);
    this.signed.set(key, signing, Date.now() + RENEW_SIGNATURE_MS);
    signing.catch(() => this.signed.delete(key));
    return signing;
  }
}
