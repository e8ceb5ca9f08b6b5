import { Decimal } from 'decimal.js';
import type { InvoiceDocument, InvoiceLine } from '../business.ts';
import { type Fields, lineNumber, readItemSegment } from './fields.ts';
import { buyer, identity, readHeader, sections, seller } from './header.ts';
import { currency, uniqueLines, unitPrice } from './orders.ts';
import { dtm, type Directory, type OutSegment } from './serializer.ts';
import { itemSegments, nad, qty } from './segments.ts';
import type { Segment } from './syntax.ts';

/** TAX C243 5278: the rate of the first TAX segment among `segments`. */
function taxRate(fields: Fields, segments: readonly Segment[]): string | undefined {
  const tax = segments.find((segment) => segment.tag === 'TAX' && fields.text(segment, 5, 4) !== undefined);
  return tax && fields.decimal(tax, 5, 4, 'tax rate (C243 5278)');
}

function amounts(fields: Fields, segments: readonly Segment[], qualifier: string): string[] {
  return segments
    .filter((segment) => segment.tag === 'MOA' && fields.text(segment, 1, 1) === qualifier)
    .map((segment) => fields.decimal(segment, 1, 2, `amount ${qualifier} (C516 5004)`))
    .filter((amount) => amount !== undefined);
}

function readLine(
  fields: Fields,
  segments: readonly Segment[],
  headerRate: string | undefined,
): InvoiceLine | undefined {
  const lin = segments[0]!;
  const lineNo = lineNumber(fields, lin);
  const item = {};
  let invoiced: ReturnType<Fields['quantity']>;
  let orderNumber: string | undefined;
  let orderLine: number | undefined;
  for (const segment of segments) {
    readItemSegment(fields, segment, item);
    const qualifier = fields.text(segment, 1, 1);
    if (segment.tag === 'QTY' && qualifier === '47') invoiced ??= fields.quantity(segment);
    else if (segment.tag === 'RFF') {
      const value = fields.text(segment, 1, 2);
      if (qualifier === 'ON') {
        orderNumber ??= value;
        const ref = fields.text(segment, 1, 3);
        if (ref !== undefined && /^\d+$/.test(ref)) orderLine ??= Number(ref);
      } else if (qualifier === 'LI' && value !== undefined && /^\d+$/.test(value)) orderLine = Number(value);
    }
  }
  const price = unitPrice(fields, segments);
  const rate = taxRate(fields, segments) ?? headerRate;
  if (!invoiced) fields.missing('QTY', `invoiced quantity (qualifier 47) on line ${lineNo ?? ''}`, lin);
  if (price === undefined) fields.missing('PRI', `net price (qualifier AAA) on line ${lineNo ?? ''}`, lin);
  if (rate === undefined) fields.missing('TAX', `VAT rate (C243 5278) on line ${lineNo ?? ''}`, lin);
  if (lineNo === undefined || !invoiced || price === undefined || rate === undefined) return undefined;
  const line: InvoiceLine = {
    lineNo,
    orderLineNo: orderLine ?? lineNo,
    item,
    ...invoiced,
    unitPrice: price,
    taxRate: rate,
    at: fields.at(lin),
  };
  if (orderNumber !== undefined) line.orderNumber = orderNumber;
  const [net] = amounts(fields, segments, '203');
  if (net !== undefined) line.netAmount = net;
  return line;
}

/**
 * INVOIC: BGM 380 (invoice) or 381 (credit note), DTM 137 and 13 (due), RFF ON, NAD SU/BY, CUX, then LIN with
 * PIA, QTY 47, MOA 203, PRI AAA, RFF ON/LI (order and its line) and TAX 7 VAT with the rate; after UNS the
 * totals MOA 79 (lines), 124 or 176 (tax) and 86 (payable).
 */
export function readInvoice(fields: Fields): InvoiceDocument | null {
  const parts = sections(fields.body);
  const header = readHeader(fields, parts.header);
  const id = identity(fields, header);
  const money = currency(fields, header);
  if (
    header.bgm &&
    header.documentCode !== undefined &&
    !['380', '381', '383', '384'].includes(header.documentCode)
  )
    fields.invalid(
      header.bgm,
      1,
      1,
      'document name (1001) is not 380 (invoice) or 381 (credit note)',
      header.documentCode,
    );
  if (parts.lines.length === 0) fields.missing('LIN', 'line: an invoice bills something', header.last);
  const headerRate = taxRate(fields, parts.header);
  const lines = uniqueLines(
    fields,
    parts.lines.map((line) => readLine(fields, line, headerRate)).filter((line) => line !== undefined),
  );
  if (!id) return null;
  const document: InvoiceDocument = {
    kind: 'Invoice',
    creditNote: header.documentCode === '381',
    number: id.number,
    issueDate: id.issueDate,
    currency: money,
    seller: seller(header),
    buyer: buyer(header),
    lines,
  };
  const due = header.dates.get('13');
  if (due !== undefined) document.dueDate = due;
  const order = header.references.get('ON');
  if (order !== undefined) document.orderNumber = order.value;
  const [subtotal] = amounts(fields, parts.summary, '79');
  if (subtotal !== undefined) document.subtotal = subtotal;
  // One MOA 124 per rate in the TAX groups, or MOA 176 for them all.
  const [allTax] = amounts(fields, parts.summary, '176');
  const taxes = amounts(fields, parts.summary, '124');
  if (allTax !== undefined) document.taxTotal = allTax;
  else if (taxes.length > 0)
    document.taxTotal = taxes.reduce((sum, tax) => sum.plus(tax), new Decimal(0)).toFixed();
  const [total] = [...amounts(fields, parts.summary, '86'), ...amounts(fields, parts.summary, '77')];
  if (total !== undefined) document.total = total;
  return document;
}

export function writeInvoice(invoice: InvoiceDocument, directory: Directory): OutSegment[] {
  const body: OutSegment[] = [
    ['BGM', invoice.creditNote ? '381' : '380', invoice.number, '9'],
    dtm('137', invoice.issueDate),
  ];
  if (invoice.orderNumber) body.push(['RFF', ['ON', invoice.orderNumber]]);
  body.push(nad('SU', invoice.seller), nad('BY', invoice.buyer));
  if (invoice.currency) body.push(['CUX', ['2', invoice.currency, '4']]);
  if (invoice.dueDate) body.push(['PAT', '1'], dtm('13', invoice.dueDate));
  for (const line of invoice.lines) {
    body.push(...itemSegments(line.lineNo, line.item, directory), qty('47', line.quantity, line.unit));
    if (line.netAmount !== undefined) body.push(['MOA', ['203', line.netAmount]]);
    body.push(['PRI', ['AAA', line.unitPrice]]);
    if (line.orderNumber) body.push(['RFF', ['ON', line.orderNumber]]);
    body.push(['RFF', ['LI', String(line.orderLineNo)]]);
    body.push(['TAX', '7', 'VAT', undefined, undefined, [undefined, undefined, undefined, line.taxRate]]);
  }
  body.push(['UNS', 'S'], ['CNT', ['2', String(invoice.lines.length)]]);
  if (invoice.total !== undefined) body.push(['MOA', ['86', invoice.total]]);
  if (invoice.subtotal !== undefined) body.push(['MOA', ['79', invoice.subtotal]]);
  if (invoice.taxTotal !== undefined) body.push(['MOA', ['124', invoice.taxTotal]]);
  return body;
}
