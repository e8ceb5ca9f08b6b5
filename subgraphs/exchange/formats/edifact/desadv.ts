import type { DespatchAdviceDocument, DespatchLine, ItemIdentifiers, Lot, Package } from '../business.ts';
import { Code, error } from './codes.ts';
import { type Fields, lineNumber, readItemSegment } from './fields.ts';
import { buyer, identity, readHeader, seller } from './header.ts';
import { dtm, type Directory, type OutSegment } from './serializer.ts';
import { itemSegments, nad, qty } from './segments.ts';
import type { Segment } from './syntax.ts';

interface LineDraft {
  lin: Segment;
  lineNo?: number;
  orderLine?: number;
  orderNumber?: string;
  item: ItemIdentifiers;
  quantity?: NonNullable<ReturnType<Fields['quantity']>>;
  lots: (Partial<Lot> & { at: Segment })[];
  serials: string[];
  packageId?: string;
  /** Inside a PCI group: the lot its DTM, QTY and GIN BX belong to. */
  lot?: Partial<Lot> & { at: Segment };
}

/** GIN C208 identity numbers: the first component of elements 2 to 6. */
function identities(fields: Fields, gin: Segment): string[] {
  return [2, 3, 4, 5, 6].map((i) => fields.text(gin, i, 1)).filter((id) => id !== undefined);
}

function readLineSegment(fields: Fields, line: LineDraft, segment: Segment): void {
  readItemSegment(fields, segment, line.item);
  const qualifier = fields.text(segment, 1, 1);
  switch (segment.tag) {
    case 'QTY': {
      if (qualifier !== '12') break;
      const read = fields.quantity(segment);
      if (line.lot) line.lot.quantity ??= read?.quantity;
      else line.quantity ??= read;
      break;
    }
    case 'PCI':
      line.lot = { at: segment };
      line.lots.push(line.lot);
      break;
    case 'DTM':
      if (line.lot && qualifier === '36') line.lot.expiryDate ??= fields.date(segment);
      else if (line.lot && qualifier === '94') line.lot.productionDate ??= fields.date(segment);
      break;
    case 'GIN':
      if (qualifier === 'BN') line.serials.push(...identities(fields, segment));
      else if (qualifier === 'BX') {
        const [number] = identities(fields, segment);
        if (line.lot) line.lot.number ??= number;
        else line.lots.push({ number, at: segment });
      }
      break;
    case 'RFF': {
      const value = fields.text(segment, 1, 2);
      const lineRef = fields.text(segment, 1, 3);
      if (qualifier === 'ON') {
        line.orderNumber ??= value;
        if (lineRef !== undefined && /^\d+$/.test(lineRef)) line.orderLine ??= Number(lineRef);
      } else if (qualifier === 'LI' && value !== undefined && /^\d+$/.test(value))
        line.orderLine ??= Number(value);
      break;
    }
  }
}

function finishLine(fields: Fields, draft: LineDraft): DespatchLine | undefined {
  const lineNo = draft.orderLine ?? draft.lineNo;
  if (!draft.quantity)
    fields.missing('QTY', `despatch quantity (qualifier 12) on line ${lineNo ?? ''}`, draft.lin);
  const lots: Lot[] = [];
  for (const lot of draft.lots) {
    if (lot.number === undefined) {
      fields.missing('GIN', 'batch number (qualifier BX) for the lot', lot.at);
      continue;
    }
    // A single lot without its own quantity holds the whole line.
    const quantity = lot.quantity ?? (draft.lots.length === 1 ? draft.quantity?.quantity : undefined);
    if (quantity === undefined) {
      fields.findings.push(
        error(Code.MISSING, `lot ${lot.number} has no quantity (QTY 12)`, fields.at(lot.at), lot.number),
      );
      continue;
    }
    const read: Lot = { number: lot.number, quantity };
    if (lot.expiryDate !== undefined) read.expiryDate = lot.expiryDate;
    if (lot.productionDate !== undefined) read.productionDate = lot.productionDate;
    lots.push(read);
  }
  if (lineNo === undefined || !draft.quantity) return undefined;
  const line: DespatchLine = {
    lineNo,
    item: draft.item,
    ...draft.quantity,
    lots,
    serials: draft.serials,
    at: fields.at(draft.lin),
  };
  if (draft.packageId !== undefined) line.packageId = draft.packageId;
  return line;
}

/**
 * DESADV: BGM 351, DTM 137 / 11 (despatched) / 17 (expected delivery), RFF ON (the order) and CN or BM (the
 * tracking number), NAD BY/SU, TDT (the carrier in C040), then the CPS hierarchy: PAC with MEA (gross weight)
 * and GIN BJ (SSCC) per package, and LIN with PIA, QTY 12, GIN BN (serials), RFF ON (order and line) and a
 * PCI group per lot (GIN BX batch number, DTM 36 expiry, DTM 94 production, QTY 12).
 */
