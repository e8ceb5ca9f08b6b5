import { badInput } from './errors.ts';

const MAX_PAGE_SIZE = 500;

export interface Page<T> {
  nodes: T[];
  pageInfo: { endCursor: string | null; hasNextPage: boolean };
}

/** Keyset cursors: the sort key of the last row, opaque to clients. */
function encodeCursor(key: readonly string[]): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

export function decodeCursor(cursor: string | null | undefined, parts: number): string[] | null {
  if (cursor === null || cursor === undefined) return null;
  try {
    const key: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(key) && key.length === parts && key.every((part) => typeof part === 'string')) {
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
