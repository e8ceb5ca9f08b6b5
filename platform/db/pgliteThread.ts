import { mkdir } from 'node:fs/promises';
import { parentPort, workerData } from 'node:worker_threads';
import { PGlite, types } from '@electric-sql/pglite';
import type { SqlValue } from './database.ts';
import {
  toWireError,
  type PgliteOpened,
  type PgliteReply,
  type PgliteRequest,
  type PgliteResults,
  type PgliteThreadData,
  type WireResult,
} from './pgliteWire.ts';
import { PreparedStatements, type StatementPlace } from './pgliteStatements.ts';
import { Turns } from './turns.ts';

/**
 * The PGlite thread: it owns the database and runs what the main thread asks (pglite.ts), so PostgreSQL's
 * work runs on a core of its own beside the code that serves requests.
 */

const port = parentPort;
if (!port) throw new Error('pgliteThread.ts runs in a worker thread');
const { dataDir } = workerData as PgliteThreadData;

const asText = (value: string) => value;
/**
 * int8 comes back as text on both engines, so cursors and counts never lose precision; json stays text
 * until the main thread reads it (WireResult).
 */
const parsers = { [types.INT8]: asText, [types.JSON]: asText, [types.JSONB]: asText };
const JSON_TYPES = new Set<number>([types.JSON, types.JSONB]);

const send = (message: PgliteReply | PgliteOpened) => port.postMessage(message);

let pg: PGlite;
let statements: PreparedStatements;
try {
  if (dataDir) await mkdir(dataDir, { recursive: true });
  pg = await PGlite.create(dataDir ?? 'memory://', { parsers });
  statements = new PreparedStatements(pg);
  send({ opened: true });
} catch (error) {
  send({ opened: false, error: toWireError(error) });
  process.exit(1);
}

/** Open transactions, each with the release of PGlite's transaction lock it holds. */
const transactions = new Map<number, () => void>();
let nextTransaction = 1;
const listeners = new Map<number, () => Promise<void>>();
const turns = new Turns();

/**
 * Runs a statement on its own, in the open transaction, or as the first of a transaction it begins: the
 * thread runs one transaction at a time (`turns`), so a statement of a transaction runs inside it.
 */
async function run(sql: string, params: readonly SqlValue[], where: StatementPlace): Promise<WireResult> {
  const result = await statements.run(sql, params, where);
  return {
    rows: result.rows,
    // PGlite reports affectedRows 0 for SELECT; pg counts the rows it returned.
    rowCount: result.rows.length > 0 ? result.rows.length : (result.affectedRows ?? 0),
    jsonColumns: result.fields.filter((field) => JSON_TYPES.has(field.dataTypeID)).map((field) => field.name),
  };
}

/**
 * PGlite's transaction lock, held from a transaction's begin to its end: PGlite's own statements (those
 * of LISTEN and UNLISTEN) wait for it, rather than joining a transaction that may roll them back.
 */
function transactionLock(): Promise<() => void> {
  return new Promise((acquired) => {
    void pg._runExclusiveTransaction(() => new Promise<void>((release) => acquired(release)));
  });
}

/** Begins a transaction with its first statement, in one call into PostgreSQL. */
async function begin(sql: string, params: readonly SqlValue[]): Promise<{ tx: number; result: WireResult }> {
  await turns.transactionTurn();
  const release = await transactionLock();
  try {
    const result = await run(sql, params, 'begins');
    const tx = nextTransaction++;
    transactions.set(tx, release);
    return { tx, result };
  } catch (error) {
    // The statement's error is what its caller needs, whatever becomes of the rollback.
    await finish(release, false).catch(() => undefined);
    throw error;
  }
}

async function end(tx: number, commit: boolean): Promise<void> {
  const release = transactions.get(tx);
  if (!release) throw new Error(`no open transaction ${tx}`);
  transactions.delete(tx);
  await finish(release, commit);
}

/** Commits or rolls back the open transaction, then lets the next one, or the statements waiting, run. */
async function finish(release: () => void, commit: boolean): Promise<void> {
  try {
    await statements.end(commit);
  } finally {
    release();
    turns.transactionEnded();
  }
}

async function handle(request: PgliteRequest): Promise<PgliteResults[PgliteRequest['kind']]> {
  switch (request.kind) {
    case 'query': {
      const { tx, sql, params } = request;
      if (tx === null) return turns.statement(() => run(sql, params, 'alone'));
      if (!transactions.has(tx)) throw new Error(`no open transaction ${tx}`);
      return run(sql, params, 'in transaction');
    }
    case 'begin':
      return begin(request.sql, request.params);
    case 'end':
      await end(request.tx, request.commit);
      return null;
    case 'listen': {
      const { listener } = request;
      listeners.set(
        listener,
        await pg.listen(request.channel, (payload) => send({ notification: listener, payload })),
      );
      return null;
    }
    case 'unlisten':
      await listeners.get(request.listener)?.();
      listeners.delete(request.listener);
      return null;
    case 'close':
      await pg.close();
      return null;
  }
}

port.on('message', (request: PgliteRequest) => {
  handle(request).then(
    (result) => {
      send({ id: request.id, ok: true, result });
      if (request.kind === 'close') port.close();
    },
    (error: unknown) => send({ id: request.id, ok: false, error: toWireError(error) }),
  );
});