export function readDespatchAdvice(fields: Fields): DespatchAdviceDocument | null {
  const start = fields.body.findIndex((segment) => segment.tag === 'CPS' || segment.tag === 'LIN');
  const headerSegments = start < 0 ? fields.body : fields.body.slice(0, start);
  const header = readHeader(fields, headerSegments);
  const id = identity(fields, header);

  const packages: Package[] = [];
  const drafts: LineDraft[] = [];
  let levelPackages: string[] = [];
  let pending: Omit<Package, 'id'> | undefined;
  let line: LineDraft | undefined;
  for (const segment of start < 0 ? [] : fields.body.slice(start)) {
    const qualifier = fields.text(segment, 1, 1);
    if (segment.tag === 'CPS') {
      levelPackages = [];
      pending = undefined;
      line = undefined;
    } else if (segment.tag === 'LIN') {
      line = { lin: segment, item: {}, lots: [], serials: [] };
      readItemSegment(fields, segment, line.item);
      const lineNo = lineNumber(fields, segment);
      if (lineNo !== undefined) line.lineNo = lineNo;
      if (levelPackages.length === 1) line.packageId = levelPackages[0]!;
      drafts.push(line);
    } else if (line) readLineSegment(fields, line, segment);
    else if (segment.tag === 'PAC') {
      const type = fields.text(segment, 3, 1);
      pending = type === undefined ? {} : { type };
    } else if (segment.tag === 'MEA' && pending && ['AAB', 'G'].includes(fields.text(segment, 2, 1) ?? '')) {
      const value = fields.decimal(segment, 3, 2, 'gross weight (C174 6314)');
      const unit = fields.text(segment, 3, 1);
      if (value !== undefined && unit !== undefined)
        pending.grossWeight = { value, unit: { code: unit, codeList: 'REC20' } };
    } else if (segment.tag === 'GIN' && qualifier === 'BJ')
      for (const sscc of identities(fields, segment)) {
        packages.push({ id: sscc, ...pending });
        levelPackages.push(sscc);
      }
  }

  const order = header.references.get('ON')?.value ?? drafts.find((draft) => draft.orderNumber)?.orderNumber;
  if (order === undefined) fields.missing('RFF', 'order number (qualifier ON)', header.last);
  if (drafts.length === 0) fields.missing('LIN', 'line: a despatch advice ships something', header.last);
  const lines = drafts.map((draft) => finishLine(fields, draft)).filter((draft) => draft !== undefined);
  if (!id || order === undefined) return null;

  const document: DespatchAdviceDocument = {
    kind: 'DespatchAdvice',
    number: id.number,
    orderNumber: order,
    issueDate: id.issueDate,
    buyer: buyer(header),
    seller: seller(header),
    packages,
    lines,
  };
  const shipped = header.dates.get('11');
  if (shipped !== undefined) document.shippedAt = shipped;
  const expected = header.dates.get('17') ?? header.dates.get('132');
  if (expected !== undefined) document.expectedDeliveryDate = expected;
  const tracking = header.references.get('CN') ?? header.references.get('BM');
  if (tracking !== undefined) document.trackingNumber = tracking.value;
  const tdt = headerSegments.find((segment) => segment.tag === 'TDT');
  const carrier = tdt && (fields.text(tdt, 5, 4) ?? fields.text(tdt, 5, 1));
  if (carrier !== undefined) document.carrier = carrier;
  return document;
}

function lineSegments(
  line: DespatchLine,
  seq: number,
  orderNumber: string,
  directory: Directory,
): OutSegment[] {
  const out: OutSegment[] = [...itemSegments(seq, line.item, directory), qty('12', line.quantity, line.unit)];
  for (let i = 0; i < line.serials.length; i += 5) out.push(['GIN', 'BN', ...line.serials.slice(i, i + 5)]);
  out.push(['RFF', ['ON', orderNumber, String(line.lineNo)]]);
  for (const lot of line.lots) {
    out.push(['PCI', '36E']);
    if (lot.expiryDate) out.push(dtm('36', lot.expiryDate));
    if (lot.productionDate) out.push(dtm('94', lot.productionDate));
    out.push(qty('12', lot.quantity, line.unit), ['GIN', 'BX', lot.number]);
  }
  return out;
}

export function writeDespatchAdvice(advice: DespatchAdviceDocument, directory: Directory): OutSegment[] {
  const body: OutSegment[] = [['BGM', '351', advice.number, '9'], dtm('137', advice.issueDate)];
  if (advice.shippedAt) body.push(dtm('11', advice.shippedAt.slice(0, 10)));
  if (advice.expectedDeliveryDate) body.push(dtm('17', advice.expectedDeliveryDate));
  body.push(['RFF', ['ON', advice.orderNumber]]);
  if (advice.trackingNumber) body.push(['RFF', ['CN', advice.trackingNumber]]);
  body.push(nad('BY', advice.buyer), nad('SU', advice.seller));
  if (advice.carrier)
    body.push([
      'TDT',
      '20',
      undefined,
      undefined,
      undefined,
      [undefined, undefined, undefined, advice.carrier],
    ]);

  // CPS 1 is the whole consignment, holding the lines that travel unpacked; each package is a CPS below it.
  let seq = 0;
  const packed = new Set(advice.packages.map((pkg) => pkg.id));
  body.push(['CPS', '1']);
  for (const line of advice.lines)
    if (line.packageId === undefined || !packed.has(line.packageId))
      body.push(...lineSegments(line, ++seq, advice.orderNumber, directory));
  advice.packages.forEach((pkg, i) => {
    body.push(['CPS', String(i + 2), '1'], ['PAC', '1', undefined, pkg.type]);
    if (pkg.grossWeight) body.push(['MEA', 'PD', 'AAB', [pkg.grossWeight.unit.code, pkg.grossWeight.value]]);
    body.push(['PCI', '33E'], ['GIN', 'BJ', pkg.id]);
    for (const line of advice.lines)
      if (line.packageId === pkg.id) body.push(...lineSegments(line, ++seq, advice.orderNumber, directory));
  });
  body.push(['CNT', ['2', String(seq)]]);
  return body;
}
