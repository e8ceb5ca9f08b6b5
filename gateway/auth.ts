import { GraphQLError } from 'graphql';
import { createRemoteJWKSet, jwtVerify, SignJWT, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { isRole, type Principal } from '../platform/auth/principal.ts';
import { unauthenticated } from '../platform/errors.ts';
import { apiKeySubject } from './credentials.ts';
import { ExpiringCache } from './expiringCache.ts';

export interface JwtSettings {
  secret: string | undefined;
  jwksUrl: string | undefined;
  issuer: string | undefined;
  audience: string | undefined;
}

/** Resolves an API key to the partner it acts for, or undefined when the key does not work. */
export type ApiKeyResolver = (secret: string) => Promise<{ partnerId: string; keyId: string } | undefined>;

/** Whether a partner's people are refused now: the partner is suspended or unknown. */
export type PartnerGate = (partnerId: string) => Promise<boolean>;

export interface Authenticator {
  authenticate(headers: {
    authorization?: string | undefined;
    apiKey?: string | undefined;
  }): Promise<Principal>;
}

/** Verified tokens remembered at most: beyond, the oldest is verified again at its next use. */
const VERIFIED_TOKENS = 10_000;
/**
 * How long a verified token is remembered at most, however long it lives: a key withdrawn from the JWKS
 * stops working within this time.
 */
const REMEMBER_TOKEN_MS = 5 * 60_000;

/**
 * People authenticate with a bearer JWT (HS256 with a shared secret in development, RS256 from a JWKS
 * in production); partner systems with an API key. Every failure is UNAUTHENTICATED, except a valid
 * token of a suspended partner's person: FORBIDDEN, as the token itself is fine.
 */
export function createAuthenticator(
  settings: JwtSettings,
  resolveApiKey: ApiKeyResolver,
  partnerRefused: PartnerGate = async () => false,
): Authenticator {
  const jwks: JWTVerifyGetKey | undefined = settings.jwksUrl
    ? createRemoteJWKSet(new URL(settings.jwksUrl))
    : undefined;
  const secret = settings.secret ? new TextEncoder().encode(settings.secret) : undefined;
  const options = {
    issuer: settings.issuer,
    audience: settings.audience,
    algorithms: jwks ? ['RS256', 'ES256'] : ['HS256'],
  };

  // A token is verified once, then remembered until it expires: the signature and claims of a given token
  // cannot change. Its partner's status can, so that is checked on every request below.
  const verified = new ExpiringCache<string, Principal>(VERIFIED_TOKENS);

  async function principalOf(token: string): Promise<Principal> {
    const known = verified.get(token);
    if (known) return known;
    let payload: JWTPayload;
    try {
      payload = jwks
        ? (await jwtVerify(token, jwks, options)).payload
        : (await jwtVerify(token, secret!, options)).payload;
    } catch (error) {
      throw unauthenticated(`invalid token: ${(error as Error).message}`);
    }
    const roles = Array.isArray(payload.roles) ? payload.roles.filter(isRole) : [];
    if (!payload.sub || roles.length === 0)
      throw unauthenticated('token carries no subject or no known role');
    const partnerId = typeof payload.partner_id === 'string' ? payload.partner_id : undefined;
    if (roles.includes('partner') && !partnerId)
      throw unauthenticated('a partner token must name its partner_id');
    const principal: Principal = { subject: payload.sub, partnerId, roles };
    const expires = typeof payload.exp === 'number' ? payload.exp * 1_000 : Infinity;
    verified.set(token, principal, Math.min(expires, Date.now() + REMEMBER_TOKEN_MS));
    return principal;
  }

  async function fromJwt(token: string): Promise<Principal> {
    const { subject, partnerId, roles } = await principalOf(token);
    // A token outlives its partner's suspension: its partner is checked now, not when it was issued.
    if (partnerId && (await partnerRefused(partnerId))) {
      throw new GraphQLError('this partner is suspended or unknown: its tokens are refused', {
        extensions: { code: 'FORBIDDEN', http: { status: 403 } },
      });
    }
    return { subject, partnerId, roles: [...roles] };
  }

  return {
    async authenticate({ authorization, apiKey }) {
      if (authorization) {
        const match = /^Bearer\s+(\S+)$/i.exec(authorization);
        if (!match) throw unauthenticated('Authorization must be "Bearer <token>"');
        return fromJwt(match[1]!);
      }
      if (apiKey) {
        const found = await resolveApiKey(apiKey);
        if (!found) throw unauthenticated('unknown, revoked or suspended API key');
        return { subject: apiKeySubject(found.keyId), partnerId: found.partnerId, roles: ['partner'] };
      }
      throw unauthenticated('send Authorization: Bearer <token> or X-Api-Key');
    },
  };
}

/** A development token, as `npm run token` prints it. */
export async function signDevToken(
  secret: string,
  claims: { subject: string; roles: string[]; partnerId?: string | undefined },
  lifetime = '8h',
): Promise<string> {
  return new SignJWT({ roles: claims.roles, ...(claims.partnerId ? { partner_id: claims.partnerId } : {}) })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(claims.subject)
    .setIssuedAt()
    .setExpirationTime(lifetime)
    .sign(new TextEncoder().encode(secret));
}
