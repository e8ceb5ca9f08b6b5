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
