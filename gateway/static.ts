import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isRole, signPrincipal, GATEWAY_PRINCIPAL, PRINCIPAL_HEADER } from '../platform/auth/principal.ts';
import { readBody, sendJson, type RouteHandler } from '../platform/server/http.ts';
import { signDevToken, type JwtSettings } from './auth.ts';

/** Where `npm run build:web` writes the production build. */
export const WEB_DIST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../web/dist');

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

// The app talks to its own origin only (HTTP and graphql-ws); nothing inline runs, nothing frames it.
const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; " +
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

async function fileAt(file: string): Promise<{ size: number } | undefined> {
  try {
    const info = await stat(file);
    return info.isFile() ? { size: info.size } : undefined;
  } catch {
    return undefined;
  }
}

function sendFile(
  request: http.IncomingMessage,
  response: http.ServerResponse,
  file: string,
  size: number,
  cacheControl: string,
): void {
  response.writeHead(200, {
    ...SECURITY_HEADERS,
    'content-type': CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream',
    'content-length': size,
    'cache-control': cacheControl,
  });
  if (request.method === 'HEAD') {
    response.end();
    return;
  }
  createReadStream(file).pipe(response);
}

/**
 * The production build of the web app. Hashed files under /assets/ never change, so browsers keep them for a
 * year; index.html is revalidated on every load so a new deployment is picked up at once. Any other path
 * without a file extension is a page of the app (its router reads the path), so it gets index.html.
 */
export function webApp(distDir = WEB_DIST): RouteHandler {
  const root = path.resolve(distDir);
  return async (request, response) => {
    if (request.method !== 'GET' && request.method !== 'HEAD')
      return sendJson(response, 405, { error: 'method not allowed' });
    const pathname = decodeURIComponent(new URL(request.url ?? '/', 'http://localhost').pathname);
    const file = path.resolve(root, `.${pathname}`);
    if (file !== root && !file.startsWith(root + path.sep))
      return sendJson(response, 404, { error: 'not found' });

    const found = pathname.endsWith('/') ? undefined : await fileAt(file);
    if (found && path.basename(file) !== 'index.html') {
      const immutable = pathname.startsWith('/assets/');
      return sendFile(
        request,
        response,
        file,
        found.size,
        immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
      );
    }
    if (path.extname(pathname) !== '' && pathname !== '/index.html')
      return sendJson(response, 404, { error: 'not found' });
    const index = path.join(root, 'index.html');
    const page = await fileAt(index);
    if (!page) return sendJson(response, 404, { error: 'the web app is not built: run `npm run build:web`' });
    return sendFile(request, response, index, page.size, 'no-cache');
  };
}

export interface DevSignInOptions {
  /** True only when the stack runs on development secrets it generated itself. */
  enabled: boolean;
  jwt: JwtSettings;
  partnersUrl: string;
  internalSecret: string;
}

/** Development sign-in works only with a locally held HS256 secret, never beside an identity provider. */
function devSignInAllowed(
  options: DevSignInOptions,
): options is DevSignInOptions & { jwt: { secret: string } } {
  return options.enabled && !options.jwt.jwksUrl && typeof options.jwt.secret === 'string';
}

interface PartnerChoice {
  id: string;
  name: string;
  roles: string[];
}

async function listPartners(options: DevSignInOptions): Promise<PartnerChoice[]> {
  const response = await fetch(options.partnersUrl, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      [PRINCIPAL_HEADER]: await signPrincipal(GATEWAY_PRINCIPAL, options.internalSecret),
    },
    body: JSON.stringify({ query: '{ partners(first: 200) { nodes { id name roles isSelf } } }' }),
  });
  const body = (await response.json()) as {
    data?: { partners: { nodes: (PartnerChoice & { isSelf: boolean })[] } };
  };
  return (body.data?.partners.nodes ?? [])
    .filter((partner) => !partner.isSelf)
    .map(({ id, name, roles }) => ({ id, name, roles }));
}

/**
 * `/auth/dev`: GET says whether development sign-in is on (and whom a partner role may act for); POST with a
 * JSON body `{ role, partnerId? }` answers a development token, as `npm run token` prints it. The token goes
 * back in the body only (never in a URL or a cookie), and JSON bodies only, so another site's form cannot
 * post here and no CORS header lets another origin read the answer.
 */
export function devSignIn(options: DevSignInOptions): RouteHandler {
  return async (request, response) => {
    if (!devSignInAllowed(options))
      return sendJson(response, 403, {
        error:
          'development sign-in is off: production secrets are configured; sign in with your identity provider',
      });
    if (request.method === 'GET')
      return sendJson(response, 200, { enabled: true, partners: await listPartners(options) });
    if (request.method !== 'POST') return sendJson(response, 405, { error: 'method not allowed' });
    if (!/^application\/json\b/i.test(request.headers['content-type'] ?? ''))
      return sendJson(response, 415, { error: 'send application/json' });
    const raw = await readBody(request, 4096);
    let body: { role?: unknown; partnerId?: unknown };
    try {
      body = JSON.parse(raw?.toString('utf8') ?? '') as typeof body;
    } catch {
      return sendJson(response, 400, { error: 'the body must be JSON: { "role": ..., "partnerId": ... }' });
    }
    const { role, partnerId } = body;
    if (!isRole(role)) return sendJson(response, 400, { error: 'unknown role' });
    if (role === 'partner') {
      if (typeof partnerId !== 'string')
        return sendJson(response, 400, { error: 'a partner role needs a partnerId' });
      const known = await listPartners(options);
      if (!known.some((partner) => partner.id === partnerId))
        return sendJson(response, 400, { error: 'unknown partner' });
    }
    const token = await signDevToken(options.jwt.secret, {
      subject: `dev-${role}`,
      roles: [role],
      partnerId: role === 'partner' ? (partnerId as string) : undefined,
    });
    response.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
    response.end(JSON.stringify({ token }));
  };
}
