import { SignJWT, jwtVerify } from 'jose';

export const ROLES = ['admin', 'buyer', 'sales', 'finance', 'analyst', 'partner'] as const;
export type Role = (typeof ROLES)[number];

/** Who is calling: a person (from a JWT) or a partner system (from an API key). */
export interface Principal {
  subject: string;
  partnerId?: string | undefined;
  roles: Role[];
}

/** The header in which the gateway hands the principal to subgraphs. */
export const PRINCIPAL_HEADER = 'x-principal';
export const PRINCIPAL_AUDIENCE = 'supply-network-subgraphs';
const LIFETIME_SECONDS = 60;

/** The gateway's own identity, for the internal calls it makes (such as resolving an API key). */
export const GATEWAY_PRINCIPAL: Principal = { subject: 'system:gateway', roles: ['admin'] };

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

export function hasRole(principal: Principal, ...roles: Role[]): boolean {
  return principal.roles.some((role) => roles.includes(role));
}

/** A partner principal acts for one partner only; internal roles act for the company. */
export function isPartnerPrincipal(principal: Principal): principal is Principal & { partnerId: string } {
  return principal.roles.includes('partner') && typeof principal.partnerId === 'string';
}

/**
 * What row-level rules read of a principal: the partner it acts for and its roles. The subject says who
 * acted on writes and is never read to decide what a reader sees, so readers that share a visibility may
 * share what was read for them: an upstream connection, an event's completion, its loaders.
 */
export function visibilityKey(principal: Principal): string {
  return JSON.stringify([principal.partnerId ?? null, [...principal.roles].sort()]);
}

/** Who acted, as events and history record it: the subject, and the partner it acted for if any. */
export interface Actor {
  subject: string;
  partnerId: string | null;
}

export function actorOf(principal: Principal): Actor {
  return {
    subject: principal.subject,
    partnerId: isPartnerPrincipal(principal) ? principal.partnerId : null,
  };
}

function key(secret: string): Uint8Array {
  return new TextEncoder().encode(secret);
}

/** HMAC-signed, short-lived: a captured header is useless a minute later and cannot be altered. */
export async function signPrincipal(principal: Principal, secret: string): Promise<string> {
  return new SignJWT({ roles: principal.roles, ...(principal.partnerId ? { pid: principal.partnerId } : {}) })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(principal.subject)
    .setAudience(PRINCIPAL_AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(`${LIFETIME_SECONDS}s`)
    .sign(key(secret));
}

/** Throws when the header is missing, altered, expired or signed with another secret. */
export async function verifyPrincipal(header: string | undefined, secret: string): Promise<Principal> {
  if (!header) throw new Error('missing principal signature');
  const { payload } = await jwtVerify(header, key(secret), {
    audience: PRINCIPAL_AUDIENCE,
    algorithms: ['HS256'],
  });
  const roles = Array.isArray(payload.roles) ? payload.roles.filter(isRole) : [];
  if (!payload.sub || roles.length === 0) throw new Error('principal without subject or roles');
  return {
    subject: payload.sub,
    partnerId: typeof payload.pid === 'string' ? payload.pid : undefined,
    roles,
  };
}
