import { decodeJwt } from 'jose';
import { verifyPrincipal, type Principal } from './principal.ts';

/** Signatures remembered at most: the gateway signs each principal once per renewal window. */
const MAX_REMEMBERED = 10_000;

/**
 * The gateway's signed principal headers a subgraph has verified, remembered until each expires: the
 * gateway hands the same header to every fetch of a principal for a while, and a given header's
 * signature and claims cannot change. Expired, altered or missing headers are refused as before.
 */
export class VerifiedPrincipals {
  private readonly verified = new Map<string, { principal: Principal; until: number }>();

  constructor(private readonly secret: string) {}

  /** The principal, or undefined when the header is missing, altered, expired or signed otherwise. */
  async principalOf(header: string | undefined): Promise<Principal | undefined> {
    if (!header) return undefined;
    const known = this.verified.get(header);
    if (known && known.until > Date.now()) return copy(known.principal);
    if (known) this.verified.delete(header);
    let principal: Principal;
    try {
      principal = await verifyPrincipal(header, this.secret);
    } catch {
      return undefined;
    }
    const { exp } = decodeJwt(header);
    if (typeof exp === 'number') {
      if (this.verified.size >= MAX_REMEMBERED) {
        const oldest = this.verified.keys().next();
        if (!oldest.done) this.verified.delete(oldest.value);
      }
      this.verified.set(header, { principal: copy(principal), until: exp * 1_000 });
    }
    return principal;
  }
}

/** Each request its own principal object: nothing one request does to it reaches another. */
function copy(principal: Principal): Principal {
  return { ...principal, roles: [...principal.roles] };
}
