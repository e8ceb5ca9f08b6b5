import { createHash } from 'node:crypto';
import type { Database } from '../../../platform/db/database.ts';
import { badInput, conflict, forbidden } from '../../../platform/errors.ts';
import { GraphQLError } from 'graphql';
import { appendExchangeEvent } from '../events.ts';
import { formatOf } from '../formats/registry.ts';
import { profilesByPartner } from '../store/profiles.ts';
import type { ExchangeSettings } from '../settings.ts';
import {
  documentByHash,
  documentByIdempotencyKey,
  INBOX_CHANNEL,
  insertDocument,
  type DocumentRow,
} from '../store/documents.ts';

export interface Arrival {
  partnerId: string;
  format: string;
  content: Buffer;
  idempotencyKey?: string | null | undefined;
}

export const tooLarge = (limit: number) =>
  new GraphQLError(`the document is larger than the ${limit}-byte limit`, {
    extensions: { code: 'PAYLOAD_TOO_LARGE', limit, http: { status: 413 } },
  });

/**
 * Stores a partner's document, in a format its profile allows,, byte for byte with its SHA-256, before anything reads it: when this
 * resolves the document is committed, and only then may the caller answer 202. The same bytes again, or
 * the same idempotency key with the same bytes, return the first document; processing comes later, from
 * the stored copy.
 */
export async function receiveDocument(
  db: Database,
  arrival: Arrival,
  settings: ExchangeSettings,
): Promise<{ document: DocumentRow; duplicate: boolean }> {
  if (arrival.content.length === 0) throw badInput('the document is empty', { field: 'content' });
  const format = formatOf(arrival.format, arrival.content);
  const [profile] = await profilesByPartner(db, [arrival.partnerId]);
  const allowed = profile?.formats ?? ['json'];
  if (!allowed.includes(format.id))
    throw forbidden(
      `your exchange profile does not allow ${format.id} documents (it allows ${allowed.join(', ') || 'none'}); the company's staff enable formats`,
    );
  if (arrival.content.length > settings.maxDocumentBytes) throw tooLarge(settings.maxDocumentBytes);
  const key = arrival.idempotencyKey?.trim() || null;
  if (key !== null && key.length > 200)
    throw badInput('idempotencyKey is longer than 200', { field: 'idempotencyKey' });
  const hash = createHash('sha256').update(arrival.content).digest('hex');

  return db.transaction(async (tx) => {
    if (key !== null) {
      const earlier = await documentByIdempotencyKey(tx, arrival.partnerId, key);
      if (earlier) {
        if (earlier.content_hash !== hash) {
          throw conflict(`idempotency key "${key}" was used for another document`, {
            documentId: earlier.id,
          });
        }
        return { document: earlier, duplicate: true };
      }
    }
    const stored = await insertDocument(tx, {
      direction: 'INBOUND',
      partnerId: arrival.partnerId,
      format: format.id,
      mediaType: format.mediaTypes[0]!,
      content: arrival.content,
      contentHash: hash,
      status: 'RECEIVED',
      idempotencyKey: key,
    });
    if (!stored) {
      return { document: (await documentByHash(tx, arrival.partnerId, 'INBOUND', hash))!, duplicate: true };
    }
    tx.notifyOnCommit(INBOX_CHANNEL);
    await appendExchangeEvent(
      tx,
      'DocumentReceived',
      { type: 'Document', id: stored.id },
      {
        documentId: stored.id,
        partnerId: arrival.partnerId,
        format: format.id,
        documentType: null,
        controlNumber: null,
        status: 'RECEIVED',
        reasons: [],
      },
    );
    return { document: stored, duplicate: false };
  });
}
