import type { BusinessDocument } from '../business.ts';
import type { Finding, Interchange, Message, MessageBody } from '../types.ts';
import { AK5, error } from './codes.ts';
import { readDespatchAdvice } from './despatchAdvice.ts';
import { walkEnvelope, type FunctionalGroup, type TransactionSet } from './envelope.ts';
import { readFunctionalAcknowledgement, readInterchangeAcknowledgements } from './acknowledgementIn.ts';
import { readInvoice } from './invoice.ts';
import { readOrderResponse } from './orderResponse.ts';
import { readPurchaseOrder } from './purchaseOrder.ts';
import { Reader } from './reader.ts';
import { tokenize } from './syntax.ts';
import { isoDate } from './values.ts';

export type X12Version = '004010' | '005010';

const BUSINESS: Record<string, (reader: Reader) => BusinessDocument | null> = {
  '850': readPurchaseOrder,
  '855': readOrderResponse,
  '856': readDespatchAdvice,
  '810': readInvoice,
};
const ACKNOWLEDGEMENTS = ['997', '999'];
export const SUPPORTED_SETS = [...Object.keys(BUSINESS), ...ACKNOWLEDGEMENTS];

function bodyOf(
  set: TransactionSet,
  componentSeparator: string,
): { body: MessageBody | null; findings: Finding[] } {
  const reader = new Reader(set.segments, componentSeparator);
  const business = BUSINESS[set.id];
  try {
    if (business) {
      const document = business(reader);
      return { body: document ? { kind: 'business', document } : null, findings: reader.findings };
    }
    if (ACKNOWLEDGEMENTS.includes(set.id)) {
      const verdicts = readFunctionalAcknowledgement(reader);
      return { body: verdicts ? { kind: 'acknowledgement', verdicts } : null, findings: reader.findings };
    }
  } catch (failure) {
    return {
      body: null,
      findings: [
        ...reader.findings,
        error(
          'AK5',
          AK5.segmentsInError,
          `transaction set ${set.id} cannot be read: ${(failure as Error).message}`,
        ),
      ],
    };
  }
  return {
    body: null,
    findings: [
      error(
        'AK5',
        AK5.notSupported,
        `transaction set ${set.id} is not supported; supported: ${SUPPORTED_SETS.join(', ')}`,
        { segment: 'ST', position: 1, element: 1 },
        set.id,
      ),
    ],
  };
}

function messageOf(group: FunctionalGroup, set: TransactionSet, componentSeparator: string): Message {
  const { body, findings } = bodyOf(set, componentSeparator);
  return {
    documentType: set.id || null,
    controlNumber: set.controlNumber || null,
    group: { functionalId: group.functionalId, controlNumber: group.controlNumber, version: group.version },
    body,
    // A group's problems reject each of its transaction sets; they come first, as the acknowledgement reads them.
    findings: [...group.findings, ...set.findings, ...findings],
  };
}

function versionOf(
  groups: readonly FunctionalGroup[],
  isaVersion: string | undefined,
  fallback: X12Version,
): X12Version {
  for (const group of groups) {
    const version = group.version.slice(0, 6);
    if (version === '004010' || version === '005010') return version;
  }
  if (isaVersion === '00401') return '004010';
  if (isaVersion === '00501') return '005010';
  return fallback;
}

/** ISA09 and ISA10 as an ISO date and time (the TA1 answering the interchange repeats them). */
function preparedAt(date: string, time: string): string | undefined {
  const day = isoDate(date);
  return day && /^\d{4}$/.test(time) ? `${day}T${time.slice(0, 2)}:${time.slice(2)}` : undefined;
}

/** Reads an interchange: envelope first, then every transaction set on its own. Never throws. */
export function readInterchange(content: Buffer, fallback: X12Version): Interchange {
  const tokens = tokenize(content);
  const interchange: Interchange = {
    formatId: `x12-${fallback}`,
    sender: tokens.isa ? { qualifier: tokens.isa.senderQualifier, id: tokens.isa.sender } : null,
    receiver: tokens.isa ? { qualifier: tokens.isa.receiverQualifier, id: tokens.isa.receiver } : null,
    controlNumber: tokens.isa?.controlNumber ?? null,
    test: tokens.isa?.test ?? false,
    preparedAt: tokens.isa ? preparedAt(tokens.isa.date, tokens.isa.time) : undefined,
    findings: [...tokens.findings],
    messages: [],
  };
  if (!tokens.isa || !tokens.separators || tokens.segments.length === 0) return interchange;
  const envelope = walkEnvelope(tokens.isa, tokens.segments);
  interchange.formatId = `x12-${versionOf(envelope.groups, tokens.isa.version, fallback)}`;
  interchange.findings.push(...envelope.findings);
  const verdicts = readInterchangeAcknowledgements(envelope.interchangeSegments);
  if (verdicts.length > 0)
    interchange.messages.push({
      documentType: 'TA1',
      controlNumber: verdicts[0]!.interchangeControlNumber,
      body: { kind: 'acknowledgement', verdicts },
      findings: [],
    });
  for (const group of envelope.groups)
    for (const set of group.transactions)
      interchange.messages.push(messageOf(group, set, tokens.separators.component));
  return interchange;
}
