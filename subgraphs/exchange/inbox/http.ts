import type http from 'node:http';
import { GraphQLError } from 'graphql';
import { isPartnerPrincipal, type Principal } from '../../../platform/auth/principal.ts';
import type { Database } from '../../../platform/db/database.ts';
import { readBody, sendJson } from '../../../platform/server/http.ts';
import { formatNameByMediaType, FORMAT_IDS } from '../formats/registry.ts';
import type { ExchangeSettings } from '../settings.ts';
import { receiveDocument } from './receive.ts';

export const INBOUND_PATH = '/exchange/inbound';

const refuse = (response: http.ServerResponse, status: number, code: string, message: string) =>
  sendJson(response, status, { error: { code, message } });

/**
 * `POST /exchange/inbound`: the body is the document, its format from `?format=` or the Content-Type.
 * 202 is sent only once the bytes are committed; a repeat gets 200 with the first document.
 */
export function inboundRoute(db: Database, settings: () => ExchangeSettings) {
  return async (request: http.IncomingMessage, response: http.ServerResponse, principal: Principal) => {
    if (request.method !== 'POST') return refuse(response, 405, 'METHOD_NOT_ALLOWED', 'POST the document');
    if (!isPartnerPrincipal(principal)) {
      request.resume();
      return refuse(
        response,
        403,
        'FORBIDDEN',
        "documents come from a partner's own credentials (its API key)",
      );
    }
    const current = settings();
    const url = new URL(request.url ?? '/', 'http://localhost');
    const format =
      url.searchParams.get('format') ?? formatNameByMediaType(request.headers['content-type'] ?? '');
    if (!format) {
      request.resume();
      return refuse(
        response,
        415,
        'UNSUPPORTED_MEDIA_TYPE',
        `name the format with ?format= (${FORMAT_IDS.join(', ')}) or a Content-Type it is sent as`,
      );
    }
    const content = await readBody(request, current.maxDocumentBytes);
    if (!content) {
      request.resume();
      return refuse(
        response,
        413,
        'PAYLOAD_TOO_LARGE',
        `the document is larger than the ${current.maxDocumentBytes}-byte limit`,
      );
    }
    const key = request.headers['idempotency-key'];
    try {
      const { document, duplicate } = await receiveDocument(
        db,
        {
          partnerId: principal.partnerId,
          format,
          content,
          idempotencyKey: typeof key === 'string' ? key : null,
        },
        current,
      );
      return sendJson(response, duplicate ? 200 : 202, {
        id: document.id,
        status: document.status,
        duplicate,
        contentHash: document.content_hash,
        receivedAt: new Date(document.received_at).toISOString(),
      });
    } catch (error) {
      if (!(error instanceof GraphQLError)) throw error;
      const code = typeof error.extensions.code === 'string' ? error.extensions.code : 'BAD_USER_INPUT';
      const status =
        code === 'PAYLOAD_TOO_LARGE' ? 413 : code === 'CONFLICT' ? 409 : code === 'FORBIDDEN' ? 403 : 400;
      return refuse(response, status, code, error.message);
    }
  };
}
