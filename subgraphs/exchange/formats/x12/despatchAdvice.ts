import type { DespatchAdviceDocument, DespatchLine, Lot, Package } from '../business.ts';
import { AK3, error } from './codes.ts';
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
import type { Segment } from './envelope.ts';
import type { Loop, Reader } from './reader.ts';
import { addDecimals, sameDecimal, x12Date } from './values.ts';

/**
 * 856 Ship Notice/Manifest, hierarchy Shipment > Order > Pack > Item (BSN05 0001); items may hang from the order
 * when nothing is packed. Convention for lots and serials: one item level (HL I) per lot, the lot in a LIN LT
 * pair with its SN1 quantity, DTM 036 expiry and DTM 094 production date; consecutive item levels of the same
 * order line (LIN01) in the same pack make one line. Serial numbers are REF SE in the line's first item level.
 * SN108 CC on every item says the order is complete (final), IB that more will follow.
 */

const TRACKING = ['2I', 'CN'];
const SSCC = /^(?:00)?(\d{18})$/;

interface Level {
  id: string;
  parent: string | undefined;
  code: string | undefined;
  loop: Loop;
}

function pair(reader: Reader, segment: Segment, qualifier: string, from: number): string[] {
  const values: string[] = [];
  for (let element = from; element < segment.elements.length; element += 2)
    if (reader.text(segment, element) === qualifier) {
      const value = reader.text(segment, element + 1);
      if (value) values.push(value);
    }
  return values;
}

function readPackage(reader: Reader, level: Level): Package | null {
  const man = reader.first('MAN', level.loop.body);
  const id = reader.text(man, 2);
  if (!man || !id) {
    reader.findings.push(
      error(
        'AK3',
        AK3.mandatoryMissing,
        'a pack level (HL P) needs a MAN with its package id',
        reader.at(level.loop.head),
      ),
    );
    return null;
  }
  const sscc = reader.text(man, 1) === 'GM' ? SSCC.exec(id) : null;
  const found: Package = { id: sscc ? sscc[1]! : id };
  const td1 = reader.first('TD1', level.loop.body);
  const type = reader.text(td1, 1);
  const weight = reader.decimal(td1, 7, 'TD107 weight');
  if (type) found.type = type;
  if (weight !== undefined)
    found.grossWeight = { value: weight, unit: x12Unit(reader.required(td1, 8, 'TD108 weight unit') ?? '') };
  return found;
}

