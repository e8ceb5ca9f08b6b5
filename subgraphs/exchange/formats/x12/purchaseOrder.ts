import type { PurchaseOrderDocument, PurchaseOrderLine } from '../business.ts';
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
import { x12Date } from './values.ts';

/** 850 Purchase Order. */
export function readPurchaseOrder(reader: Reader): PurchaseOrderDocument | null {
  const beg = reader.segment('BEG', 2);
  const { before: header, loops } = reader.loops('PO1', reader.segments, ['CTT', 'AMT', 'SE']);
  if (loops.length === 0)
    reader.findings.push({
      severity: 'ERROR',
      code: 'AK3-3',
      message: 'an order needs at least one PO1 line',
      at: { segment: 'PO1' },
    });
  const number = reader.required(beg, 3, 'BEG03 purchase order number');
  const issueDate = reader.date(beg, 5, 'BEG05 order date', true);
  const lines = loops.map(({ head, body }, index): PurchaseOrderLine => {
    const line: PurchaseOrderLine = {
      lineNo: reader.lineNumber(head, 1, 'PO101', index + 1, false),
      item: readItem(reader, head, 6, body),
      quantity: reader.decimal(head, 2, 'PO102 quantity', true) ?? '',
      unit: x12Unit(reader.required(head, 3, 'PO103 unit') ?? ''),
      at: reader.at(head),
    };
    const unitPrice = reader.decimal(head, 4, 'PO104 unit price');
    const requested = reader.date(
      reader.qualified('DTM', 1, ['002'], body),
      2,
      'DTM02 requested delivery date',
    );
    if (unitPrice !== undefined) line.unitPrice = unitPrice;
    if (requested) line.requestedDate = requested;
    return line;
  });
  if (!number || !issueDate) return null;
  const document: PurchaseOrderDocument = {
    kind: 'PurchaseOrder',
    number,
    issueDate,
    currency: readCurrency(reader, header),
    buyer: readParty(reader, ['BY', 'BT', 'ST'], header),
    seller: readParty(reader, ['SE', 'SU', 'VN'], header),
    lines,
  };
  const requested = reader.date(
    reader.qualified('DTM', 1, ['002'], header),
    2,
    'DTM02 requested delivery date',
  );
  if (requested) document.requestedDate = requested;
  return document;
}

export function writePurchaseOrder(order: PurchaseOrderDocument): Out[] {
  const segments: Out[] = [
    out('BEG', '00', 'SA', order.number, '', x12Date(order.issueDate)),
    out('CUR', 'BY', order.currency),
  ];
  if (order.requestedDate) segments.push(out('DTM', '002', x12Date(order.requestedDate)));
  segments.push(...writeParty('BY', order.buyer), ...writeParty('SE', order.seller));
  for (const line of order.lines) {
    segments.push(
      out(
        'PO1',
        String(line.lineNo),
        line.quantity,
        unitCode(line.unit),
        line.unitPrice,
        '',
        ...itemPairs(line.item),
      ),
    );
    segments.push(...describeItem(line.item));
    if (line.requestedDate) segments.push(out('DTM', '002', x12Date(line.requestedDate)));
  }
  segments.push(out('CTT', String(order.lines.length)));
  return segments;
}
