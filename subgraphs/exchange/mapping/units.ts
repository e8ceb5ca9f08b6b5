import { Decimal } from 'decimal.js';
import type { WireUnit } from '../formats/business.ts';

/**
 * Units as the company's items name them are UN/ECE Recommendation 20 codes (EA for each, KGM, MTR, TNE),
 * which EDIFACT and UBL use as they are. X12 element 355 has its own list; these are the codes partners
 * send for the units the catalog uses. A code that is not here is refused by name rather than guessed.
 */
const X12_TO_REC20: Readonly<Record<string, string>> = {
  EA: 'EA',
  PC: 'EA',
  UN: 'EA',
  KG: 'KGM',
  LB: 'LBR',
  GR: 'GRM',
  MR: 'MTR',
  FT: 'FOT',
  CM: 'CMT',
  LT: 'LTR',
  GA: 'GLL',
  TN: 'STN',
  MT: 'TNE',
  BX: 'BX',
  CA: 'CS',
  CT: 'CT',
  PL: 'PF',
  RL: 'RO',
  SF: 'FTK',
  SM: 'MTK',
  DZ: 'DZN',
  HR: 'HUR',
};

/** Recommendation 20 codes that mean "one of it": an item counted in EA accepts them as EA. */
const EACH = new Set(['EA', 'C62', 'H87', 'PCE', 'NMB']);

const REC20_TO_X12: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries(X12_TO_REC20)
    .filter(([x12, rec20]) => x12 !== 'PC' && x12 !== 'UN' && rec20 !== undefined)
    .map(([x12, rec20]) => [rec20, x12]),
);

/** The company's unit a wire unit means, or null when the code is not one we can convert. */
export function unitFromWire(unit: WireUnit): string | null {
  const code = unit.code.trim().toUpperCase();
  if (unit.codeList === 'X12') return X12_TO_REC20[code] ?? null;
  if (EACH.has(code)) return 'EA';
  return /^[A-Z0-9]{2,3}$/.test(code) ? code : null;
}

/** How a unit of ours is written in a family's code list. */
export function unitToWire(unit: string, codeList: WireUnit['codeList']): WireUnit {
  if (codeList === 'REC20') return { code: unit === 'EA' ? 'EA' : unit, codeList };
  return { code: REC20_TO_X12[unit] ?? unit, codeList };
}

/** Exact factors to a base unit per dimension (kilogram, metre, litre): only units we can convert exactly. */
const FACTORS: Readonly<Record<string, { base: string; factor: string }>> = {
  GRM: { base: 'KGM', factor: '0.001' },
  KGM: { base: 'KGM', factor: '1' },
  TNE: { base: 'KGM', factor: '1000' },
  LBR: { base: 'KGM', factor: '0.45359237' },
  MMT: { base: 'MTR', factor: '0.001' },
  CMT: { base: 'MTR', factor: '0.01' },
  MTR: { base: 'MTR', factor: '1' },
  KMT: { base: 'MTR', factor: '1000' },
  FOT: { base: 'MTR', factor: '0.3048' },
  MLT: { base: 'LTR', factor: '0.001' },
  LTR: { base: 'LTR', factor: '1' },
};

const same = (a: string, b: string) => a === b || (EACH.has(a) && EACH.has(b));

/**
 * The wire quantity in the item's unit, exactly (no float), or null when the units are of different kinds
 * or the result would need more than the 4 decimal places an order line holds.
 */
export function toItemUnit(quantity: string, wire: WireUnit, itemUnit: string): string | null {
  const ours = unitFromWire(wire);
  if (ours === null) return null;
  if (same(ours, itemUnit)) return quantity;
  const from = FACTORS[ours];
  const to = FACTORS[itemUnit];
  if (!from || !to || from.base !== to.base) return null;
  const converted = new Decimal(quantity).times(from.factor).dividedBy(to.factor);
  return converted.decimalPlaces() <= 4 ? converted.toFixed() : null;
}
