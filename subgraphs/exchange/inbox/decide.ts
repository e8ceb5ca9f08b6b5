import type { Principal } from '../../../platform/auth/principal.ts';
import type { Database, Queryable } from '../../../platform/db/database.ts';
import type { Interchange, Message, MessageOutcome, ReceivedVerdict } from '../formats/types.ts';
import { resolveDocument } from '../mapping/resolve.ts';
import { markRefusedByPartner, outboundByControlNumber, setDocumentStatus } from '../store/documents.ts';
import type { SubgraphClient } from '../subgraphClient.ts';
import { runCommand } from './commands.ts';
import { reasonOf } from './reasons.ts';

const hasError = (findings: readonly { severity: string }[]) =>
  findings.some((finding) => finding.severity === 'ERROR');

const rejected = (findings: MessageOutcome['findings']): MessageOutcome => ({
  accepted: false,
  findings,
  effects: [],
});

/**
 * One message, one case per kind of body: a broken envelope or message is rejected with its findings; a
 * business document is resolved and its command run as the sender; a command runs as it is; an
 * acknowledgement of ours marks the documents it answers. Throws CommandUnavailable when the owning
 * subgraph does not answer, so the message waits rather than being rejected for our outage.
 */
export async function decideMessage(
  db: Database,
  client: SubgraphClient,
  sender: Principal & { partnerId: string },
  interchange: Interchange,
  message: Message,
  options: { idempotencyKey: string },
): Promise<MessageOutcome> {
  if (hasError(interchange.findings)) return rejected(interchange.findings);
  if (hasError(message.findings) || !message.body) return rejected(message.findings);
  const warnings = message.findings;
  switch (message.body.kind) {
    case 'command': {
      const outcome = await runCommand(client, message.body.command, sender, options.idempotencyKey);
      return { ...outcome, findings: [...warnings, ...outcome.findings] };
    }
    case 'business': {
      const resolution = await resolveDocument({ db, client, sender }, message.body.document);
      if (!resolution.command) return rejected([...warnings, ...resolution.findings]);
      const outcome = await runCommand(
        client,
        resolution.command,
        sender,
        options.idempotencyKey,
        (field) => {
          const line = /^lines\[\d+\]/.exec(field)?.[0];
          return line ? resolution.lineLocations.get(line) : undefined;
        },
      );
      return { ...outcome, findings: [...warnings, ...outcome.findings] };
    }
    case 'acknowledgement': {
      const { verdicts } = message.body;
      await db.transaction(async (tx) => {
        for (const verdict of verdicts) await applyVerdict(tx, sender.partnerId, verdict);
      });
      return { accepted: true, findings: warnings, effects: [] };
    }
  }
}

/** A partner's acknowledgement of a document we sent: ACKNOWLEDGED, or REFUSED with its reasons for staff. */
async function applyVerdict(tx: Queryable, partnerId: string, verdict: ReceivedVerdict): Promise<void> {
  const ours = await outboundByControlNumber(tx, partnerId, verdict.interchangeControlNumber);
  if (!ours) return;
  if (verdict.accepted) await setDocumentStatus(tx, ours.id, 'ACKNOWLEDGED', true);
  else
    await markRefusedByPartner(
      tx,
      ours.id,
      verdict.findings.map((finding) => reasonOf(finding)),
    );
}
