import type { LineResponse, OrderResponseDocument, OrderResponseLine } from '../business.ts';
import { type Fields, lineNumber, readItemSegment } from './fields.ts';
import { buyer, identity, readHeader, sections, seller } from './header.ts';
import { uniqueLines } from './orders.ts';
import { dtm, type Directory, type OutSegment } from './serializer.ts';
import { itemSegments, nad, qty } from './segments.ts';
import type { Segment } from './syntax.ts';

/** BGM 4343 response type: 29 accepted without amendment, 4 changed, 27 not accepted (and their older synonyms). */
const DOCUMENT_STATUS: Record<string, LineResponse> = {
  '29': 'ACCEPTED',
  AP: 'ACCEPTED',
  '4': 'CHANGED',
  CA: 'CHANGED',
  '27': 'REJECTED',
  RE: 'REJECTED',
};
const DOCUMENT_CODE: Record<LineResponse, string> = { ACCEPTED: '29', CHANGED: '4', REJECTED: '27' };

/** LIN 1229 action: 5 accepted without amendment, 3 changed (6 accepted with amendment), 7 not accepted. */
const LINE_STATUS: Record<string, LineResponse> = {
  '5': 'ACCEPTED',
  '3': 'CHANGED',
  '6': 'CHANGED',
  '7': 'REJECTED',
};
const LINE_CODE: Record<LineResponse, string> = { ACCEPTED: '5', CHANGED: '3', REJECTED: '7' };

function readLine(fields: Fields, segments: readonly Segment[]): OrderResponseLine | undefined {
  const lin = segments[0]!;
  const lineNo = lineNumber(fields, lin);
  const item = {};
  const quantities = new Map<string, NonNullable<ReturnType<Fields['quantity']>>>();
  let date: string | undefined;
  for (const segment of segments) {
    readItemSegment(fields, segment, item);
    if (segment.tag === 'QTY') {
      const qualifier = fields.text(segment, 1, 1);
      const read =
        qualifier !== undefined && !quantities.has(qualifier) ? fields.quantity(segment) : undefined;
      if (qualifier !== undefined && read) quantities.set(qualifier, read);
    } else if (segment.tag === 'DTM' && ['2', '69', '17'].includes(fields.text(segment, 1, 1) ?? ''))
      date ??= fields.date(segment);
  }
  // What the seller commits to: the quantity to be delivered (113), else the quantity it repeats (21).
  const committed = quantities.get('113') ?? quantities.get('21') ?? quantities.get('12');
  const action = fields.text(lin, 2, 1);
  let status = action === undefined ? undefined : LINE_STATUS[action];
  if (action !== undefined && status === undefined)
    fields.invalid(
      lin,
      2,
      1,
      'line action (1229) is not 5 (accepted), 3 (changed) or 7 (not accepted)',
      action,
    );
  if (action === undefined && committed) {
    // Without an action code the quantities say it: nothing committed is a rejection, a different one a change.
    const ordered = quantities.get('21');
    status =
      Number(committed.quantity) === 0
        ? 'REJECTED'
        : ordered && quantities.has('113') && ordered.quantity !== committed.quantity
          ? 'CHANGED'
          : 'ACCEPTED';
  }
  if (!committed && status !== 'REJECTED')
    fields.missing('QTY', `committed quantity (113) on line ${lineNo ?? ''}`, lin);
  if (lineNo === undefined || status === undefined || (!committed && status !== 'REJECTED')) return undefined;
  const line: OrderResponseLine = {
    lineNo,
    status,
    item,
    quantity: status === 'REJECTED' ? '0' : committed!.quantity,
    unit: committed?.unit ?? { code: 'C62', codeList: 'REC20' },
    at: fields.at(lin),
  };
  if (date !== undefined) line.date = date;
  return line;
}

/**
 * ORDRSP: BGM 231 with the response type in 4343, RFF ON (the buyer's order) and VN (the seller's), FTX for
 * the reason, then LIN with the action in 1229, QTY 113 (to be delivered) and DTM 2 for each line answered.
 */
export function readOrderResponse(fields: Fields): OrderResponseDocument | null {
  const parts = sections(fields.body);
  const header = readHeader(fields, parts.header);
  const id = identity(fields, header);
  const order = header.references.get('ON');
  if (order === undefined) fields.missing('RFF', 'order number (qualifier ON)', header.last);
  const status = header.responseType === undefined ? undefined : DOCUMENT_STATUS[header.responseType];
  if (header.bgm && status === undefined) {
    if (header.responseType === undefined) fields.required(header.bgm, 4, 1, 'response type (4343)');
    else fields.invalid(header.bgm, 4, 1, 'response type (4343) is not 29, 4 or 27', header.responseType);
  }
  const lines = uniqueLines(
    fields,
    parts.lines.map((line) => readLine(fields, line)).filter((line) => line !== undefined),
  );
  if (!id || order === undefined || status === undefined) return null;
  const document: OrderResponseDocument = {
    kind: 'OrderResponse',
    number: id.number,
    orderNumber: order.value,
    issueDate: id.issueDate,
    status,
    buyer: buyer(header),
    seller: seller(header),
    lines,
  };
  const sellerOrder = header.references.get('VN');
  if (sellerOrder !== undefined) document.sellerOrderNumber = sellerOrder.value;
  if (header.notes.length > 0) document.note = header.notes.join(' ');
  return document;
}

export function writeOrderResponse(response: OrderResponseDocument, directory: Directory): OutSegment[] {
  const body: OutSegment[] = [
    ['BGM', '231', response.number, '9', DOCUMENT_CODE[response.status]],
    dtm('137', response.issueDate),
  ];
  // FTX C108 carries five an..70 texts; the reader joins them without a separator.
  if (response.note) {
    const text = response.note;
    body.push([
      'FTX',
      'AAI',
      undefined,
      undefined,
      [0, 1, 2, 3, 4].map((i) => text.slice(i * 70, i * 70 + 70)),
    ]);
  }
  body.push(['RFF', ['ON', response.orderNumber]]);
  if (response.sellerOrderNumber) body.push(['RFF', ['VN', response.sellerOrderNumber]]);
  body.push(nad('BY', response.buyer), nad('SU', response.seller));
  for (const line of response.lines) {
    body.push(...itemSegments(line.lineNo, line.item, directory, LINE_CODE[line.status]));
    body.push(qty('113', line.status === 'REJECTED' ? '0' : line.quantity, line.unit));
    if (line.date) body.push(dtm('2', line.date));
  }
  body.push(['UNS', 'S'], ['CNT', ['2', String(response.lines.length)]]);
  return body;
}
