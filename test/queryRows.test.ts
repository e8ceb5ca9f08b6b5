import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RowCountError, type Database } from '../platform/db/database.ts';
import { engineUnderTest, openTestDatabase } from './support/databases.ts';

let db: Database;
let close: () => Promise<void>;

beforeAll(async () => {
  const opened = await openTestDatabase();
  db = opened.db;
  close = () => opened.close();
  await db.query(`CREATE SCHEMA shelf`);
  await db.query(`CREATE TABLE shelf.box (code text PRIMARY KEY, colour text NOT NULL)`);
  await db.query(`INSERT INTO shelf.box VALUES ('A1', 'red'), ('A2', 'red'), ('B1', 'blue')`);
});

afterAll(() => close());

describe(`one() and maybeOne() on ${engineUnderTest}`, () => {
  it('one() returns the single row a statement finds', async () => {
    await expect(
      db.one<{ colour: string }>(`SELECT colour FROM shelf.box WHERE code = $1`, ['B1']),
    ).resolves.toEqual({ colour: 'blue' });
  });

  it('one() that finds no row names the table the statement reads', async () => {
    const missing = db.one(`SELECT colour FROM shelf.box WHERE code = $1`, ['Z9']);
    await expect(missing).rejects.toBeInstanceOf(RowCountError);
    await expect(missing).rejects.toThrow('expected one row from the statement on shelf.box, found 0');
  });

  it('one() refuses a statement that returns more than one row', async () => {
    await expect(db.one(`SELECT code FROM shelf.box WHERE colour = 'red'`)).rejects.toThrow(
      'expected one row from the statement on shelf.box, found 2',
    );
  });

  it('maybeOne() returns the row, undefined when there is none, and refuses more than one', async () => {
    await expect(db.maybeOne(`SELECT code FROM shelf.box WHERE code = $1`, ['A1'])).resolves.toEqual({
      code: 'A1',
    });
    await expect(db.maybeOne(`SELECT code FROM shelf.box WHERE code = $1`, ['Z9'])).resolves.toBeUndefined();
    await expect(db.maybeOne(`SELECT code FROM shelf.box WHERE colour = 'red'`)).rejects.toThrow(
      'expected at most one row from the statement on shelf.box, found 2',
    );
  });

  it('inside a transaction the helpers see its writes, and their error rolls it back', async () => {
    const written = await db.transaction(async (tx) => {
      await tx.query(`INSERT INTO shelf.box VALUES ('C1', 'green')`);
      return tx.one<{ code: string }>(`SELECT code FROM shelf.box WHERE colour = 'green'`);
    });
    expect(written).toEqual({ code: 'C1' });

    const failed = db.transaction(async (tx) => {
      await tx.query(`INSERT INTO shelf.box VALUES ('D1', 'grey')`);
      return tx.one(`UPDATE shelf.box SET colour = 'white' WHERE code = 'Z9' RETURNING code`);
    });
    await expect(failed).rejects.toThrow('expected one row from the statement on shelf.box, found 0');
    await expect(db.maybeOne(`SELECT code FROM shelf.box WHERE code = 'D1'`)).resolves.toBeUndefined();
  });
});

describe(`what a statement hands back on ${engineUnderTest}`, () => {
  it('json parsed, int8 as text, bytea as bytes, timestamps as dates', async () => {
    const row = await db.one<{ doc: unknown; big: string; bytes: Uint8Array; at: Date; none: unknown }>(
      `SELECT '{"lines":[{"sku":"A1","qty":"2"}]}'::jsonb AS doc, 9007199254740993::int8 AS big,
              '\\x0102ff'::bytea AS bytes, '2026-01-02T03:04:05Z'::timestamptz AS at, NULL::jsonb AS none`,
    );
    expect(row.doc).toEqual({ lines: [{ sku: 'A1', qty: '2' }] });
    expect(row.big).toBe('9007199254740993');
    expect([...row.bytes]).toEqual([1, 2, 255]);
    expect(row.at).toEqual(new Date('2026-01-02T03:04:05Z'));
    expect(row.none).toBeNull();
  });

  it('a database error keeps its SQLSTATE and constraint, and the transaction changes nothing', async () => {
    const duplicate = db.transaction(async (tx) => {
      await tx.query(`INSERT INTO shelf.box VALUES ('E1', 'black')`);
      await tx.query(`INSERT INTO shelf.box VALUES ('A1', 'pink')`);
    });
    await expect(duplicate).rejects.toMatchObject({ code: '23505', constraint: 'box_pkey' });
    await expect(db.maybeOne(`SELECT code FROM shelf.box WHERE code = 'E1'`)).resolves.toBeUndefined();
  });

  it('a script that closes its database goes on to its end', async () => {
    const database = new URL('../platform/db/database.ts', import.meta.url).href;
    const script = `
      const { openDatabase } = await import(${JSON.stringify(database)});
      const db = await openDatabase({ url: process.env.DATABASE_URL || undefined });
      await db.query('SELECT 1');
      await db.close();
      await new Promise((resolve) => setTimeout(resolve, 10));
      console.log('went on');`;
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '--eval', script],
      { timeout: 60_000 },
    );
    expect(stdout.trim()).toBe('went on');
  });
});
