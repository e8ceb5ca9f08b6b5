import type { SqlValue } from './database.ts';

/**
 * What the main thread and the PGlite thread (pgliteThread.ts) say to each other: requests carry an id
 * their reply repeats; notifications of a channel someone listens on come unasked. Both ends import these
 * types, so a change to one side that the other does not follow fails to compile.
 */

export interface PgliteThreadData {
  /** A folder to keep the database in; none keeps it in memory. */
  dataDir: string | undefined;
}

export type PgliteRequest =
  /**
   * A statement in the transaction `tx`, or on its own when null: it then waits for the open transaction,
   * not for those waiting to begin (turns.ts).
   */
  | { id: number; kind: 'query'; tx: number | null; sql: string; params: readonly SqlValue[] }
  /**
   * Opens a transaction with its first statement, one round trip for both: the reply comes once the
   * transaction has begun and the statement has run, and its id names the transaction. A statement that
   * fails rolls the transaction back: nothing is left open.
   */
  | { id: number; kind: 'begin'; sql: string; params: readonly SqlValue[] }
  | { id: number; kind: 'end'; tx: number; commit: boolean }
  /** Listens on `channel`; `listener` names the listener in its notifications and in `unlisten`. */
  | { id: number; kind: 'listen'; channel: string; listener: number }
  | { id: number; kind: 'unlisten'; listener: number }
  | { id: number; kind: 'close' };

/** A database error's message and its fields (`code`, `detail`, `constraint`…), as PostgreSQL sent them. */
export interface WireError {
  message: string;
  fields: Record<string, string | number>;
}

/**
 * A statement's result with its json and jsonb columns still text: the receiving thread parses them, as
 * copying a string between threads costs far less than copying the object it holds.
 */
export interface WireResult {
  rows: Record<string, unknown>[];
  rowCount: number;
  jsonColumns: string[];
}

/** What each kind of request resolves to. */
export interface PgliteResults {
  query: WireResult;
  /** The transaction's id, and its first statement's result. */
  begin: { tx: number; result: WireResult };
  end: null;
  listen: null;
  unlisten: null;
  close: null;
}

export type PgliteReply =
  | { id: number; ok: true; result: PgliteResults[keyof PgliteResults] }
  | { id: number; ok: false; error: WireError }
  | { notification: number; payload: string };

/** The thread's first message: the database is open, or why it could not be. */
export type PgliteOpened = { opened: true } | { opened: false; error: WireError };

export function toWireError(error: unknown): WireError {
  if (!(error instanceof Error)) return { message: String(error), fields: {} };
  const fields: Record<string, string | number> = {};
  for (const [key, value] of Object.entries(error)) {
    if (typeof value === 'string' || typeof value === 'number') fields[key] = value;
  }
  return { message: error.message, fields };
}

/** An error PostgreSQL raised in the PGlite thread, with the same message and fields as there. */
export class PgliteError extends Error {
  declare readonly code?: string;

  constructor({ message, fields }: WireError) {
    super(message);
    Object.assign(this, fields);
    this.name = 'PgliteError';
  }
}
