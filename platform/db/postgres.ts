import { createHash } from 'node:crypto';
import pg from 'pg';
import {
  isResultTypeChange,
  queryable,
  statementTally,
  type Database,
  type QueryResult,
  type SqlValue,
} from './database.ts';
import { CommitNotifications, coalescedNotifier } from './notifier.ts';

const INT8_OID = 20;
const MAX_ATTEMPTS = 3;
/** deadlock_detected, serialization_failure */
const RETRYABLE = new Set(['40P01', '40001']);

/** int8 stays text, as on PGlite (see pglite.ts). */
const typeParsers: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID
      ? (value: string) => value
      : (pg.types.getTypeParser(oid, format ?? 'text') as (
          value: string,
        ) => unknown)) as pg.CustomTypesConfig['getTypeParser'],
};

/**
 * How many statement texts get a server-side name. The project's statements are constants of its code, a
 * few hundred at most; the bound keeps a text built from data (were one ever written) from filling every
 * connection's memory with plans used once.
 */
const MAX_PREPARED_TEXTS = 2_000;

/**
 * The names under which each connection prepares a statement the first time it runs it. Parsing and
 * planning are most of the server's work for the short statements a request makes: prepared, each later
 * run on that connection is a bind and an execute (the server still plans afresh for parameters that
 * would change the plan; see `plan_cache_mode`). Only statements with parameters are named: they are
 * single statements, which is all a prepared statement may hold, while a text without parameters may be
 * several (migrations, the NOTIFY below).
 */
class PreparedNames {
  private readonly names = new Map<string, string>();
  private renewals = 0;

  /** This statement's name, or undefined to send it unnamed. */
  nameOf(sql: string, params: readonly SqlValue[]): string | undefined {
    if (params.length === 0) return undefined;
    let name = this.names.get(sql);
    if (name === undefined && this.names.size < MAX_PREPARED_TEXTS) {
      name = `s_${createHash('sha256').update(sql).digest('base64url').slice(0, 32)}`;
      this.names.set(sql, name);
    }
    return name;
  }

  /**
   * After the server refused the statement's plan: a name no connection has prepared, so each prepares it
   * against the tables as they are now. Whether this error called for it.
   */
  renewAfter(error: unknown, sql: string): boolean {
    const name = this.names.get(sql);
    if (name === undefined || !isResultTypeChange(error)) return false;
    this.renewals += 1;
    this.names.set(sql, `${name.slice(0, 34)}_${this.renewals}`);
    return true;
  }
}

function isRetryable(error: unknown): boolean {
  return (
    typeof error === 'object' &&
    error !== null &&
    (RETRYABLE.has((error as { code?: string }).code ?? '') || isResultTypeChange(error))
  );
}

export async function openPostgres(url: string, poolSize: number): Promise<Database> {
  const statements = statementTally();
  const prepared = new PreparedNames();
  let closing = false;
  const isClosing = () => closing;
  const pool = await openPool(url, poolSize, isClosing);
  const notifications = notificationListener(url, isClosing);
  // Its own short transaction: a lost notification costs a reader a slow poll, never an event, so the
  // commit need not wait for the WAL to reach the disk.
  const notify = coalescedNotifier(async (channel) => {
    await pool.query(
      `BEGIN; SET LOCAL synchronous_commit TO off; NOTIFY ${pg.escapeIdentifier(channel)}; COMMIT`,
    );
  });

  const run = async <Row>(
    target: pg.Pool | pg.PoolClient,
    sql: string,
    params: readonly SqlValue[] = [],
  ): Promise<QueryResult<Row>> => {
    statements.record(sql);
    const send = () =>
      target.query({ name: prepared.nameOf(sql, params), text: sql, values: params as unknown[] });
    let result: pg.QueryResult;
    try {
      result = await send();
    } catch (error) {
      // On its own, nothing was aborted: run it again, prepared afresh. In a transaction, the transaction
      // failed, and its next attempt (isRetryable) prepares afresh.
      if (!prepared.renewAfter(error, sql) || target !== pool) throw error;
      result = await send();
    }
    return { rows: result.rows as Row[], rowCount: result.rowCount ?? result.rows.length };
  };

  return {
    engine: 'postgres',
    get statementCount() {
      return statements.count;
    },
    watchStatements: (listener) => statements.watch(listener),
    ...queryable((sql, params) => run(pool, sql, params), notify),
    transaction: async (work) => {
      // One set per attempt: what a deadlock's victim asked for is not sent for the attempt that commits.
      let attempt = new CommitNotifications(notify);
      const result = await inRetriedTransaction(pool, (client) => {
        attempt = new CommitNotifications(notify);
        return work(queryable((sql, params) => run(client, sql, params), attempt.add));
      });
      attempt.committed();
      return result;
    },
    listen: (channel, onNotify) => notifications.listen(channel, onNotify),
    async close() {
      closing = true;
      await notifications.close();
      await pool.end();
    },
  };
}

