import { createHash } from 'node:crypto';
import type { Database, Queryable } from '../../../platform/db/database.ts';
import { Waiters } from '../../../platform/db/wakeup.ts';
import { workThroughLeased } from '../../../platform/leases.ts';
import type { BusinessDocument } from '../formats/business.ts';
import { formatById } from '../formats/registry.ts';
import type { DocumentFormat, Interchange } from '../formats/types.ts';
import { reasonOf } from '../inbox/reasons.ts';
import { outboundEnvelope } from '../mapping/envelope.ts';
import type { ExchangeSettings } from '../settings.ts';
import { queueDelivery } from '../store/deliveries.ts';
import { insertDocument } from '../store/documents.ts';
import { hasWebhook, profilesByPartner, type ProfileRow } from '../store/profiles.ts';
import { SubgraphUnavailable, type SubgraphClient } from '../subgraphClient.ts';
import { buildDocument } from './build.ts';
import {
  completeOutboundJob,
  leaseOutboundJobs,
  postponeOutboundJob,
  renewOutboundLeases,
  type OutboundJobRow,
} from './jobs.ts';
import { sameDocument } from './roundTrip.ts';

export interface OutboundWorker {
  wake(): void;
  stop(): Promise<void>;
}

const BATCH = 20;

/**
 * Writes the business documents events owe partners. Each is read back by the validators that read what
 * partners send before it may leave: one that does not read back as the same document is a bug, so it is
 * HELD with the reasons for staff to see, never sent. Control numbers come from the partner's counter in
 * the transaction that stores the document.
 */
export function startOutboundWorker(
  db: Database,
  client: SubgraphClient,
  settings: () => ExchangeSettings,
  wakeDispatcher: () => void,
): OutboundWorker {
  const controller = new AbortController();
  // Jobs are queued only by the outbound consumer, which wakes this worker when a batch queued one; the
  // timeout covers jobs queued by another process and leases that ran out.
  const nudges = new Waiters();
  const loop = async () => {
    while (!controller.signal.aborted) {
      const generation = nudges.generation;
      try {
        const leased = await workThroughLeased(
          {
            lease: (seconds) => leaseOutboundJobs(db, BATCH, seconds),
            renew: (jobs, seconds) => renewOutboundLeases(db, jobs, seconds),
          },
          async (job) => {
            if (await writeOne(db, client, job, settings())) wakeDispatcher();
          },
          controller.signal,
        );
        if (leased === 0) await nudges.wait(2_000, controller.signal, generation);
      } catch (error) {
        if (controller.signal.aborted) break;
        console.error('outbound:', error);
        await nudges.wait(1_000, controller.signal);
      }
    }
  };
  const running = loop();
  return {
    wake: nudges.wake,
    async stop() {
      controller.abort();
      await running;
    },
  };
}

async function writeOne(
  db: Database,
  client: SubgraphClient,
  job: OutboundJobRow,
  settings: ExchangeSettings,
): Promise<boolean> {
  const format = formatById(job.format);
  const [profile] = await profilesByPartner(db, [job.partner_id]);
  if (!format?.write || !profile) {
    await db.transaction((tx) => completeOutboundJob(tx, job.id, null));
    console.warn(`outbound job ${job.id}: ${job.format} cannot be written; nothing sent`);
    return false;
  }
  let document: BusinessDocument;
  try {
    document = await buildDocument(
      {
        db,
        client,
        partnerId: job.partner_id,
        identifiers: profile.identifiers,
        unitCodes: format.family === 'x12' ? 'X12' : 'REC20',
      },
      job.kind,
      job.subject_id,
    );
  } catch (error) {
    if (!(error instanceof SubgraphUnavailable)) throw error;
    await postponeOutboundJob(db, job.id, error.message, job.attempts);
    return false;
  }
  return db.transaction((tx) => storeDocument(tx, job, format, profile, document, settings));
}

async function storeDocument(
  tx: Queryable,
  job: OutboundJobRow,
  format: DocumentFormat,
  profile: ProfileRow,
  document: BusinessDocument,
  settings: ExchangeSettings,
): Promise<boolean> {
  const envelope = await outboundEnvelope(
    tx,
    job.partner_id,
    format,
    profile.identifiers,
    settings,
    profile.mode === 'TEST',
  );
  const content = typeof envelope === 'string' ? Buffer.alloc(0) : format.write!(document, envelope);
  const check =
    typeof envelope === 'string'
      ? { reasons: [envelope], controlNumber: null }
      : readBack(format, content, document);
  const { reasons } = check;
  const stored = await insertDocument(tx, {
    direction: 'OUTBOUND',
    partnerId: job.partner_id,
    format: format.id,
    mediaType: format.mediaTypes[0]!,
    content,
    contentHash: createHash('sha256').update(content).update(job.id).digest('hex'),
    status: reasons.length > 0 ? 'HELD' : 'PENDING',
    documentType: document.kind,
    // As the partner will quote it in its acknowledgement: ISA13, UNB 0020, the UBL document's ID.
    controlNumber: check.controlNumber,
    reasons,
  });
  if (!stored || !(await completeOutboundJob(tx, job.id, stored.id))) return false;
  if (reasons.length > 0) {
    console.error(`outbound ${document.kind} ${stored.id} to ${job.partner_id} held: ${reasons.join('; ')}`);
    return false;
  }
  if (!(await hasWebhook(tx, job.partner_id))) return false;
  await queueDelivery(tx, {
    partnerId: job.partner_id,
    messageId: `doc_${stored.id}`,
    eventType: 'document',
    eventCursor: null,
    documentId: stored.id,
    contentType: format.mediaTypes[0]!,
    body: content,
    sourceCommittedAt: stored.received_at,
  });
  return true;
}

/** What is wrong with a document we wrote, read back as a partner's would be (nothing, or the reasons), and its control number. */
function readBack(
  format: DocumentFormat,
  content: Buffer,
  written: BusinessDocument,
): { reasons: string[]; controlNumber: string | null } {
  const interchange = format.read(content);
  return { reasons: problemsOf(interchange, written), controlNumber: interchange.controlNumber };
}

function problemsOf(interchange: Interchange, written: BusinessDocument): string[] {
  const errors = [
    ...interchange.findings,
    ...interchange.messages.flatMap((message) => message.findings),
  ].filter((finding) => finding.severity === 'ERROR');
  if (errors.length > 0) return errors.map((finding) => reasonOf(finding));
  const body = interchange.messages[0]?.body;
  if (interchange.messages.length !== 1 || body?.kind !== 'business')
    return ['the written document does not read back as one business document'];
  const difference = sameDocument(written, body.document);
  return difference ? [`the written document reads back differently: ${difference}`] : [];
}
