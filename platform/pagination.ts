import { badInput } from './errors.ts';

const MAX_PAGE_SIZE = 500;
/** Longer than any sort key a list writes into its cursors (names, ids, timestamps). */
const MAX_PART_LENGTH = 1_000;

export interface Page<T> {
  nodes: T[];
  pageInfo: { endCursor: string | null; hasNextPage: boolean };
}

/**
 * What one part of a cursor's key holds, checked before it reaches a query: `text` any string without
 * control characters, `timestamp` an ISO 8601 instant as `toISOString` writes it, `integer` a
 * non-negative integer of at most 19 digits (a bigint sequence).
 */
export type CursorPart = 'text' | 'timestamp' | 'integer';

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$/;
// Control characters: PostgreSQL text cannot hold NUL, and no sort key contains any of them.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

function partIsValid(part: unknown, kind: CursorPart): part is string {
  if (typeof part !== 'string' || part.length > MAX_PART_LENGTH || CONTROL.test(part)) return false;
  switch (kind) {
    case 'text':
      return true;
    case 'timestamp':
      return ISO_INSTANT.test(part) && !Number.isNaN(Date.parse(part));
    case 'integer':
      return /^\d{1,19}$/.test(part);
  }
}

/** Keyset cursors: the sort key of the last row, opaque to clients. */
function encodeCursor(key: readonly string[]): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

/**
 * The key a cursor holds, each part checked against what the list sorts by (a number of parts means that
 * many `text` parts). Anything else, crafted or from another list, is BAD_USER_INPUT: no part reaches a
 * query it could make fail.
 */
export function decodeCursor(
  cursor: string | null | undefined,
  parts: number | readonly CursorPart[],
): string[] | null {
  if (cursor === null || cursor === undefined) return null;
  const kinds: readonly CursorPart[] =
    typeof parts === 'number' ? Array<CursorPart>(parts).fill('text') : parts;
  try {
    const key: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      Array.isArray(key) &&
      key.length === kinds.length &&
      key.every((part, index) => partIsValid(part, kinds[index]!))
    ) {
      return key;
    }
  } catch {
    // fall through to the error below
  }
  throw badInput('`after` is not a cursor this list returned');
}

export function pageSize(first: number | null | undefined): number {
  const size = first ?? 50;
  if (!Number.isInteger(size) || size < 1 || size > MAX_PAGE_SIZE) {
    throw badInput(`\`first\` must be between 1 and ${MAX_PAGE_SIZE}`);
  }
  return size;
}

/** Rows are fetched with one extra to tell whether another page follows. */
export function toPage<T>(rows: T[], size: number, keyOf: (row: T) => readonly string[]): Page<T> {
  const nodes = rows.slice(0, size);
  const last = nodes[nodes.length - 1];
  return {
    nodes,
    pageInfo: { endCursor: last ? encodeCursor(keyOf(last)) : null, hasNextPage: rows.length > size },
  };
}
