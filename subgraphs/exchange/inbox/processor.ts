import { createHash } from 'node:crypto';
import type { Principal } from '../../../platform/auth/principal.ts';
import type { Database, Queryable } from '../../../platform/db/database.ts';
import type { EventWakeup } from '../../../platform/events/eventLog.ts';
import { appendExchangeEvent } from '../events.ts';
import { formatById } from '../formats/registry.ts';
import type { DocumentOutcome } from '../formats/types.ts';
import { queueDelivery } from '../store/deliveries.ts';
import { hasWebhook } from '../store/profiles.ts';
import {
  firstWithControlNumber,
  insertDocument,
  leaseInbox,
  recordDecision,
  type DocumentRow,
} from '../store/documents.ts';
import { CommandUnavailable, runCommand, type ServiceUrl } from './commands.ts';

export interface InboxProcessor {
  stop(): Promise<void>;
}

const BATCH = 20;
/** Long enough for a command to answer; a process that dies leaves its documents to others after this. */
const LEASE_SECONDS = 60;

/** Who a document acts as: the partner that sent it, named after the document for the history. */
export function documentPrincipal(document: Pick<DocumentRow, 'id' | 'partner_id'>): Principal {
  return { subject: `exchange:document:${document.id}`, partnerId: document.partner_id, roles: ['partner'] };
}

interface Decision {
  documentType: string | null;
  controlNumber: string | null;
  outcome: DocumentOutcome;
  duplicateOf: string | null;
}

/**
 * Processes stored inbound documents, oldest first, from the stored bytes. A document's command carries
 * an idempotency key derived from the document, so if this process dies after the command and before the
 * decision is committed, running it again returns the first result: the document's effect happens once.
 */
export function startInboxProcessor(
  db: Database,
  wakeup: EventWakeup,
  serviceUrl: ServiceUrl,
  internalSecret: string,
): InboxProcessor {
  const controller = new AbortController();
  const loop = async () => {
    while (!controller.signal.aborted) {
      try {
        const batch = await leaseInbox(db, BATCH, LEASE_SECONDS);
        for (const document of batch) {
          if (controller.signal.aborted) break;
          await processOne(db, document, serviceUrl, internalSecret);
        }
        if (batch.length === 0) await wakeup.wait(2_000, controller.signal);
      } catch (error) {
        if (controller.signal.aborted) break;
        console.error('inbox:', error);
        await wakeup.wait(1_000, controller.signal);
      }
    }
  };
  const running = loop();
  return {
    async stop() {
      controller.abort();
      await running;
    },
  };
}

async function decide(
  db: Database,
  document: DocumentRow,
  serviceUrl: ServiceUrl,
  internalSecret: string,
): Promise<Decision> {
  const format = formatById(document.format);
  if (!format) {
    return {
      documentType: null,
      controlNumber: null,
      duplicateOf: null,
      outcome: { accepted: false, reasons: [`format ${document.format} is no longer read`], effects: [] },
    };
  }
  const parsed = format.parse(document.content);
  if (!parsed.ok) {
    return {
      documentType: parsed.documentType,
      controlNumber: parsed.controlNumber,
      duplicateOf: null,
      outcome: { accepted: false, reasons: parsed.errors, effects: [] },
    };
  }
  const { documentType, controlNumber, command } = parsed.document;
  const first = await firstWithControlNumber(db, document, controlNumber);
  if (first) {
    return {
      documentType,
      controlNumber,
      duplicateOf: first.id,
      outcome: { accepted: first.status !== 'REJECTED', reasons: first.reasons, effects: first.effects },
    };
  }
  const outcome = await runCommand(
    command,
    documentPrincipal(document),
    `exchange:document:${document.id}`,
    serviceUrl,
    internalSecret,
  );
  return { documentType, controlNumber, duplicateOf: null, outcome };
}

async function processOne(
  db: Database,
  document: DocumentRow,
  serviceUrl: ServiceUrl,
  internalSecret: string,
): Promise<void> {
  let decision: Decision;
  try {
    decision = await decide(db, document, serviceUrl, internalSecret);
  } catch (error) {
    if (!(error instanceof CommandUnavailable)) throw error;
    // Left RECEIVED: tried again once its lease runs out.
    console.warn(`document ${document.id} waits: ${error.message}`);
    return;
  }
  await db.transaction((tx) => commitDecision(tx, document, decision));
}

/** The decision, its acknowledgement in the outbox (and on the webhook), and the event: all or nothing. */
async function commitDecision(tx: Queryable, document: DocumentRow, decision: Decision): Promise<void> {
  const { outcome } = decision;
  const status = outcome.accepted ? 'PROCESSED' : 'REJECTED';
  const decided = await recordDecision(tx, document.id, {
    status,
    reasons: outcome.reasons,
    effects: outcome.effects,
    documentType: decision.documentType,
    controlNumber: decision.controlNumber,
    duplicateOf: decision.duplicateOf,
  });
  if (!decided) return; // another process decided it first
  const format = formatById(document.format);
  if (format)
    await sendAcknowledgement(
      tx,
      decided,
      format.mediaTypes[0]!,
      format.acknowledgement(
        {
          documentId: document.id,
          documentType: decision.documentType,
          controlNumber: decision.controlNumber,
        },
        outcome,
      ),
    );
  await appendExchangeEvent(
    tx,
    outcome.accepted ? 'DocumentProcessed' : 'DocumentRejected',
    { type: 'Document', id: document.id },
    {
      documentId: document.id,
      partnerId: document.partner_id,
      format: document.format,
      documentType: decision.documentType,
      controlNumber: decision.controlNumber,
      status,
      reasons: outcome.reasons,
    },
  );
}

/** Stored in the outbox; POSTed when the partner has a webhook, otherwise left for it to poll. */
export async function sendAcknowledgement(
  tx: Queryable,
  answered: DocumentRow,
  mediaType: string,
  content: Buffer,
): Promise<void> {
  const acknowledgement = await insertDocument(tx, {
    direction: 'OUTBOUND',
    partnerId: answered.partner_id,
    format: answered.format,
    mediaType,
    content,
    contentHash: createHash('sha256').update(content).digest('hex'),
    status: 'PENDING',
    documentType: 'Acknowledgement',
    controlNumber: `ACK-${answered.id}`,
    answers: answered.id,
  });
  if (!acknowledgement) return;
  if (!(await hasWebhook(tx, answered.partner_id))) return;
  await queueDelivery(tx, {
    partnerId: answered.partner_id,
    messageId: `doc_${acknowledgement.id}`,
    eventType: 'document',
    eventCursor: null,
    documentId: acknowledgement.id,
    contentType: mediaType,
    body: content,
    sourceCommittedAt: acknowledgement.received_at,
  });
}
