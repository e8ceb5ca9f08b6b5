import pg from 'pg';
import type { Database, QueryResult, Queryable, SqlValue } from './database.ts';

const INT8_OID = 20;

export async function openPostgres(url: string, poolSize: number): Promise<Database> {
  // int8 stays text, as on PGlite (see pglite.ts).
  const typeParsers: pg.CustomTypesConfig = {
    getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
      oid === INT8_OID
        ? (value: string) => value
        : (pg.types.getTypeParser(oid, format ?? 'text') as (
            value: string,
          ) => unknown)) as pg.CustomTypesConfig['getTypeParser'],
  };
  const pool = new pg.Pool({ connectionString: url, max: poolSize, types: typeParsers });
  let statements = 0;
  let listener: pg.Client | undefined;
  const handlers = new Map<string, Set<(payload: string) => void>>();

  const run = async <Row>(
    target: pg.Pool | pg.PoolClient,
    sql: string,
    params: readonly SqlValue[] = [],
  ): Promise<QueryResult<Row>> => {
    statements += 1;
    const result = await target.query(sql, params as unknown[]);
    return { rows: result.rows as Row[], rowCount: result.rowCount ?? result.rows.length };
  };

  // Fail at start, not at the first request, when the server is unreachable.
  await pool.query('SELECT 1');

  async function listenerClient(): Promise<pg.Client> {
    if (listener) return listener;
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    client.on('notification', (message) => {
      for (const handler of handlers.get(message.channel) ?? []) handler(message.payload ?? '');
    });
    listener = client;
    return client;
  }

  return {
    engine: 'postgres',
    get statementCount() {
      return statements;
    },
    query: (sql, params) => run(pool, sql, params),
    async transaction(work) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const result = await work({ query: (sql, params) => run(client, sql, params) } satisfies Queryable);
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    },
    async listen(channel, onNotify) {
      const client = await listenerClient();
      let channelHandlers = handlers.get(channel);
      if (!channelHandlers) {
        channelHandlers = new Set();
        handlers.set(channel, channelHandlers);
        await client.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
      }
      channelHandlers.add(onNotify);
      return async () => {
        channelHandlers.delete(onNotify);
        if (channelHandlers.size === 0 && handlers.get(channel) === channelHandlers) {
          handlers.delete(channel);
          await client.query(`UNLISTEN ${pg.escapeIdentifier(channel)}`);
        }
      };
    },
    async close() {
      await listener?.end();
      await pool.end();
    },
  };
}
