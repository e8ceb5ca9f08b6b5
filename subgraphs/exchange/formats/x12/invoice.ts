import type { InvoiceDocument, InvoiceLine } from '../business.ts';
import { AK3, AK4, error } from './codes.ts';
import {
  describeItem,
  itemPairs,
  out,
  readCurrency,
  readItem,
  readParty,
  unitCode,
  writeParty,
  x12Unit,
  type Out,
} from './common.ts';
import type { Reader } from './reader.ts';
import { fromImplied2, toImplied2, x12Date } from './values.ts';

/**
 * 810 Invoice. IT101 is the order line billed; the invoice's own line number travels in REF FJ when it
 * differs from the line's position. Line tax is TXI with its percent (TXI03, 21 for 21%), the line amount PAM
 * with qualifier 1, the total TDS01 with two implied decimals, the subtotal AMT 1 and the tax total the
 * summary TXI02. BIG07 CR marks a credit memo.
 */
const TAX = 'VA';
const CREDIT = 'CR';

export function readInvoice(reader: Reader): InvoiceDocument | null {
  const big = reader.segment('BIG', 2);
  const {
    before: header,
    loops,
    after: summary,
  } = reader.loops('IT1', reader.segments, ['TDS', 'CTT', 'SE']);
  const issueDate = reader.date(big, 1, 'BIG01 invoice date', true);
  const number = reader.required(big, 2, 'BIG02 invoice number');
  const summaryTax = reader.qualified('TXI', 1, [TAX], summary) ?? reader.first('TXI', summary);
  const defaultRate = reader.decimal(summaryTax, 3, 'TXI03 tax percent');
  if (loops.length === 0)
    reader.findings.push(
      error('AK3', AK3.mandatoryMissing, 'an invoice needs at least one IT1 line', { segment: 'IT1' }),
    );
  const lines = loops.map(({ head, body }, index): InvoiceLine => {
    const tax = reader.qualified('TXI', 1, [TAX], body) ?? reader.first('TXI', body);
    const rate = reader.decimal(tax, 3, 'TXI03 tax percent') ?? defaultRate;
    const line: InvoiceLine = {
      lineNo: index + 1,
      orderLineNo: reader.lineNumber(head, 1, 'IT101 order line', index + 1, true),
      item: readItem(reader, head, 6, body),
      quantity: reader.decimal(head, 2, 'IT102 quantity invoiced', true) ?? '',
      unit: x12Unit(reader.required(head, 3, 'IT103 unit') ?? ''),
      unitPrice: reader.decimal(head, 4, 'IT104 unit price', true) ?? '',
      taxRate: rate ?? '0',
      at: reader.at(head),
    };
    const own = reader.qualified('REF', 1, ['FJ'], body);
    if (own) line.lineNo = reader.lineNumber(own, 2, 'REF02 line item control number', index + 1, false);
    const orderNumber = reader.text(reader.qualified('REF', 1, ['PO'], body), 2);
    const net = reader.decimal(reader.qualified('PAM', 4, ['1'], body), 5, 'PAM05 line amount');
    if (orderNumber) line.orderNumber = orderNumber;
    if (net !== undefined) line.netAmount = net;
    return line;
  });
  const tds = reader.segment('TDS', (loops.at(-1)?.body.at(-1)?.position ?? 2) + 1, summary);
  const totalText = reader.required(tds, 1, 'TDS01 total invoice amount');
  const total = totalText === undefined ? undefined : fromImplied2(totalText);
  if (tds && totalText !== undefined && total === null)
    reader.findings.push(
      error(
        'AK4',
        AK4.invalidCharacter,
        'TDS01 must be a whole number of cents (two implied decimals)',
        reader.at(tds, 1),
        totalText,
      ),
    );
  if (!issueDate || !number) return null;
  const document: InvoiceDocument = {
    kind: 'Invoice',
    creditNote: reader.text(big, 7) === CREDIT,
    number,
    issueDate,
    currency: readCurrency(reader, header),
    seller: readParty(reader, ['SE', 'SU', 'VN', 'RE', 'RI'], header),
    buyer: readParty(reader, ['BY', 'BT', 'ST'], header),
    lines,
  };
  const orderNumber = reader.text(big, 4);
  const due = reader
    .all('ITD', header)
    .map((itd) => reader.date(itd, 6, 'ITD06 net due date'))
    .find((date) => date !== undefined);
  const subtotal = reader.decimal(reader.qualified('AMT', 1, ['1'], summary), 2, 'AMT02 line item total');
  const taxTotal = reader.decimal(summaryTax, 2, 'TXI02 tax amount');
  if (orderNumber) document.orderNumber = orderNumber;
  if (due) document.dueDate = due;
  if (subtotal !== undefined) document.subtotal = subtotal;
  if (taxTotal !== undefined) document.taxTotal = taxTotal;
  if (total) document.total = total;
  return document;
}

export function writeInvoice(invoice: InvoiceDocument): Out[] {
  const segments: Out[] = [
    out(
      'BIG',
      x12Date(invoice.issueDate),
      invoice.number,
      '',
      invoice.orderNumber,
      '',
      '',
      invoice.creditNote ? CREDIT : 'DI',
    ),
    out('CUR', 'SE', invoice.currency),
    ...writeParty('SE', invoice.seller),
    ...writeParty('BY', invoice.buyer),
  ];
  if (invoice.dueDate) segments.push(out('ITD', '01', '3', '', '', '', x12Date(invoice.dueDate)));
  invoice.lines.forEach((line, index) => {
    segments.push(
      out(
        'IT1',
        String(line.orderLineNo),
        line.quantity,
        unitCode(line.unit),
        line.unitPrice,
        '',
        ...itemPairs(line.item),
      ),
    );
    segments.push(out('TXI', TAX, '', line.taxRate));
    if (line.netAmount !== undefined) segments.push(out('PAM', '', '', '', '1', line.netAmount));
    segments.push(...describeItem(line.item));
    if (line.lineNo !== index + 1) segments.push(out('REF', 'FJ', String(line.lineNo)));
    if (line.orderNumber) segments.push(out('REF', 'PO', line.orderNumber));
  });
  if (invoice.total === undefined)
    throw new Error(`invoice ${invoice.number}: an 810 carries its total (TDS01 is mandatory)`);
  segments.push(out('TDS', toImplied2(invoice.total)));
  if (invoice.taxTotal !== undefined) segments.push(out('TXI', TAX, invoice.taxTotal));
  if (invoice.subtotal !== undefined) segments.push(out('AMT', '1', invoice.subtotal));
  segments.push(out('CTT', String(invoice.lines.length)));
  return segments;
}