/** A pool whose server answered once: an unreachable server fails the start, not the first request. */
async function openPool(url: string, poolSize: number, isClosing: () => boolean): Promise<pg.Pool> {
  const pool = new pg.Pool({ connectionString: url, max: poolSize, types: typeParsers });
  // An idle connection the server drops (a restart, a failover, an administrator) is an error event on the
  // pool; unhandled, it would crash the process. The pool replaces the connection on the next query.
  pool.on('error', (error) => {
    if (!isClosing()) console.error('postgres: idle connection lost:', error.message);
  });
  await pool.query('SELECT 1');
  return pool;
}

/** Runs `work` in one transaction on a connection of its own. */
async function inRetriedTransaction<T>(
  pool: pg.Pool,
  work: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      // The server chose this transaction as a deadlock's victim (a consumer batch and a mutation may lock
      // the same rows in other orders), or refused a plan a migration made stale: all of it rolled back,
      // so it can run again from the start.
      if (!isRetryable(error) || attempt >= MAX_ATTEMPTS) throw error;
    } finally {
      client.release();
    }
  }
}

/**
 * The one connection that LISTENs. When it drops, the next `listen` or the retry below opens another and
 * listens again on every channel; notifications sent meanwhile are lost, which readers' slow polls cover.
 */
function notificationListener(
  url: string,
  isClosing: () => boolean,
): Pick<Database, 'listen'> & { close(): Promise<void> } {
  let listener: Promise<pg.Client> | undefined;
  const handlers = new Map<string, Set<(payload: string) => void>>();

  function listenerClient(): Promise<pg.Client> {
    listener ??= (async () => {
      const client = new pg.Client({ connectionString: url });
      client.on('notification', (message) => {
        for (const handler of handlers.get(message.channel) ?? []) handler(message.payload ?? '');
      });
      client.on('error', (error) => {
        if (isClosing()) return;
        console.error('postgres: listening connection lost, reconnecting:', error.message);
        listener = undefined;
        setTimeout(() => void relisten(), 1_000).unref();
      });
      await client.connect();
      for (const channel of handlers.keys()) await client.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
      return client;
    })();
    listener.catch(() => {
      listener = undefined;
    });
    return listener;
  }

  async function relisten(): Promise<void> {
    if (isClosing() || handlers.size === 0) return;
    await listenerClient().catch((error: Error) => {
      console.error('postgres: cannot listen yet:', error.message);
      setTimeout(() => void relisten(), 5_000).unref();
    });
  }

  return {
    async listen(channel, onNotify) {
      let channelHandlers = handlers.get(channel);
      if (!channelHandlers) {
        channelHandlers = new Set();
        handlers.set(channel, channelHandlers);
        const client = await listenerClient();
        await client.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
      }
      channelHandlers.add(onNotify);
      return async () => {
        channelHandlers.delete(onNotify);
        if (channelHandlers.size === 0 && handlers.get(channel) === channelHandlers) {
          handlers.delete(channel);
          const client = await listenerClient();
          await client.query(`UNLISTEN ${pg.escapeIdentifier(channel)}`);
        }
      };
    },
    async close() {
      await (await listener?.catch(() => undefined))?.end();
    },
  };
}
