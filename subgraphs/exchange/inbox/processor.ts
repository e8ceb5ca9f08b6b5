import { createHash } from 'node:crypto';
import type { Principal } from '../../../platform/auth/principal.ts';
import type { Database, Queryable } from '../../../platform/db/database.ts';
import type { Wakeup } from '../../../platform/db/wakeup.ts';
import { workThroughLeased } from '../../../platform/leases.ts';
import { appendExchangeEvent } from '../events.ts';
import { formatById } from '../formats/registry.ts';
import type { DocumentFormat, Interchange, Message, MessageOutcome } from '../formats/types.ts';
import type { ExchangeSettings } from '../settings.ts';
import { queueDelivery } from '../store/deliveries.ts';
import { hasWebhook, profilesByPartner, type WireIdentifiers } from '../store/profiles.ts';
import {
  firstWithControlNumber,
  insertDocument,
  leaseInbox,
  messagesOf,
  renewInboxLeases,
  recordDecision,
  recordMessage,
  type DocumentRow,
  type MessageRow,
} from '../store/documents.ts';
import type { SubgraphClient } from '../subgraphClient.ts';
import { acknowledgementEnvelope, checkEnvelope } from './envelope.ts';
import { decideMessage } from './decide.ts';
import { CommandUnavailable } from './commands.ts';
import { reasonOf } from './reasons.ts';

export interface InboxProcessor {
  stop(): Promise<void>;
}

const BATCH = 20;

/** Who a document acts as: the partner that sent it, named after the document for the history. */
export function documentPrincipal(
  document: Pick<DocumentRow, 'id' | 'partner_id'>,
): Principal & { partnerId: string } {
  return { subject: `exchange:document:${document.id}`, partnerId: document.partner_id, roles: ['partner'] };
}

/**
 * Processes stored inbound documents, oldest first, from the stored bytes. Each message of an interchange
 * is decided and committed on its own, its command carrying an idempotency key derived from the document
 * and the message's position: if this process dies in the middle, the next one resumes after the last
 * message committed, and a command that ran but was not recorded returns its first result.
 */
