import type { ShippedLotFacts, ShippedPackageFacts } from '../../../platform/events/contract.ts';
import { badInput } from '../../../platform/errors.ts';
import { parseDate, parseQuantity, requireText, type TextRule } from '../../../platform/input.ts';
import { Decimal } from '../../../platform/money.ts';
import type { LotInput, PackageInput, ShipmentLineInput } from '../generated/resolvers.ts';

/**
 * What a ship notice says beyond quantities, as X12 856, EDIFACT DESADV and UBL Despatch Advice carry it:
 * the lots and serial numbers of each line, and the packages the goods travel in. Checked against the
 * lines the shipment carries; every refusal names the field by its path in `ShipOrderInput`.
 */

/** A line of the shipment as the command parsed it. */
export interface ShippedLine {
  lineNo: number;
  sku: string;
  unit: string;
  quantity: Decimal;
}

export interface LineDetails {
  lots: ShippedLotFacts[];
  serials: string[];
}

export interface ShipNoticeDetails {
  /** By line number; every shipped line has an entry, empty when the seller gave nothing. */
  lines: Map<number, LineDetails>;
  packages: ShippedPackageFacts[];
}

/** Lot numbers, serial numbers and package marks: one line, nothing invisible, as labels print them. */
const CODE: TextRule = { max: 80, name: true };

/** UN/ECE rec. 20 units in which one unit is one article, so a serial number names one unit. */
const COUNTED_UNITS = new Set(['EA', 'C62', 'H87', 'PCE', 'NAR', 'SET']);
const WEIGHT_UNITS = new Set(['KGM', 'GRM', 'TNE', 'LBR', 'ONZ']);
/** UN/ECE rec. 21 package type codes are two characters: PX pallet, CT carton, BX box. */
const PACKAGE_TYPE = /^[0-9A-Z]{2}$/;

export function parseShipNoticeDetails(
  inputLines: readonly ShipmentLineInput[],
  packages: readonly PackageInput[] | null | undefined,
  shipped: readonly ShippedLine[],
): ShipNoticeDetails {
  const byLineNo = new Map(shipped.map((line) => [line.lineNo, line]));
  const lines = new Map<number, LineDetails>(shipped.map((line) => [line.lineNo, { lots: [], serials: [] }]));
  const serialsBySku = new Map<string, Set<string>>();
  inputLines.forEach((input, index) => {
    const line = byLineNo.get(input.lineNo)!;
    const field = `lines[${index}]`;
    const serials = parseSerials(input.serials ?? [], line, field);
    const seen = serialsBySku.get(line.sku) ?? new Set<string>();
    serials.forEach((serial, position) => {
      if (seen.has(serial)) {
        throw badInput(`serial number ${serial} of ${line.sku} is given twice`, {
          field: `${field}.serials[${position}]`,
        });
      }
      seen.add(serial);
    });
    serialsBySku.set(line.sku, seen);
    lines.set(line.lineNo, { lots: parseLots(input.lots ?? [], line, field), serials });
  });
  return { lines, packages: parsePackages(packages ?? [], byLineNo, lines) };
}

function parseLots(inputs: readonly LotInput[], line: ShippedLine, field: string): ShippedLotFacts[] {
  if (inputs.length === 0) return [];
  const numbers = new Set<string>();
  let total = new Decimal(0);
  const lots = inputs.map((lot, index): ShippedLotFacts => {
    const at = `${field}.lots[${index}]`;
    const number = requireText(lot.number, `${at}.number`, CODE);
    if (numbers.has(number)) {
      throw badInput(`lot ${number} is given twice on line ${line.lineNo}`, { field: `${at}.number` });
    }
    numbers.add(number);
    const quantity = parseQuantity(lot.quantity, `${at}.quantity`);
    total = total.plus(quantity);
    const expiryDate = optionalDate(lot.expiryDate, `${at}.expiryDate`);
    const productionDate = optionalDate(lot.productionDate, `${at}.productionDate`);
    if (expiryDate !== null && productionDate !== null && productionDate > expiryDate) {
      throw badInput(`lot ${number} expires (${expiryDate}) before it was produced (${productionDate})`, {
        field: `${at}.expiryDate`,
      });
    }
    return { number, quantity: quantity.toString(), expiryDate, productionDate };
  });
  if (!total.eq(line.quantity)) {
    throw badInput(
      `line ${line.lineNo}: the lots add up to ${total.toString()} ${line.unit}, not the ${line.quantity.toString()} shipped`,
      { field: `${field}.lots` },
    );
  }
  return lots;
}

