import { X12Interchange, X12Segment, X12SerializationOptions } from 'node-x12';
import type { BusinessDocument } from '../business.ts';
import type { OutboundEnvelope } from '../types.ts';
import type { Out } from './common.ts';
import { writeDespatchAdvice } from './despatchAdvice.ts';
import { writeInvoice } from './invoice.ts';
import { writeOrderResponse } from './orderResponse.ts';
import { writePurchaseOrder } from './purchaseOrder.ts';
import type { X12Version } from './read.ts';

const SEPARATORS = { segment: '~', element: '*', component: '>', repetition: '^' };
const SPECIAL = /[~*>^]/g;

export interface OutboundSet {
  id: string;
  segments: Out[];
  /** ST03, the implementation convention (the 999 names its own). */
  convention?: string;
}

export interface OutboundGroup {
  functionalId: string;
  /** GS08; the version itself unless an implementation guide is named. */
  version: string;
  sets: OutboundSet[];
}

/** Separator characters cannot travel inside an element: free text loses them rather than break the interchange. */
const clean = (value: string) => value.replace(SPECIAL, ' ');

function controlNumber(value: string, width: number, what: string): string {
  if (!/^\d{1,9}$/.test(value) || value.length > width)
    throw new Error(`${what} must be 1 to ${width} digits, not "${value}"`);
  return value;
}

function options(): X12SerializationOptions {
  return new X12SerializationOptions({
    segmentTerminator: SEPARATORS.segment,
    elementDelimiter: SEPARATORS.element,
    subElementDelimiter: SEPARATORS.component,
    repetitionDelimiter: SEPARATORS.repetition,
  });
}

function isaElements(envelope: OutboundEnvelope, version: X12Version): string[] {
  const created = envelope.createdAt.toISOString();
  return [
    '00',
    '',
    '00',
    '',
    envelope.sender.qualifier ?? 'ZZ',
    envelope.sender.id,
    envelope.receiver.qualifier ?? 'ZZ',
    envelope.receiver.id,
    created.slice(2, 10).replaceAll('-', ''),
    created.slice(11, 16).replace(':', ''),
    version === '005010' ? SEPARATORS.repetition : 'U',
    version === '005010' ? '00501' : '00401',
    controlNumber(envelope.interchangeControlNumber, 9, 'the interchange control number').padStart(9, '0'),
    '0',
    envelope.test ? 'T' : 'P',
    SEPARATORS.component,
  ];
}

/**
 * One interchange written with node-x12, which keeps SE01, GE01 and IEA01 counting what was added and pads the
 * ISA to its fixed width. `interchangeSegments` go between ISA and the first GS (a TA1).
 */
export function writeInterchange(
  envelope: OutboundEnvelope,
  version: X12Version,
  groups: OutboundGroup[],
  interchangeSegments: Out[] = [],
): Buffer {
  const settings = options();
  const interchange = new X12Interchange(settings);
  interchange.setHeader(isaElements(envelope, version));
  const created = envelope.createdAt.toISOString();
  groups.forEach((outbound, groupIndex) => {
    const group = interchange.addFunctionalGroup(settings);
    group.setHeader([
      outbound.functionalId,
      clean(envelope.sender.id),
      clean(envelope.receiver.id),
      created.slice(0, 10).replaceAll('-', ''),
      created.slice(11, 16).replace(':', ''),
      // Groups of one interchange count on from the envelope's number, so no two share a GS06.
      String(Number(controlNumber(envelope.groupControlNumber, 9, 'the group control number')) + groupIndex),
      'X',
      outbound.version,
    ]);
    outbound.sets.forEach((set, index) => {
      const transaction = group.addTransaction();
      const number = controlNumber(envelope.messageControlNumber, 9, 'the message control number');
      // Several sets in one group (acknowledgements never need it; documents are one per interchange) count on.
      const own = String(Number(number) + index).padStart(Math.max(4, number.length), '0');
      transaction.setHeader(set.convention ? [set.id, own, set.convention] : [set.id, own]);
      for (const [tag, elements] of set.segments) transaction.addSegment(tag, elements.map(clean));
    });
  });
  let text = interchange.toString(settings);
  if (interchangeSegments.length > 0) {
    const header = interchange.header.toString(settings);
    const extra = interchangeSegments
      .map(([tag, elements]) =>
        new X12Segment(tag, settings).setElements(elements.map(clean)).toString(settings),
      )
      .join('');
    text = header + extra + text.slice(header.length);
  }
  return Buffer.from(text, 'utf8');
}

const FUNCTIONAL_ID: Record<BusinessDocument['kind'], [functionalId: string, set: string]> = {
  PurchaseOrder: ['PO', '850'],
  OrderResponse: ['PR', '855'],
  DespatchAdvice: ['SH', '856'],
  Invoice: ['IN', '810'],
};

function segmentsOf(document: BusinessDocument, createdAt: Date): Out[] {
  switch (document.kind) {
    case 'PurchaseOrder':
      return writePurchaseOrder(document);
    case 'OrderResponse':
      return writeOrderResponse(document);
    case 'DespatchAdvice':
      return writeDespatchAdvice(document, createdAt);
    case 'Invoice':
      return writeInvoice(document);
  }
}

/**
 * Documents in one interchange, one functional group per kind, their sets numbered on from the envelope's
 * message control number: how a partner's ERP batches a day's orders.
 */
export function writeDocuments(
  documents: readonly BusinessDocument[],
  envelope: OutboundEnvelope,
  version: X12Version,
): Buffer {
  const groups = new Map<string, OutboundGroup>();
  for (const document of documents) {
    const [functionalId, id] = FUNCTIONAL_ID[document.kind];
    const group = groups.get(functionalId) ?? { functionalId, version, sets: [] };
    group.sets.push({ id, segments: segmentsOf(document, envelope.createdAt) });
    groups.set(functionalId, group);
  }
  return writeInterchange(envelope, version, [...groups.values()]);
}

export function writeDocument(
  document: BusinessDocument,
  envelope: OutboundEnvelope,
  version: X12Version,
): Buffer {
  return writeDocuments([document], envelope, version);
}
