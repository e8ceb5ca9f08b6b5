import { Decimal } from 'decimal.js';
import type { PurchaseOrderDocument, PurchaseOrderLine } from '../business.ts';
import { Code, error, warning } from './codes.ts';
import { type Fields, lineNumber, readItemSegment } from './fields.ts';
import { buyer, type Header, identity, readHeader, sections, seller } from './header.ts';
import { dtm, type Directory, type OutSegment } from './serializer.ts';
import { itemSegments, nad, qty } from './segments.ts';
import type { Segment } from './syntax.ts';

/** PRI C509 (5125 qualifier, 5118 price, 5284 unit price basis): AAA net, else AAB gross, per one unit. */
export function unitPrice(fields: Fields, line: readonly Segment[]): string | undefined {
  const prices = line.filter((segment) => segment.tag === 'PRI');
  const pri =
    prices.find((p) => fields.text(p, 1, 1) === 'AAA') ?? prices.find((p) => fields.text(p, 1, 1) === 'AAB');
  if (!pri) return undefined;
  const price = fields.decimal(pri, 1, 2, 'price (C509 5118)');
  const basis = fields.text(pri, 1, 5);
  if (price === undefined || basis === undefined || basis === '1') return price;
  if (!/^\d+([.,]\d+)?$/.test(basis) || Number(basis.replace(',', '.')) === 0) {
    fields.invalid(pri, 1, 5, 'unit price basis (5284) is not a positive number', basis);
    return undefined;
  }
  return new Decimal(price).div(basis.replace(',', '.')).toFixed();
}

/** The currency of CUX C504 6345; without one the partner agreement's currency applies, which is resolved later. */
export function currency(fields: Fields, header: Header): string {
  if (header.currency !== undefined) return header.currency;
  fields.findings.push(
    warning(
      Code.MISSING,
      'no CUX: the currency of the partner agreement applies',
      fields.after('CUX', header.last),
    ),
  );
  return '';
}

function readLine(fields: Fields, segments: readonly Segment[]): PurchaseOrderLine | undefined {
  const lin = segments[0]!;
  const lineNo = lineNumber(fields, lin);
  const item = {};
  let ordered: ReturnType<Fields['quantity']>;
  let fallback: ReturnType<Fields['quantity']>;
  let requestedDate: string | undefined;
  for (const segment of segments) {
    readItemSegment(fields, segment, item);
    if (segment.tag === 'QTY') {
      const qualifier = fields.text(segment, 1, 1);
      if (qualifier === '21') ordered ??= fields.quantity(segment);
      else if (qualifier === '1') fallback ??= fields.quantity(segment);
    } else if (segment.tag === 'DTM' && ['2', '69'].includes(fields.text(segment, 1, 1) ?? ''))
      requestedDate ??= fields.date(segment);
  }
  const quantity = ordered ?? fallback;
  if (!quantity) fields.missing('QTY', `ordered quantity (qualifier 21) on line ${lineNo ?? ''}`, lin);
  if (lineNo === undefined || !quantity) return undefined;
  const line: PurchaseOrderLine = { lineNo, item, ...quantity, at: fields.at(lin) };
  const price = unitPrice(fields, segments);
  if (price !== undefined) line.unitPrice = price;
  if (requestedDate !== undefined) line.requestedDate = requestedDate;
  return line;
}

/** Duplicate line numbers would make two order lines one; each repeat is a finding. */
export function uniqueLines<T extends { lineNo: number; at?: { position?: number } }>(
  fields: Fields,
  lines: T[],
): T[] {
  const seen = new Set<number>();
  return lines.filter((line) => {
    if (!seen.has(line.lineNo)) {
      seen.add(line.lineNo);
      return true;
    }
    fields.findings.push(
      error(
        Code.DUPLICATE,
        `line ${line.lineNo} appears twice`,
        { ...line.at, element: 1, component: 1 },
        String(line.lineNo),
      ),
    );
    return false;
  });
}

/** ORDERS: BGM 220, DTM 137 and 2, NAD BY/SU, CUX, then LIN with PIA, IMD, QTY 21, DTM 2 and PRI AAA. */
export function readOrders(fields: Fields): PurchaseOrderDocument | null {
  const parts = sections(fields.body);
  const header = readHeader(fields, parts.header);
  const id = identity(fields, header);
  const money = currency(fields, header);
  if (parts.lines.length === 0) fields.missing('LIN', 'line: an order orders something', header.last);
  const lines = uniqueLines(
    fields,
    parts.lines.map((line) => readLine(fields, line)).filter((line) => line !== undefined),
  );
  if (!id) return null;
  const document: PurchaseOrderDocument = {
    kind: 'PurchaseOrder',
    number: id.number,
    issueDate: id.issueDate,
    currency: money,
    buyer: buyer(header),
    seller: seller(header),
    lines,
  };
  const requested = header.dates.get('2');
  if (requested !== undefined) document.requestedDate = requested;
  return document;
}

export function writeOrders(order: PurchaseOrderDocument, directory: Directory): OutSegment[] {
  const body: OutSegment[] = [['BGM', '220', order.number, '9'], dtm('137', order.issueDate)];
  if (order.requestedDate) body.push(dtm('2', order.requestedDate));
  body.push(nad('BY', order.buyer), nad('SU', order.seller));
  if (order.currency) body.push(['CUX', ['2', order.currency, '9']]);
  for (const line of order.lines) {
    body.push(...itemSegments(line.lineNo, line.item, directory), qty('21', line.quantity, line.unit));
    if (line.requestedDate) body.push(dtm('2', line.requestedDate));
    if (line.unitPrice !== undefined) body.push(['PRI', ['AAA', line.unitPrice]]);
  }
  body.push(['UNS', 'S'], ['CNT', ['2', String(order.lines.length)]]);
  return body;
}
