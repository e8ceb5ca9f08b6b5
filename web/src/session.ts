/** The signed-in person: the token lives in this tab's session storage only, never in a URL or cookie. */
export interface Session {
  token: string;
  roles: string[];
  partnerId: string | undefined;
  subject: string;
}

const KEY = 'supply-network.token';

function decodePayload(token: string): Record<string, unknown> | undefined {
  const part = token.split('.')[1];
  if (!part) return undefined;
  try {
    const json = atob(part.replace(/-/g, '+').replace(/_/g, '/'));
    const payload: unknown = JSON.parse(json);
    return typeof payload === 'object' && payload !== null ? (payload as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** What the token says about its holder, for choosing pages; the gateway checks every request itself. */
export function sessionFromToken(token: string): Session | undefined {
  const payload = decodePayload(token);
  if (!payload) return undefined;
  const roles = Array.isArray(payload.roles)
    ? payload.roles.filter((r): r is string => typeof r === 'string')
    : [];
  const exp = typeof payload.exp === 'number' ? payload.exp : 0;
  if (exp * 1000 < Date.now()) return undefined;
  return {
    token,
    roles,
    partnerId: typeof payload.partner_id === 'string' ? payload.partner_id : undefined,
    subject: typeof payload.sub === 'string' ? payload.sub : 'unknown',
  };
}

export function loadSession(): Session | undefined {
  const token = sessionStorage.getItem(KEY);
  return token ? sessionFromToken(token) : undefined;
}

export function saveSession(token: string): Session | undefined {
  const session = sessionFromToken(token);
  if (session) sessionStorage.setItem(KEY, token);
  return session;
}

export function clearSession(): void {
  sessionStorage.removeItem(KEY);
}

/** The page a person lands on after signing in. */
export function homeOf(session: Session, partnerRoles: string[] = []): string {
  if (session.roles.includes('partner')) return partnerRoles.includes('CUSTOMER') ? '/customer' : '/supplier';
  if (session.roles.includes('analyst')) return '/explorer';
  return '/desk';
}
