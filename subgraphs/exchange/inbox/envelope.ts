import type { Queryable } from '../../../platform/db/database.ts';
import {
  controlNumbers,
  partnerParty,
  reserveControlNumbers,
  sameParty,
  selfParty,
} from '../mapping/envelope.ts';
import type { DocumentFormat, Finding, Interchange, OutboundEnvelope } from '../formats/types.ts';
import type { ExchangeSettings } from '../settings.ts';
import type { DocumentRow } from '../store/documents.ts';
import type { WireIdentifiers } from '../store/profiles.ts';

const envelopeError = (code: string, message: string, value?: string): Finding => ({
  severity: 'ERROR',
  code,
  message,
  ...(value !== undefined ? { value } : {}),
});

/**
 * The envelope must name the partner whose key posted it as sender, and the company as receiver: a partner
 * cannot send on another's behalf by writing its identifiers, and a document meant for someone else is not
 * applied here.
 */
export function checkEnvelope(
  format: DocumentFormat,
  interchange: Interchange,
  identifiers: WireIdentifiers,
  settings: ExchangeSettings,
): Finding[] {
  const findings: Finding[] = [];
  const expectedSender = partnerParty(format.family, identifiers);
  if (interchange.sender) {
    if (!expectedSender)
      findings.push(
        envelopeError(
          'SENDER_NOT_CONFIGURED',
          `your exchange profile has no ${format.family} identifiers yet; the company's staff set them before documents are accepted`,
          interchange.sender.id,
        ),
      );
    else if (!sameParty(interchange.sender, expectedSender))
      findings.push(
        envelopeError(
          'UNKNOWN_SENDER',
          `the sender ${interchange.sender.qualifier ?? ''}:${interchange.sender.id.trim()} is not your identifier ${expectedSender.qualifier ?? ''}:${expectedSender.id}`,
          interchange.sender.id,
        ),
      );
  }
  const self = selfParty(format.family, settings);
  if (interchange.receiver && self && !sameParty(interchange.receiver, self))
    findings.push(
      envelopeError(
        'UNKNOWN_RECEIVER',
        `the receiver ${interchange.receiver.qualifier ?? ''}:${interchange.receiver.id.trim()} is not the company (${self.qualifier ?? ''}:${self.id})`,
        interchange.receiver.id,
      ),
    );
  return findings;
}

/**
 * The acknowledgement goes from the company to the partner with our own fresh control numbers. A partner
 * with no identifiers on file yet (one that sent before staff set its profile) is answered as its envelope
 * named itself, so its analyst still sees why it was refused.
 */
export async function acknowledgementEnvelope(
  tx: Queryable,
  answered: DocumentRow,
  format: DocumentFormat,
  interchange: Interchange,
  identifiers: WireIdentifiers,
  settings: ExchangeSettings,
): Promise<OutboundEnvelope> {
  const reserved = await reserveControlNumbers(tx, answered.partner_id, format.family, 1);
  const unnamed = { id: 'UNKNOWN' };
  const numbers = controlNumbers(reserved);
  return {
    sender: selfParty(format.family, settings) ?? interchange.receiver ?? unnamed,
    receiver: partnerParty(format.family, identifiers) ?? interchange.sender ?? unnamed,
    ...numbers,
    // JSON documents have no control numbers of ours: the acknowledgement names the answered document.
    ...(format.family === 'json' ? { interchangeControlNumber: answered.id } : {}),
    createdAt: new Date(),
    test: interchange.test,
  };
}