export function readDespatchAdvice(reader: Reader): DespatchAdviceDocument | null {
  const bsn = reader.segment('BSN', 2);
  const number = reader.required(bsn, 2, 'BSN02 shipment identification');
  const issueDate = reader.date(bsn, 3, 'BSN03 date', true);
  const { before: header, loops } = reader.loops('HL', reader.segments, ['CTT', 'SE']);
  const levels = loops.map((loop): Level => ({
    id: reader.text(loop.head, 1) ?? '',
    parent: reader.text(loop.head, 2),
    code: reader.text(loop.head, 3),
    loop,
  }));
  const byId = new Map(levels.map((level) => [level.id, level]));
  const shipment = levels.find((level) => level.code === 'S');
  if (!shipment)
    reader.findings.push(
      error('AK3', AK3.mandatoryMissing, 'a ship notice needs a shipment level (HL S)', {
        segment: 'HL',
        position: 3,
      }),
    );
  const shipmentSegments = [...header, ...(shipment?.loop.body ?? [])];

  let orderNumber: string | undefined;
  for (const level of levels.filter((candidate) => candidate.code === 'O')) {
    const prf = reader.first('PRF', level.loop.body);
    const number = reader.text(prf, 1);
    if (prf && number && orderNumber && number !== orderNumber)
      reader.findings.push(
        error(
          'AK3',
          AK3.unexpected,
          `one ship notice answers one order: ${number} follows ${orderNumber}`,
          reader.at(prf, 1),
          number,
        ),
      );
    orderNumber ??= number;
  }
  if (!orderNumber)
    reader.findings.push(
      error('AK3', AK3.mandatoryMissing, 'the order level needs a PRF with the purchase order number', {
        segment: 'PRF',
      }),
    );

  const packages: Package[] = [];
  const packageOf = new Map<string, string>();
  for (const level of levels.filter((candidate) => candidate.code === 'P')) {
    const found = readPackage(reader, level);
    if (found) {
      packages.push(found);
      packageOf.set(level.id, found.id);
    }
  }
  const enclosingPackage = (level: Level): string | undefined => {
    const seen = new Set<string>();
    for (let parent = level.parent; parent && !seen.has(parent); parent = byId.get(parent)?.parent) {
      seen.add(parent);
      const id = packageOf.get(parent);
      if (id) return id;
    }
    return undefined;
  };

  const lines: DespatchLine[] = [];
  const statuses: string[] = [];
  const quantities = new Map<DespatchLine, string[]>();
  for (const level of levels.filter((candidate) => candidate.code === 'I')) {
    const lin = reader.segment('LIN', level.loop.head.position + 1, level.loop.body);
    const sn1 = reader.segment('SN1', level.loop.head.position + 2, level.loop.body);
    if (!lin || !sn1) continue;
    const lineNo = reader.lineNumber(lin, 1, 'LIN01 order line', lines.length + 1, true);
    const quantity = reader.decimal(sn1, 2, 'SN102 units shipped', true) ?? '0';
    const status = reader.text(sn1, 8);
    if (status) statuses.push(status);
    const packageId = enclosingPackage(level);
    const previous = lines[lines.length - 1];
    const line: DespatchLine =
      previous && previous.lineNo === lineNo && previous.packageId === packageId
        ? previous
        : {
            lineNo,
            item: readItem(reader, lin, 2, level.loop.body),
            quantity: '0',
            unit: x12Unit(reader.required(sn1, 3, 'SN103 unit') ?? ''),
            lots: [],
            serials: [],
            at: reader.at(lin),
          };
    if (line !== previous) {
      if (packageId) line.packageId = packageId;
      lines.push(line);
      quantities.set(line, []);
    }
    quantities.get(line)!.push(quantity);
    const [lotNumber] = pair(reader, lin, 'LT', 2);
    if (lotNumber) {
      const lot: Lot = { number: lotNumber, quantity };
      const expiry = reader.date(
        reader.qualified('DTM', 1, ['036'], level.loop.body),
        2,
        'DTM02 expiration date',
      );
      const production = reader.date(
        reader.qualified('DTM', 1, ['094'], level.loop.body),
        2,
        'DTM02 manufacture date',
      );
      if (expiry) lot.expiryDate = expiry;
      if (production) lot.productionDate = production;
      line.lots.push(lot);
    }
    line.serials.push(
      ...pair(reader, lin, 'SN', 2),
      ...reader
        .all('REF', level.loop.body)
        .filter((ref) => reader.text(ref, 1) === 'SE')
        .map((ref) => reader.text(ref, 2) ?? ''),
    );
  }
  for (const [line, parts] of quantities) line.quantity = addDecimals(parts);
  if (lines.length === 0)
    reader.findings.push(
      error('AK3', AK3.mandatoryMissing, 'a ship notice needs at least one item level (HL I)', {
        segment: 'HL',
      }),
    );

  if (!number || !issueDate || !orderNumber) return null;
  const document: DespatchAdviceDocument = {
    kind: 'DespatchAdvice',
    number,
    orderNumber,
    issueDate,
    buyer: readParty(reader, ['BY', 'ST'], shipmentSegments),
    seller: readParty(reader, ['SE', 'SU', 'VN', 'SF'], shipmentSegments),
    packages,
    lines,
  };
  const shippedAt = reader.date(
    reader.qualified('DTM', 1, ['011'], shipmentSegments),
    2,
    'DTM02 shipped date',
  );
  const expected = reader.date(
    reader.qualified('DTM', 1, ['017'], shipmentSegments),
    2,
    'DTM02 estimated delivery date',
  );
  const td5 = reader.first('TD5', shipmentSegments);
  const carrier = reader.text(td5, 3) ?? reader.text(td5, 5);
  const tracking = reader.text(reader.qualified('REF', 1, TRACKING, shipmentSegments), 2);
  if (shippedAt) document.shippedAt = shippedAt;
  if (expected) document.expectedDeliveryDate = expected;
  if (carrier) document.carrier = carrier;
  if (tracking) document.trackingNumber = tracking;
  if (statuses.length > 0 && statuses.every((status) => status === 'CC')) document.final = true;
  else if (statuses.includes('IB')) document.final = false;
  return document;
}

