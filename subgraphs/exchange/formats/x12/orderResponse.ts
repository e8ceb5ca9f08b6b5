import type { LineResponse, OrderResponseDocument, OrderResponseLine } from '../business.ts';
import {
  describeItem,
  itemPairs,
  out,
  readItem,
  readParty,
  unitCode,
  writeParty,
  x12Unit,
  type Out,
} from './common.ts';
import type { Reader } from './reader.ts';
import { x12Date } from './values.ts';

/** BAK02 acknowledgment type. */
const HEADER_STATUS: Record<string, OrderResponseDocument['status']> = {
  AD: 'ACCEPTED',
  AK: 'ACCEPTED',
  AT: 'ACCEPTED',
  AC: 'CHANGED',
  AE: 'CHANGED',
  RD: 'REJECTED',
  RJ: 'REJECTED',
  RF: 'REJECTED',
};

/** ACK01 line item status. */
const LINE_STATUS: Record<string, LineResponse> = {
  IA: 'ACCEPTED',
  AC: 'ACCEPTED',
  AR: 'ACCEPTED',
  IC: 'CHANGED',
  IQ: 'CHANGED',
  IP: 'CHANGED',
  IB: 'CHANGED',
  IS: 'CHANGED',
  DR: 'CHANGED',
  IR: 'REJECTED',
  ID: 'REJECTED',
};

/** ACK04 / DTM01 qualifiers of the date the seller commits to. */
const COMMITTED_DATE = ['067', '017', '002', '068'];
const NOTE_LENGTH = 264;

/** 855 Purchase Order Acknowledgment. */
export function readOrderResponse(reader: Reader): OrderResponseDocument | null {
  const bak = reader.segment('BAK', 2);
  const { before: header, loops } = reader.loops('PO1', reader.segments, ['CTT', 'SE']);
  const status = reader.code(bak, 2, 'BAK02 acknowledgment type', HEADER_STATUS);
  const orderNumber = reader.required(bak, 3, 'BAK03 purchase order number');
  const issueDate =
    reader.date(bak, 9, 'BAK09 acknowledgment date') ?? reader.date(bak, 4, 'BAK04 order date', true);
  const lines = loops.map(({ head, body }, index): OrderResponseLine => {
    const ack = reader.first('ACK', body);
    const lineStatus = ack ? reader.code(ack, 1, 'ACK01 line item status', LINE_STATUS) : 'ACCEPTED';
    const line: OrderResponseLine = {
      lineNo: reader.lineNumber(head, 1, 'PO101', index + 1, true),
      status: lineStatus ?? 'ACCEPTED',
      item: readItem(reader, head, 6, body),
      quantity:
        lineStatus === 'REJECTED'
          ? '0'
          : (reader.decimal(ack, 2, 'ACK02 quantity') ??
            reader.decimal(head, 2, 'PO102 quantity', true) ??
            ''),
      unit: x12Unit(reader.text(ack, 3) ?? reader.required(head, 3, 'PO103 unit') ?? ''),
      at: reader.at(head),
    };
    const date = COMMITTED_DATE.includes(reader.text(ack, 4) ?? '')
      ? reader.date(ack, 5, 'ACK05 date')
      : reader.date(reader.qualified('DTM', 1, COMMITTED_DATE, body), 2, 'DTM02 date');
    if (date) line.date = date;
    return line;
  });
  if (!bak || !status || !orderNumber || !issueDate) return null;
  const document: OrderResponseDocument = {
    kind: 'OrderResponse',
    number: reader.text(bak, 8) ?? orderNumber,
    orderNumber,
    issueDate,
    status,
    buyer: readParty(reader, ['BY', 'BT', 'ST'], header),
    seller: readParty(reader, ['SE', 'SU', 'VN'], header),
    lines,
  };
  // MSG carries 264 characters: a longer note is split over several, so they are joined as written.
  const note = reader
    .all('MSG', header)
    .map((msg) => msg.elements[0] ?? '')
    .join('')
    .trim();
  const sellerOrderNumber = reader.text(reader.qualified('REF', 1, ['VN'], header), 2);
  if (note) document.note = note;
  if (sellerOrderNumber) document.sellerOrderNumber = sellerOrderNumber;
  return document;
}

const BAK02: Record<OrderResponseDocument['status'], [withLines: string, without: string]> = {
  ACCEPTED: ['AD', 'AK'],
  CHANGED: ['AC', 'AC'],
  REJECTED: ['RD', 'RJ'],
};

const ACK01: Record<LineResponse, string> = { ACCEPTED: 'IA', CHANGED: 'IC', REJECTED: 'IR' };

export function writeOrderResponse(response: OrderResponseDocument): Out[] {
  const date = x12Date(response.issueDate);
  const type = BAK02[response.status][response.lines.length > 0 ? 0 : 1];
  const segments: Out[] = [
    out('BAK', '00', type, response.orderNumber, date, '', '', '', response.number, date),
  ];
  if (response.sellerOrderNumber) segments.push(out('REF', 'VN', response.sellerOrderNumber));
  if (response.note) {
    segments.push(out('N9', 'L1', 'NOTE'));
    for (let at = 0; at < response.note.length; at += NOTE_LENGTH)
      segments.push(out('MSG', response.note.slice(at, at + NOTE_LENGTH)));
  }
  segments.push(...writeParty('BY', response.buyer), ...writeParty('SE', response.seller));
  for (const line of response.lines) {
    const unit = unitCode(line.unit);
    segments.push(out('PO1', String(line.lineNo), line.quantity, unit, '', '', ...itemPairs(line.item)));
    segments.push(...describeItem(line.item));
    segments.push(
      out(
        'ACK',
        ACK01[line.status],
        line.quantity,
        unit,
        line.date ? '067' : '',
        line.date ? x12Date(line.date) : '',
      ),
    );
  }
  segments.push(out('CTT', String(response.lines.length)));
  return segments;
}
