import type { Worker } from 'node:worker_threads';
import { moduleWorker } from '../server/thread.ts';
import {
  isResultTypeChange,
  queryable,
  statementTally,
  type Database,
  type Queryable,
  type QueryResult,
  type SqlValue,
} from './database.ts';
import { CommitNotifications } from './notifier.ts';
import {
  PgliteError,
  type PgliteOpened,
  type PgliteReply,
  type PgliteRequest,
  type PgliteResults,
  type PgliteThreadData,
  type WireResult,
} from './pgliteWire.ts';

type Kind = PgliteRequest['kind'];
/** What a request of kind `K` carries besides its kind and id. */
type Fields<K extends Kind> = Omit<Extract<PgliteRequest, { kind: K }>, 'id' | 'kind'>;

/**
 * PGlite in a worker thread of this process (pgliteThread.ts): PostgreSQL's work, which is most of a write's
 * cost, runs on another core than GraphQL, HTTP and the event consumers. It is still one database in one
 * process, reached through the same `Database` as a PostgreSQL server.
 */
export async function openPglite(dataDir: string | undefined): Promise<Database> {
  const worker = moduleWorker(new URL('./pgliteThread.ts', import.meta.url), {
    name: 'pglite',
    workerData: { dataDir } satisfies PgliteThreadData,
  });
  await opened(worker);
  const statements = statementTally();
  const pending = new Map<
    number,
    { resolve(value: PgliteResults[keyof PgliteResults]): void; reject(error: Error): void }
  >();
  /** Listeners by id: the thread's notifications name theirs, a commit's go to each of its channel. */
  const listeners = new Map<number, { channel: string; onNotify: (payload: string) => void }>();
  let nextId = 1;
  let nextListener = 1;
  // The thread keeps the process alive only while an answer is awaited, as a socket would: a database
  // nobody is using never holds the process open.
  worker.unref();
  worker.on('message', (reply: PgliteReply) => {
    if ('notification' in reply) return listeners.get(reply.notification)?.onNotify(reply.payload);
    const waiting = pending.get(reply.id);
    pending.delete(reply.id);
    if (pending.size === 0) worker.unref();
    if (reply.ok) waiting?.resolve(reply.result);
    else waiting?.reject(new PgliteError(reply.error));
  });
  /** Why the thread is gone, once it is: every request then fails at once instead of waiting forever. */
  let stopped: Error | undefined;
  const failed = (error: Error) => {
    stopped ??= error;
    for (const waiting of pending.values()) waiting.reject(error);
    pending.clear();
  };
  worker.on('error', failed);
  worker.on('exit', () => failed(new Error('the PGlite thread has stopped')));

  // The thread answers each kind of request with that kind's result (pgliteThread.ts `handle`).
  const call = <K extends Kind>(kind: K, fields: Fields<K>): Promise<PgliteResults[K]> =>
    new Promise((resolve, reject) => {
      if (stopped) return reject(stopped);
      const id = nextId++;
      if (pending.size === 0) worker.ref();
      pending.set(id, { resolve: (result) => resolve(result as PgliteResults[K]), reject });
      worker.postMessage({ ...fields, kind, id });
    });

  const run = <Row>(tx: number | null, sql: string, params: readonly SqlValue[] = []) => {
    statements.record(sql);
    return call('query', { tx, sql, params }).then(received<Row>);
  };

  /**
   * Everyone who can listen to this database is in this process, listening through `listen` below: a
   * commit's notification goes to them directly, without a NOTIFY statement taking a turn on the one
   * connection after every commit. A NOTIFY that SQL sends itself still comes through the thread.
   */
  const notify = (channel: string) => {
    for (const listener of listeners.values()) {
      if (listener.channel === channel) queueMicrotask(() => listener.onNotify(''));
    }
  };

  async function inTransaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T> {
    const notifications = new CommitNotifications(notify);
    // The transaction begins with its first statement, in one message: every transaction waits for the
    // one before it to end, so each round trip it saves is one that none of them waits for.
    let begun: Promise<number> | undefined;
    const query = <Row>(sql: string, params: readonly SqlValue[] = []) => {
      if (begun) return begun.then((tx) => run<Row>(tx, sql, params));
      statements.record(sql);
      const first = call('begin', { sql, params });
      begun = first.then(({ tx }) => tx);
      // A first statement that fails has rolled its transaction back; its caller hears of it.
      begun.catch(() => undefined);
      return first.then(({ result }) => received<Row>(result));
    };
    let result;
    try {
      result = await work(queryable(query, notifications.add));
    } catch (error) {
      const tx = await begun?.catch(() => undefined);
      // The work's error says what went wrong, even when the rollback cannot be sent.
      if (tx !== undefined) await call('end', { tx, commit: false }).catch(() => undefined);
      throw error;
    }
    // Work that sent no statement began nothing.
    if (begun) await call('end', { tx: await begun, commit: true });
    notifications.committed();
    return result;
  }

  return {
    engine: 'pglite',
    get statementCount() {
      return statements.count;
    },
    watchStatements: (listener) => statements.watch(listener),
    ...queryable((sql, params) => run(null, sql, params), notify),
    async transaction(work) {
      // A statement prepared before a migration changed what it returns failed the first attempt; the
      // thread has forgotten it, and the next attempt prepares it afresh.
      for (let attempt = 1; ; attempt += 1) {
        try {
          return await inTransaction(work);
        } catch (error) {
          if (attempt >= 2 || !isResultTypeChange(error)) throw error;
        }
      }
    },
    async listen(channel, onNotify) {
      const listener = nextListener++;
      listeners.set(listener, { channel, onNotify });
      await call('listen', { channel, listener });
      return async () => {
        listeners.delete(listener);
        await call('unlisten', { listener });
      };
    },
    async close() {
      const exited = new Promise((resolve) => worker.once('exit', resolve));
      await call('close', {});
      // Held until the thread is gone: awaiting its end must keep the process alive.
      worker.ref();
      await exited;
    },
  };
}

/** A result as the statement's caller reads it: its json columns parsed, as PGlite would have. */
function received<Row>({ rows, rowCount, jsonColumns }: WireResult): QueryResult<Row> {
  for (const column of jsonColumns) {
    for (const row of rows) {
      const value = row[column];
      if (typeof value === 'string') row[column] = JSON.parse(value);
    }
  }
  // Rows are what the statement selects: the caller names their type, as with pg.
  return { rows: rows as Row[], rowCount };
}

function opened(worker: Worker): Promise<void> {
  return new Promise((resolve, reject) => {
    worker.once('message', (message: PgliteOpened) =>
      message.opened ? resolve() : reject(new PgliteError(message.error)),
    );
    worker.once('error', reject);
  });
}
