import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openDatabase, type Database } from '../../platform/db/database.ts';

export const engineUnderTest = process.env.DATABASE_URL ? 'postgres' : 'pglite';

/**
 * Where a test file's data goes: nowhere yet with PGlite (each open is a fresh in-memory database), or a
 * new database on the DATABASE_URL server, dropped afterwards.
 */
export async function createTestDatabase(): Promise<{ url: string | undefined; drop(): Promise<void> }> {
  const serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) return { url: undefined, drop: async () => undefined };
  const name = `test_${randomBytes(6).toString('hex')}`;
  await withAdmin(serverUrl, (client) => client.query(`CREATE DATABASE ${name}`));
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () =>
      withAdmin(serverUrl, (client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)),
  };
}

export async function openTestDatabase(): Promise<{ db: Database; close(): Promise<void> }> {
  const target = await createTestDatabase();
  const db = await openDatabase({ url: target.url, poolSize: 5 });
  return {
    db,
    async close() {
      await db.close();
      await target.drop();
    },
  };
}

/** The statements `db` sent while `work` ran, and what `work` returned. */
export async function statementsDuring<T>(
  db: Database,
  work: () => Promise<T>,
): Promise<{ result: T; sent: string[] }> {
  const sent: string[] = [];
  const stopWatching = db.watchStatements((sql) => sent.push(sql));
  try {
    return { result: await work(), sent };
  } finally {
    stopWatching();
  }
}

async function withAdmin(url: string, work: (client: pg.Client) => Promise<unknown>): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await work(client);
  } finally {
    await client.end();
  }
}