export function startInboxProcessor(
  db: Database,
  /** On `INBOX_CHANNEL`: a document stored by any process wakes the processor. */
  wakeup: Wakeup,
  client: SubgraphClient,
  settings: () => ExchangeSettings,
): InboxProcessor {
  const controller = new AbortController();
  const loop = async () => {
    while (!controller.signal.aborted) {
      try {
        const generation = wakeup.generation;
        const leased = await workThroughLeased(
          {
            lease: (seconds) => leaseInbox(db, BATCH, seconds),
            renew: (documents, seconds) => renewInboxLeases(db, documents, seconds),
          },
          (document) => processOne(db, document, client, settings(), controller.signal),
          controller.signal,
        );
        if (leased === 0) await wakeup.wait(2_000, controller.signal, generation);
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

const fromRow = (row: MessageRow): MessageOutcome => ({
  accepted: row.status === 'PROCESSED',
  findings: row.findings,
  effects: row.effects,
});

async function processOne(
  db: Database,
  document: DocumentRow,
  client: SubgraphClient,
  settings: ExchangeSettings,
  signal: AbortSignal,
): Promise<void> {
  const format = formatById(document.format);
  if (!format) {
    await db.transaction((tx) =>
      recordDecision(tx, document.id, {
        status: 'REJECTED',
        reasons: [`format ${document.format} is no longer read`],
        effects: [],
        documentType: null,
        controlNumber: null,
        duplicateOf: null,
      }),
    );
    return;
  }
  const interchange = format.read(Buffer.from(document.content));
  const [profile] = await profilesByPartner(db, [document.partner_id]);
  const identifiers = profile?.identifiers ?? {};
  interchange.findings.push(...checkEnvelope(format, interchange, identifiers, settings));

  // Only a sound envelope can repeat another: a forged one is refused whatever its control number.
  const soundEnvelope = interchange.findings.every((finding) => finding.severity !== 'ERROR');
  const first =
    soundEnvelope && interchange.controlNumber
      ? await firstWithControlNumber(db, document, interchange.controlNumber)
      : undefined;
  let outcomes: MessageOutcome[];
  if (first) {
    // A repeat of an interchange already decided is answered with the first one's outcome.
    const earlier = await messagesOf(db, [first.id]);
    outcomes = interchange.messages.map((_, position) => {
      const row = earlier.find((candidate) => candidate.position === position);
      return row ? fromRow(row) : { accepted: first.status !== 'REJECTED', findings: [], effects: [] };
    });
  } else {
    const outcome = await decideMessages(db, document, interchange, client, signal);
    if (!outcome) return; // a subgraph did not answer, or the processor is stopping: the lease runs out
    outcomes = outcome;
  }
  await db.transaction((tx) =>
    commitDecision(tx, document, format, interchange, outcomes, first?.id ?? null, identifiers, settings),
  );
}

/** Every message's outcome, deciding those not decided yet; null when the rest must wait. */
async function decideMessages(
  db: Database,
  document: DocumentRow,
  interchange: Interchange,
  client: SubgraphClient,
  signal: AbortSignal,
): Promise<MessageOutcome[] | null> {
  const decided = new Map((await messagesOf(db, [document.id])).map((row) => [row.position, fromRow(row)]));
  const outcomes: MessageOutcome[] = [];
  for (const [position, message] of interchange.messages.entries()) {
    const known = decided.get(position);
    if (known) {
      outcomes.push(known);
      continue;
    }
    if (signal.aborted) return null;
    let outcome: MessageOutcome;
    try {
      outcome = await decideMessage(db, client, documentPrincipal(document), interchange, message, {
        idempotencyKey: `exchange:document:${document.id}:${position}`,
      });
    } catch (error) {
      if (!(error instanceof CommandUnavailable)) throw error;
      console.warn(`document ${document.id} message ${position + 1} waits: ${error.message}`);
      return null;
    }
    await recordMessage(db, messageRow(document.id, position, message, outcome));
    outcomes.push(outcome);
  }
  return outcomes;
}

const messageRow = (documentId: string, position: number, message: Message, outcome: MessageOutcome) => ({
  document_id: documentId,
  position,
  document_type: message.documentType,
  control_number: message.controlNumber,
  status: outcome.accepted ? ('PROCESSED' as const) : ('REJECTED' as const),
  findings: outcome.findings,
  effects: outcome.effects,
});

/** A received acknowledgement is not acknowledged in turn: that would never end. */
const onlyAcknowledgements = (interchange: Interchange) =>
  interchange.messages.length > 0 &&
  interchange.messages.every((message) => message.body?.kind === 'acknowledgement');

/**
 * The decision, its acknowledgement in the outbox (and on the webhook), and the event: all or nothing.
 * A document is PROCESSED when any message in it was applied; each message's own outcome is kept.
 */
async function commitDecision(
  tx: Queryable,
  document: DocumentRow,
  format: DocumentFormat,
  interchange: Interchange,
  outcomes: MessageOutcome[],
  duplicateOf: string | null,
  identifiers: WireIdentifiers,
  settings: ExchangeSettings,
): Promise<void> {
  const accepted = outcomes.some((outcome) => outcome.accepted);
  const status = accepted ? 'PROCESSED' : 'REJECTED';
  const several = interchange.messages.length > 1;
  const reasons = [
    ...interchange.findings
      .filter((finding) => finding.severity === 'ERROR')
      .map((finding) => reasonOf(finding)),
    ...outcomes.flatMap((outcome, position) =>
      outcome.findings
        .filter((finding) => finding.severity === 'ERROR')
        .map((finding) => reasonOf(finding, several ? interchange.messages[position] : undefined)),
    ),
  ];
  if (interchange.messages.length === 0 && reasons.length === 0)
    reasons.push('the document holds no message');
  const firstMessage = interchange.messages[0];
  const decided = await recordDecision(tx, document.id, {
    status,
    reasons,
    effects: outcomes.flatMap((outcome) => outcome.effects),
    documentType: several
      ? [...new Set(interchange.messages.map((message) => message.documentType ?? '?'))].join(',')
      : (firstMessage?.documentType ?? null),
    controlNumber: interchange.controlNumber,
    duplicateOf,
  });
  if (!decided) return; // another process decided it first
  if (!onlyAcknowledgements(interchange)) {
    const envelope = await acknowledgementEnvelope(tx, decided, format, interchange, identifiers, settings);
    await sendAcknowledgement(
      tx,
      decided,
      format.mediaTypes[0]!,
      format.acknowledge(interchange, outcomes, envelope),
      envelope.interchangeControlNumber,
    );
  }
  await appendExchangeEvent(
    tx,
    accepted ? 'DocumentProcessed' : 'DocumentRejected',
    { type: 'Document', id: document.id },
    {
      documentId: document.id,
      partnerId: document.partner_id,
      format: document.format,
      documentType: decided.document_type,
      controlNumber: interchange.controlNumber,
      status,
      reasons: reasons.slice(0, 50),
    },
  );
}

/** Stored in the outbox; POSTed when the partner has a webhook, otherwise left for it to poll. */
export async function sendAcknowledgement(
  tx: Queryable,
  answered: DocumentRow,
  mediaType: string,
  content: Buffer,
  controlNumber: string,
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
    controlNumber,
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