function parseSerials(inputs: readonly string[], line: ShippedLine, field: string): string[] {
  const serials = inputs.map((serial, index) => requireText(serial, `${field}.serials[${index}]`, CODE));
  if (serials.length > 0 && COUNTED_UNITS.has(line.unit) && !line.quantity.eq(serials.length)) {
    throw badInput(
      `line ${line.lineNo}: ${serials.length} serial number${serials.length === 1 ? '' : 's'} for ` +
        `${line.quantity.toString()} ${line.unit}; give one per unit shipped`,
      { field: `${field}.serials` },
    );
  }
  return serials;
}

function parsePackages(
  inputs: readonly PackageInput[],
  shipped: ReadonlyMap<number, ShippedLine>,
  lines: ReadonlyMap<number, LineDetails>,
): ShippedPackageFacts[] {
  const ids = new Set<string>();
  // What the packages hold so far, per line and per line and lot, against what was shipped.
  const packed = new Map<string, Decimal>();
  const add = (key: string, quantity: Decimal) => {
    const total = (packed.get(key) ?? new Decimal(0)).plus(quantity);
    packed.set(key, total);
    return total;
  };
  return inputs.map((input, index) => {
    const at = `packages[${index}]`;
    const packageId = parsePackageId(input.packageId, `${at}.packageId`);
    if (ids.has(packageId)) {
      throw badInput(`package ${packageId} is given twice`, { field: `${at}.packageId` });
    }
    ids.add(packageId);
    if (input.contents.length === 0) {
      throw badInput(`package ${packageId} holds nothing: give what it holds`, { field: `${at}.contents` });
    }
    const contents = input.contents.map((content, position) => {
      const where = `${at}.contents[${position}]`;
      const line = shipped.get(content.lineNo);
      if (!line) {
        throw badInput(`line ${content.lineNo} is not on this shipment`, { field: `${where}.lineNo` });
      }
      const quantity = parseQuantity(content.quantity, `${where}.quantity`);
      const lot =
        content.lot === null || content.lot === undefined
          ? null
          : requireText(content.lot, `${where}.lot`, CODE);
      const declared = lot === null ? undefined : lines.get(line.lineNo)!.lots.find((l) => l.number === lot);
      if (lot !== null && !declared) {
        throw badInput(`line ${line.lineNo} has no lot ${lot}`, { field: `${where}.lot` });
      }
      if (add(`${line.lineNo}`, quantity).gt(line.quantity)) {
        throw badInput(
          `the packages hold more of line ${line.lineNo} than the ${line.quantity.toString()} ${line.unit} shipped`,
          { field: `${where}.quantity` },
        );
      }
      if (declared && add(`${line.lineNo}:${declared.number}`, quantity).gt(declared.quantity)) {
        throw badInput(
          `the packages hold more of lot ${declared.number} than its ${declared.quantity} ${line.unit}`,
          { field: `${where}.quantity` },
        );
      }
      return { lineNo: line.lineNo, quantity: quantity.toString(), lot };
    });
    return {
      packageId,
      type: parsePackageType(input.type, `${at}.type`),
      grossWeight: input.grossWeight
        ? {
            value: parseQuantity(input.grossWeight.value, `${at}.grossWeight.value`).toString(),
            unit: parseWeightUnit(input.grossWeight.unit, `${at}.grossWeight.unit`),
          }
        : null,
      contents,
    };
  });
}

/** An 18-digit mark is an SSCC (GS1 AI 00), and its last digit must check; other marks are labels. */
function parsePackageId(value: string, field: string): string {
  const id = requireText(value, field, CODE);
  if (/^\d{18}$/.test(id) && gs1CheckDigit(id.slice(0, 17)) !== Number(id[17])) {
    throw badInput(`${id} is not a valid SSCC: its check digit should be ${gs1CheckDigit(id.slice(0, 17))}`, {
      field,
    });
  }
  return id;
}

/** GS1 mod 10: weights 3 and 1 alternate from the rightmost digit, which weighs 3. */
export function gs1CheckDigit(digits: string): number {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    const weight = (digits.length - i) % 2 === 1 ? 3 : 1;
    sum += Number(digits[i]) * weight;
  }
  return (10 - (sum % 10)) % 10;
}

function parsePackageType(value: string | null | undefined, field: string): string | null {
  if (value === null || value === undefined) return null;
  const type = value.trim().toUpperCase();
  if (!PACKAGE_TYPE.test(type)) {
    throw badInput(`${field} must be a UN/ECE rec. 21 package type such as PX, CT or BX, not "${value}"`, {
      field,
    });
  }
  return type;
}

function parseWeightUnit(value: string, field: string): string {
  const unit = value.trim().toUpperCase();
  if (!WEIGHT_UNITS.has(unit)) {
    throw badInput(`${field} must be one of ${[...WEIGHT_UNITS].join(', ')}, not "${value}"`, { field });
  }
  return unit;
}

function optionalDate(value: string | null | undefined, field: string): string | null {
  return value === null || value === undefined ? null : parseDate(value, field);
}
