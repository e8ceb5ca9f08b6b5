import { Decimal } from 'decimal.js';
import type { BusinessDocument } from '../formats/business.ts';

const DECIMAL = /^-?\d+(\.\d+)?$/;

/** Where a value was read is not part of what it says; a decimal is its value, not its spelling. */
function normalise(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(normalise);
  if (typeof value === 'string') return DECIMAL.test(value) ? new Decimal(value).toFixed() : value;
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key, field]) => key !== 'at' && field !== undefined)
      .filter(([, field]) => !(Array.isArray(field) && field.length === 0))
      .map(([key, field]) => [key, normalise(field)]),
  );
}

function firstDifference(a: unknown, b: unknown, path: string): string | null {
  if (typeof a !== typeof b || Array.isArray(a) !== Array.isArray(b))
    return `${path || 'document'}: ${JSON.stringify(a)} became ${JSON.stringify(b)}`;
  if (a === null || b === null || typeof a !== 'object')
    return a === b ? null : `${path || 'document'}: ${JSON.stringify(a)} became ${JSON.stringify(b)}`;
  const left = a as Record<string, unknown>;
  const right = b as Record<string, unknown>;
  for (const key of new Set([...Object.keys(left), ...Object.keys(right)])) {
    const found = firstDifference(left[key], right[key], path ? `${path}.${key}` : key);
    if (found) return found;
  }
  return null;
}

/**
 * A party's country and tax numbers are addressing detail some families have no element for (an X12 N1
 * names a party by name and one id): they are written where the family can, and not compared.
 */
function withoutAddressing(document: BusinessDocument): BusinessDocument {
  const bare = <P extends { country?: string; ids?: string[] }>({ country: _c, ids: _i, ...party }: P) =>
    party;
  return { ...document, buyer: bare(document.buyer), seller: bare(document.seller) };
}

/** Null when the document read back says what was written; otherwise where it first differs. */
export function sameDocument(written: BusinessDocument, read: BusinessDocument): string | null {
  return firstDifference(normalise(withoutAddressing(written)), normalise(withoutAddressing(read)), '');
}
