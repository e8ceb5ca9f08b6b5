import { mkdir } from 'node:fs/promises';
import { parentPort, workerData } from 'node:worker_threads';
import { PGlite, types, type Transaction } from '@electric-sql/pglite';
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
try {
  if (dataDir) await mkdir(dataDir, { recursive: true });
  pg = await PGlite.create(dataDir ?? 'memory://', { parsers });
  send({ opened: true });
} catch (error) {
  send({ opened: false, error: toWireError(error) });
  process.exit(1);
}

/** An open transaction: PGlite's callback holds it open until the main thread ends it. */
interface OpenTransaction {
  tx: Transaction;
  end(commit: boolean): void;
  /** Settles once PGlite has committed or rolled back. */
  done: Promise<void>;
}
const transactions = new Map<number, OpenTransaction>();
let nextTransaction = 1;
const listeners = new Map<number, () => Promise<void>>();
const turns = new Turns();
class Rollback extends Error {}

async function run(
  target: Pick<PGlite, 'query'>,
  sql: string,
  params: readonly SqlValue[],
): Promise<WireResult> {
  const result = await target.query<Record<string, unknown>>(sql, params as unknown[]);
  return {
    rows: result.rows,
    // PGlite reports affectedRows 0 for SELECT; pg counts the rows it returned.
    rowCount: result.rows.length > 0 ? result.rows.length : (result.affectedRows ?? 0),
    jsonColumns: result.fields.filter((field) => JSON_TYPES.has(field.dataTypeID)).map((field) => field.name),
  };
}

async function begin(): Promise<number> {
  await turns.transactionTurn();
  return new Promise((begun, failed) => {
    const id = nextTransaction++;
    let end!: (commit: boolean) => void;
    const done = pg
      .transaction(
        (tx) =>
          new Promise<void>((resolve, reject) => {
            end = (commit) => (commit ? resolve() : reject(new Rollback()));
            transactions.set(id, { tx, end, done });
            begun(id);
          }),
      )
      .catch((error: unknown) => {
        if (!(error instanceof Rollback)) throw error;
      })
      .finally(() => {
        transactions.delete(id);
        turns.transactionEnded();
      });
    done.catch(failed);
  });
}

function openTransaction(id: number): OpenTransaction {
  const open = transactions.get(id);
  if (!open) throw new Error(`no open transaction ${id}`);
  return open;
}

async function handle(request: PgliteRequest): Promise<PgliteResults[PgliteRequest['kind']]> {
  switch (request.kind) {
    case 'query': {
      const { tx, sql, params } = request;
      return tx === null
        ? turns.statement(() => run(pg, sql, params))
        : run(openTransaction(tx).tx, sql, params);
    }
    case 'begin': {
      const tx = await begin();
      const open = openTransaction(tx);
      try {
        return { tx, result: await run(open.tx, request.sql, request.params) };
      } catch (error) {
        open.end(false);
        await open.done;
        throw error;
      }
    }
    case 'end': {
      const open = openTransaction(request.tx);
      open.end(request.commit);
      await open.done;
      return null;
    }
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
