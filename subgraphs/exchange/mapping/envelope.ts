import type { Queryable } from '../../../platform/db/database.ts';
import type { DocumentFormat, OutboundEnvelope, WireParty } from '../formats/types.ts';
import type { ExchangeSettings } from '../settings.ts';
import type { WireIdentifiers } from '../store/profiles.ts';

type Family = DocumentFormat['family'];

const peppolParty = (participant: string | null | undefined): WireParty | null => {
  const separator = participant?.indexOf(':') ?? -1;
  if (!participant || separator < 0) return null;
  return { qualifier: participant.slice(0, separator), id: participant.slice(separator + 1) };
};

/** How a partner is named in a family's envelopes, from its profile; null when staff have not set it. */
export function partnerParty(family: Family, identifiers: WireIdentifiers): WireParty | null {
  switch (family) {
    case 'x12':
      return identifiers.x12Id
        ? { qualifier: identifiers.x12Qualifier ?? 'ZZ', id: identifiers.x12Id }
        : null;
    case 'edifact':
      return identifiers.edifactId
        ? {
            id: identifiers.edifactId,
            ...(identifiers.edifactQualifier ? { qualifier: identifiers.edifactQualifier } : {}),
          }
        : null;
    case 'peppol':
      return peppolParty(identifiers.peppolParticipantId);
    case 'json':
      return null;
  }
}

export function selfParty(family: Family, settings: ExchangeSettings): WireParty | null {
  const self = settings.self;
  switch (family) {
    case 'x12':
      return { qualifier: self.x12Qualifier, id: self.x12Id };
    case 'edifact':
      return { qualifier: self.edifactQualifier, id: self.edifactId };
    case 'peppol':
      return peppolParty(self.peppolId);
    case 'json':
      return null;
  }
}

/** Wire identifiers compare without padding (ISA06 is space-padded to 15) and without case. */
export function sameParty(found: WireParty, expected: WireParty): boolean {
  const norm = (value: string | undefined) => (value ?? '').trim().toUpperCase();
  if (norm(found.id) !== norm(expected.id)) return false;
  return !found.qualifier || !expected.qualifier || norm(found.qualifier) === norm(expected.qualifier);
}

/**
 * Reserves `count` consecutive control numbers for a partner in a family and returns the first. The row
 * lock serialises writers to one partner only; a number is taken inside the transaction that stores the
 * document, so a rollback gives it back and a committed document never shares one.
 */
export async function reserveControlNumbers(
  tx: Queryable,
  partnerId: string,
  family: Family,
  count: number,
): Promise<number> {
  const { last_value: last } = await tx.one<{ last_value: string }>(
    `INSERT INTO exchange.control_counter (partner_id, family, last_value) VALUES ($1, $2, $3)
     ON CONFLICT (partner_id, family) DO UPDATE SET last_value = exchange.control_counter.last_value + $3
     RETURNING last_value`,
    [partnerId, family, count],
  );
  return Number(last) - count + 1;
}

/** An envelope from the company to the partner with fresh control numbers: interchange, group, message. */
export async function outboundEnvelope(
  tx: Queryable,
  partnerId: string,
  format: DocumentFormat,
  identifiers: WireIdentifiers,
  settings: ExchangeSettings,
  test: boolean,
): Promise<OutboundEnvelope | string> {
  const sender = selfParty(format.family, settings);
  const receiver = partnerParty(format.family, identifiers);
  if (!sender || !receiver)
    return `the partner's profile has no ${format.family} identifiers: staff set them in its exchange profile`;
  const first = await reserveControlNumbers(tx, partnerId, format.family, 1);
  return { sender, receiver, ...controlNumbers(first), createdAt: new Date(), test };
}

/** One reserved number written as each level wants it: ISA13 is 9 digits, ST02 at least 4. */
export function controlNumbers(
  reserved: number,
): Pick<OutboundEnvelope, 'interchangeControlNumber' | 'groupControlNumber' | 'messageControlNumber'> {
  return {
    interchangeControlNumber: String(reserved).padStart(9, '0'),
    groupControlNumber: String(reserved),
    messageControlNumber: String(reserved).padStart(4, '0'),
  };
}