export function writeDespatchAdvice(notice: DespatchAdviceDocument, createdAt: Date): Out[] {
  const time = createdAt.toISOString().slice(11, 16).replace(':', '');
  const segments: Out[] = [out('BSN', '00', notice.number, x12Date(notice.issueDate), time, '0001')];
  let count = 0;
  const hl = (parent: string, code: string) => {
    count += 1;
    segments.push(out('HL', String(count), parent, code));
    return String(count);
  };
  const shipment = hl('', 'S');
  if (notice.carrier)
    segments.push(
      /^[A-Z]{2,4}$/.test(notice.carrier)
        ? out('TD5', '', '2', notice.carrier)
        : out('TD5', '', '', '', '', notice.carrier),
    );
  if (notice.trackingNumber) segments.push(out('REF', '2I', notice.trackingNumber));
  if (notice.shippedAt) segments.push(out('DTM', '011', x12Date(notice.shippedAt)));
  if (notice.expectedDeliveryDate) segments.push(out('DTM', '017', x12Date(notice.expectedDeliveryDate)));
  segments.push(...writeParty('BY', notice.buyer), ...writeParty('SE', notice.seller));
  const order = hl(shipment, 'O');
  segments.push(out('PRF', notice.orderNumber));

  const status = notice.final === true ? 'CC' : notice.final === false ? 'IB' : undefined;
  const writeLine = (line: DespatchLine, parent: string) => {
    const unit = unitCode(line.unit);
    if (
      line.lots.length > 0 &&
      !sameDecimal(addDecimals(line.lots.map((lot) => lot.quantity)), line.quantity)
    )
      throw new Error(
        `line ${line.lineNo}: its lots add up to ${addDecimals(line.lots.map((lot) => lot.quantity))}, not ${line.quantity}`,
      );
    const parts: (Lot | null)[] = line.lots.length > 0 ? line.lots : [null];
    parts.forEach((lot, index) => {
      hl(parent, 'I');
      segments.push(
        out('LIN', String(line.lineNo), ...itemPairs(line.item), ...(lot ? ['LT', lot.number] : [])),
      );
      segments.push(out('SN1', '', lot ? lot.quantity : line.quantity, unit, '', '', '', '', status));
      if (index === 0) segments.push(...describeItem(line.item));
      if (lot?.expiryDate) segments.push(out('DTM', '036', x12Date(lot.expiryDate)));
      if (lot?.productionDate) segments.push(out('DTM', '094', x12Date(lot.productionDate)));
      if (index === 0) segments.push(...line.serials.map((serial) => out('REF', 'SE', serial)));
    });
  };

  const known = new Set(notice.packages.map((found) => found.id));
  const stray = notice.lines.find((line) => line.packageId !== undefined && !known.has(line.packageId));
  if (stray)
    throw new Error(
      `line ${stray.lineNo} travels in package ${stray.packageId ?? ''}, which the notice does not list`,
    );
  for (const line of notice.lines.filter((candidate) => candidate.packageId === undefined))
    writeLine(line, order);
  for (const found of notice.packages) {
    const pack = hl(order, 'P');
    if (found.type || found.grossWeight)
      segments.push(
        out(
          'TD1',
          found.type,
          '1',
          '',
          '',
          '',
          found.grossWeight ? 'G' : '',
          found.grossWeight?.value,
          found.grossWeight ? unitCode(found.grossWeight.unit) : '',
        ),
      );
    segments.push(out('MAN', /^\d{18}$/.test(found.id) ? 'GM' : 'ZZ', found.id));
    for (const line of notice.lines.filter((candidate) => candidate.packageId === found.id))
      writeLine(line, pack);
  }
  segments.push(out('CTT', String(count)));
  return segments;
}
