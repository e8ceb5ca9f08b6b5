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
