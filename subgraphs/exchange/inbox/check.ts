import type { Principal } from '../../../platform/auth/principal.ts';
import { isPartnerPrincipal } from '../../../platform/auth/principal.ts';
import type { Database } from '../../../platform/db/database.ts';
import { badInput } from '../../../platform/errors.ts';
import { formatOf } from '../formats/registry.ts';
import type { Finding, Interchange, MessageOutcome, OutboundEnvelope } from '../formats/types.ts';
import { selfParty } from '../mapping/envelope.ts';
import { resolveDocument } from '../mapping/resolve.ts';
import type { ExchangeSettings } from '../settings.ts';
import { profilesByPartner } from '../store/profiles.ts';
import type { SubgraphClient } from '../subgraphClient.ts';
import { checkEnvelope } from './envelope.ts';
import { reasonOf } from './reasons.ts';

export interface CheckedMessageReport {
  documentType: string | null;
  controlNumber: string | null;
  valid: boolean;
  /** The business document read, as JSON; null when it could not be read. */
  document: string | null;
  findings: Finding[];
}

export interface CheckReport {
  valid: boolean;
  format: string;
  documentType: string | null;
  controlNumber: string | null;
  /** Every finding of the envelope and of each message, one sentence each. */
  errors: string[];
  findings: Finding[];
  messages: CheckedMessageReport[];
  acknowledgement: string;
}

/** Where a check can look further than the bytes: as a partner, whose orders and item codes are known. */
export interface CheckScope {
  db: Database;
  client: SubgraphClient;
  principal: Principal;
  settings: ExchangeSettings;
}

const hasError = (findings: readonly Finding[]) => findings.some((finding) => finding.severity === 'ERROR');

/**
 * Reads a document as the inbox would and writes the acknowledgement it would get, storing and changing
 * nothing. Given a partner's scope it also resolves what the document names (its orders, lines, item
 * codes and units) as that partner, with read-only queries; what only the command itself decides (a
 * quantity over tolerance, an order already confirmed) shows when the document is really sent.
 */
export async function checkDocument(
  formatName: string,
  content: Buffer,
  scope?: CheckScope,
): Promise<CheckReport> {
  if (content.length === 0) throw badInput('the document is empty', { field: 'content' });
  const format = formatOf(formatName, content);
  const interchange = format.read(content);
  const sender = scope && isPartnerPrincipal(scope.principal) ? scope.principal : null;
  if (scope && sender) {
    const [profile] = await profilesByPartner(scope.db, [sender.partnerId]);
    interchange.findings.push(
      ...checkEnvelope(format, interchange, profile?.identifiers ?? {}, scope.settings),
    );
  }
  const outcomes: MessageOutcome[] = [];
  const messages: CheckedMessageReport[] = [];
  for (const message of interchange.messages) {
    const findings = [...message.findings];
    if (scope && sender && message.body?.kind === 'business' && !hasError(findings))
      findings.push(
        ...(await resolveDocument({ db: scope.db, client: scope.client, sender }, message.body.document))
          .findings,
      );
    const valid = !hasError(interchange.findings) && !hasError(findings) && message.body !== null;
    outcomes.push({ accepted: valid, findings, effects: [] });
    messages.push({
      documentType: message.documentType,
      controlNumber: message.controlNumber,
      valid,
      document: message.body ? JSON.stringify(bodyOf(message.body)) : null,
      findings,
    });
  }
  const allFindings = [...interchange.findings, ...messages.flatMap((message) => message.findings)];
  return {
    valid: messages.length > 0 && messages.every((message) => message.valid),
    format: format.id,
    documentType: interchange.messages[0]?.documentType ?? null,
    controlNumber: interchange.controlNumber,
    errors: allFindings.filter((finding) => finding.severity === 'ERROR').map((finding) => reasonOf(finding)),
    findings: allFindings,
    messages,
    acknowledgement: format
      .acknowledge(interchange, outcomes, uncountedEnvelope(format, interchange, scope?.settings))
      .toString('utf8'),
  };
}

const bodyOf = (body: NonNullable<Interchange['messages'][number]['body']>) =>
  body.kind === 'business' ? body.document : body.kind === 'command' ? body.command : body.verdicts;

/** The envelope a check's acknowledgement is written in: numbered 0, since nothing is sent. */
function uncountedEnvelope(
  format: ReturnType<typeof formatOf>,
  interchange: Interchange,
  settings: ExchangeSettings | undefined,
): OutboundEnvelope {
  const unnamed = { id: 'UNKNOWN' };
  return {
    sender: (settings && selfParty(format.family, settings)) ?? interchange.receiver ?? unnamed,
    receiver: interchange.sender ?? unnamed,
    interchangeControlNumber: format.family === 'json' ? 'unchecked' : '000000000',
    groupControlNumber: '0',
    messageControlNumber: '0000',
    createdAt: new Date(),
    test: true,
  };
}
