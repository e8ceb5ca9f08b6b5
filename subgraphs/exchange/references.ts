import { parse } from 'csv-parse/sync';
import type { Principal } from '../../platform/auth/principal.ts';
import type { Queryable } from '../../platform/db/database.ts';
import { badInput, forbidden, notFound } from '../../platform/errors.ts';
import { isManagingStaff } from './access.ts';
import { partyExists } from './store/profiles.ts';
import {
  listReferences,
  removeReferences,
  upsertReferences,
  type ItemReferenceRow,
  type ReferenceKind,
} from './store/references.ts';

export interface ReferenceImport {
  imported: number;
  references: ItemReferenceRow[];
}

const KINDS: readonly ReferenceKind[] = ['BUYER_PART', 'VENDOR_PART', 'GTIN'];
const CODE = /^[\x21-\x7e][\x20-\x7e]{0,47}$/;
const MAX_ROWS = 50_000;

/** A GTIN-8, -12, -13 or -14 with its GS1 check digit right. */
function isGtin(value: string): boolean {
  if (!/^(\d{8}|\d{12,14})$/.test(value)) return false;
  const digits = [...value].map(Number);
  const check = digits.pop()!;
  const sum = digits.reverse().reduce((total, digit, index) => total + digit * (index % 2 === 0 ? 3 : 1), 0);
  return (10 - (sum % 10)) % 10 === check;
}

function rowsOf(csv: string): { kind: ReferenceKind; value: string; sku: string }[] {
  let records: string[][];
  try {
    const read: unknown = parse(csv, { skip_empty_lines: true, trim: true, relax_column_count: false });
    records = read as string[][];
  } catch (error) {
    throw badInput(`the CSV cannot be read: ${(error as Error).message}`, { field: 'csv' });
  }
  const [header, ...rows] = records;
  if (!header || header.map((cell) => cell.toLowerCase()).join(',') !== 'kind,value,sku')
    throw badInput('the CSV must start with the header kind,value,sku', { field: 'csv' });
  if (rows.length > MAX_ROWS) throw badInput(`at most ${MAX_ROWS} rows per import`, { field: 'csv' });
  const seen = new Map<string, string>();
  return rows.map(([kind = '', value = '', sku = ''], index) => {
    const line = index + 2;
    const upper = kind.toUpperCase();
    if (!(KINDS as readonly string[]).includes(upper))
      throw badInput(`line ${line}: kind "${kind}" is not one of ${KINDS.join(', ')}`, { field: 'csv' });
    if (!CODE.test(value))
      throw badInput(`line ${line}: "${value}" is not a code (1 to 48 printable characters)`, {
        field: 'csv',
      });
    if (upper === 'GTIN' && !isGtin(value))
      throw badInput(
        `line ${line}: "${value}" is not a GTIN (8, 12, 13 or 14 digits with a valid check digit)`,
        { field: 'csv' },
      );
    if (!CODE.test(sku)) throw badInput(`line ${line}: "${sku}" is not a SKU`, { field: 'csv' });
    const key = `${upper}:${value}`;
    const earlier = seen.get(key);
    if (earlier !== undefined && earlier !== sku)
      throw badInput(`line ${line}: ${upper} ${value} is mapped to both ${earlier} and ${sku}`, {
        field: 'csv',
      });
    seen.set(key, sku);
    return { kind: upper as ReferenceKind, value, sku };
  });
}

/**
 * Staff import how a partner names our items. The whole file applies or none of it, and an unknown SKU is
 * not checked here: a code that names no item is refused by the order it arrives on, naming the line.
 */
export async function importItemReferences(
  tx: Queryable,
  principal: Principal,
  partnerId: string,
  csv: string,
  replace: boolean,
): Promise<ReferenceImport> {
  if (!isManagingStaff(principal)) throw forbidden("item cross-references are kept by the company's staff");
  if (!(await partyExists(tx, partnerId))) throw notFound('partner', partnerId);
  const rows = rowsOf(csv);
  if (replace) await removeReferences(tx, partnerId);
  await upsertReferences(tx, partnerId, rows);
  return { imported: rows.length, references: await listReferences(tx, partnerId) };
}
