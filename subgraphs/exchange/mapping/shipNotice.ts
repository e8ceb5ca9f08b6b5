import { Decimal } from 'decimal.js';
import type { DespatchAdviceDocument, Package, WireUnit } from '../formats/business.ts';
import { unitFromWire } from './units.ts';

/**
 * What a ship notice's lines and packages become in `shipOrder`: the order's lines once each (a line
 * packed in several packages arrives as several document lines), with its lots and serials, and each
 * package with what it holds. Quantities are the document's, already checked to be in the line's unit.
 */
export interface ShipLine {
  lineNo: number;
  quantity: string;
  lots?: { number: string; quantity: string; expiryDate?: string; productionDate?: string }[];
  serials?: string[];
}

/** Package types as X12 TD1 and other lists write them, in the UN/ECE Recommendation 21 codes orders keeps. */
const PACKAGE_TYPES: Readonly<Record<string, string>> = {
  CTN: 'CT',
  PLT: 'PX',
  BOX: 'BX',
  PKG: 'PK',
  BAG: 'BG',
};

const packageType = (type: string | undefined) => {
  const code = type?.slice(0, 3).toUpperCase();
  if (!code) return undefined;
  return code.length === 2 ? code : PACKAGE_TYPES[code];
};

const weightUnit = (unit: WireUnit) => unitFromWire(unit) ?? unit.code;

export function shipLines(document: DespatchAdviceDocument, quantities: readonly string[]): ShipLine[] {
  const byLine = new Map<number, ShipLine & { parts: string[] }>();
  document.lines.forEach((line, index) => {
    const entry = byLine.get(line.lineNo) ?? { lineNo: line.lineNo, quantity: '0', parts: [] };
    entry.parts.push(quantities[index]!);
    if (line.lots.length > 0)
      entry.lots = [
        ...(entry.lots ?? []),
        ...line.lots.map((lot) => ({
          number: lot.number,
          quantity: lot.quantity,
          ...(lot.expiryDate ? { expiryDate: lot.expiryDate } : {}),
          ...(lot.productionDate ? { productionDate: lot.productionDate } : {}),
        })),
      ];
    if (line.serials.length > 0) entry.serials = [...(entry.serials ?? []), ...line.serials];
    byLine.set(line.lineNo, entry);
  });
  return [...byLine.values()].map(({ parts, ...line }) => ({
    ...line,
    quantity: parts.reduce((total, part) => total.plus(part), new Decimal(0)).toFixed(),
  }));
}

export function shipPackages(document: DespatchAdviceDocument): Record<string, unknown>[] {
  return document.packages.map((pack: Package) => {
    const type = packageType(pack.type);
    return {
      packageId: pack.id,
      ...(type ? { type } : {}),
      ...(pack.grossWeight
        ? { grossWeight: { value: pack.grossWeight.value, unit: weightUnit(pack.grossWeight.unit) } }
        : {}),
      contents: document.lines
        .filter((line) => line.packageId === pack.id)
        .flatMap((line) =>
          line.lots.length > 0
            ? line.lots.map((lot) => ({ lineNo: line.lineNo, quantity: lot.quantity, lot: lot.number }))
            : [{ lineNo: line.lineNo, quantity: line.quantity }],
        ),
    };
  });
}
