import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { openDatabase, type Database } from '../platform/db/database.ts';

/**
 * PGlite as the project runs it (platform/db/pglite.ts): in a thread of its own, one transaction at a time,
 * every statement a message to that thread. Always PGlite, whatever DATABASE_URL says.
 */

let db: Database;

beforeAll(async () => {
  db = await openDatabase({});
  await db.query('CREATE TABLE tally (n integer PRIMARY KEY)');
});

afterAll(() => db.close());

async function stored(): Promise<number[]> {
  const { rows } = await db.query<{ n: number }>('SELECT n FROM tally ORDER BY n');
  return rows.map((row) => row.n);
}

describe('transactions on PGlite', () => {
  it('send one message per statement and one to end: the first statement begins the transaction', async () => {
    const messages = vi.spyOn(Worker.prototype, 'postMessage');
    try {
      await db.transaction(async (tx) => {
        await tx.query('INSERT INTO tally VALUES (1)');
        await tx.query('INSERT INTO tally VALUES (2)');
      });
      expect(messages).toHaveBeenCalledTimes(3);
    } finally {
      messages.mockRestore();
    }
    expect(await stored()).toEqual([1, 2]);
  });

  it('a first statement that fails leaves nothing open: the transactions and statements after it run', async () => {
    await expect(
      db.transaction(async (tx) => {
        await tx.query('INSERT INTO tally VALUES (1)');
      }),
    ).rejects.toMatchObject({ code: '23505' });
    await db.transaction(async (tx) => {
      await tx.query('INSERT INTO tally VALUES (3)');
    });
    expect(await stored()).toEqual([1, 2, 3]);
  });

  it('statements sent together before the first answer all run in the one transaction', async () => {
    const failed = db.transaction(async (tx) => {
      await Promise.all([
        tx.query('INSERT INTO tally VALUES (10)'),
        tx.query('INSERT INTO tally VALUES (11)'),
      ]);
      throw new Error('changed my mind');
    });
    await expect(failed).rejects.toThrow('changed my mind');
    expect(await stored()).toEqual([1, 2, 3]);
    await db.transaction((tx) =>
      Promise.all([tx.query('INSERT INTO tally VALUES (10)'), tx.query('INSERT INTO tally VALUES (11)')]),
    );
    expect(await stored()).toEqual([1, 2, 3, 10, 11]);
  });

  it('work that sends no statement returns its value and holds nothing', async () => {
    await expect(db.transaction(async () => 'nothing to write')).resolves.toBe('nothing to write');
    await db.transaction(async (tx) => {
      await tx.query('INSERT INTO tally VALUES (12)');
    });
    expect(await stored()).toContain(12);
  });

  it('a commit reaches listeners of its channel without a NOTIFY statement; a rollback reaches none', async () => {
    const heard: string[] = [];
    const unlisten = await db.listen('tally', () => heard.push('tally'));
    const sent: string[] = [];
    const stopWatching = db.watchStatements((sql) => sent.push(sql));
    try {
      await expect(
        db.transaction(async (tx) => {
          await tx.query('INSERT INTO tally VALUES (20)');
          tx.notifyOnCommit('tally');
          throw new Error('rolled back');
        }),
      ).rejects.toThrow('rolled back');
      await db.transaction(async (tx) => {
        await tx.query('INSERT INTO tally VALUES (21)');
        tx.notifyOnCommit('tally');
      });
      await vi.waitFor(() => expect(heard).toEqual(['tally']));
      expect(sent.filter((sql) => /NOTIFY/i.test(sql))).toEqual([]);
      // A NOTIFY that SQL sends itself still arrives.
      await db.query('NOTIFY tally');
      await vi.waitFor(() => expect(heard).toEqual(['tally', 'tally']));
    } finally {
      stopWatching();
      await unlisten();
    }
  });
});

describe('statements on PGlite', () => {
  const preparedTexts = async () =>
    (await db.query<{ statement: string }>('SELECT statement FROM pg_prepared_statements')).rows.map(
      (row) => row.statement,
    );

  it('are parsed and planned once per text, each run answering for its own parameters', async () => {
    const lookup = 'SELECT n FROM tally WHERE n = $1';
    const answers = [];
    for (const n of [1, 2, 3]) answers.push((await db.query<{ n: number }>(lookup, [n])).rows);
    expect(answers).toEqual([[{ n: 1 }], [{ n: 2 }], [{ n: 3 }]]);
    expect((await preparedTexts()).filter((text) => text === lookup)).toHaveLength(1);
  });

  it('send parameters as text PostgreSQL reads as a server does: arrays, JSON, bytes, dates, booleans, NULL', async () => {
    const row = await db.one(
      `SELECT $1::text[] AS texts, $2::jsonb AS document, $3::bytea AS bytes, $4::timestamptz AS at,
              $5::boolean AS flag, $6::numeric::text AS amount, $7::text AS nothing`,
      [
        ['a,b', null, 'quote " and \\ backslash'],
        { lines: [1, 'two'] },
        new Uint8Array([0, 1, 255]),
        new Date('2026-01-02T03:04:05.678Z'),
        true,
        12.5,
        null,
      ],
    );
    expect(row).toEqual({
      texts: ['a,b', null, 'quote " and \\ backslash'],
      document: { lines: [1, 'two'] },
      bytes: new Uint8Array([0, 1, 255]),
      at: new Date('2026-01-02T03:04:05.678Z'),
      flag: true,
      amount: '12.5',
      nothing: null,
    });
  });

  it('answer with a table’s new columns after it changed under a prepared statement', async () => {
    await db.query('CREATE TABLE shape (a integer)');
    await db.query('INSERT INTO shape VALUES (1)');
    expect((await db.query('SELECT * FROM shape')).rows).toEqual([{ a: 1 }]);
    await db.query('ALTER TABLE shape ADD COLUMN b text');
    expect((await db.query('SELECT * FROM shape')).rows).toEqual([{ a: 1, b: null }]);
  });

  it('that PostgreSQL refuses, in parsing or in running, leave every other statement working', async () => {
    await expect(db.query('SELEC 1')).rejects.toMatchObject({ code: '42601' });
    await expect(db.query('SELECT 6 / $1::integer AS q', [0])).rejects.toMatchObject({ code: '22012' });
    expect(await db.one('SELECT 6 / $1::integer AS q', [2])).toEqual({ q: 3 });
    await expect(
      db.transaction(async (tx) => {
        await tx.query('INSERT INTO tally VALUES (30)');
        await tx.query('SELECT 6 / $1::integer AS q', [0]);
      }),
    ).rejects.toMatchObject({ code: '22012' });
    expect(await stored()).not.toContain(30);
  });

  it('are kept prepared up to a bound, the least recently used closed first', async () => {
    for (let i = 0; i < 520; i += 1) await db.query(`SELECT ${i} AS n`);
    const texts = await preparedTexts();
    expect(texts.length).toBeLessThanOrEqual(500);
    expect(texts).toContain('SELECT 519 AS n');
    expect(texts).not.toContain('SELECT 0 AS n');
  });
});
