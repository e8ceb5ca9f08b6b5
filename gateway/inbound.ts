import { GraphQLError } from 'graphql';
import { PRINCIPAL_HEADER, signPrincipal } from '../platform/auth/principal.ts';
import { readBody, sendJson, type RouteHandler } from '../platform/server/http.ts';
import type { Authenticator } from './auth.ts';

/** The gateway never holds more than this of one document; exchange applies its own, smaller limit. */
const MAX_FORWARDED_BYTES = 16 * 1024 * 1024;

const FORWARDED_HEADERS = ['content-type', 'idempotency-key'] as const;

/**
 * `POST /exchange/inbound` at the gateway: authenticated like GraphQL (X-Api-Key or a bearer token), then
 * handed to exchange byte for byte with the signed principal. Exchange answers; the gateway relays it.
 */
export function inboundForwarder(
  authenticator: Authenticator,
  exchangeUrl: string,
  internalSecret: string,
): RouteHandler {
  const target = new URL('/exchange/inbound', exchangeUrl);
  return async (request, response) => {
    if (request.method !== 'POST') {
      request.resume();
      return sendJson(response, 405, { error: { code: 'METHOD_NOT_ALLOWED', message: 'POST the document' } });
    }
    const apiKey = request.headers['x-api-key'];
    let principal;
    try {
      principal = await authenticator.authenticate({
        authorization: request.headers.authorization,
        apiKey: Array.isArray(apiKey) ? apiKey[0] : apiKey,
      });
    } catch (error) {
      request.resume();
      const message = error instanceof GraphQLError ? error.message : 'not authenticated';
      return sendJson(response, 401, { error: { code: 'UNAUTHENTICATED', message } });
    }
    const body = await readBody(request, MAX_FORWARDED_BYTES);
    if (!body) {
      request.resume();
      return sendJson(response, 413, {
        error: {
          code: 'PAYLOAD_TOO_LARGE',
          message: `the document is larger than ${MAX_FORWARDED_BYTES} bytes`,
        },
      });
    }
    const headers: Record<string, string> = {
      [PRINCIPAL_HEADER]: await signPrincipal(principal, internalSecret),
    };
    for (const name of FORWARDED_HEADERS) {
      const value = request.headers[name];
      if (typeof value === 'string') headers[name] = value;
    }
    const url = new URL(request.url ?? '/', 'http://localhost');
    const answer = await fetch(new URL(url.search, target), { method: 'POST', headers, body });
    response.writeHead(answer.status, {
      'content-type': answer.headers.get('content-type') ?? 'application/json',
    });
    response.end(Buffer.from(await answer.arrayBuffer()));
  };
}
