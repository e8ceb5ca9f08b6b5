import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RowCountError, type Database, type Queryable } from '../platform/db/database.ts';
import { migrate } from '../platform/db/migrate.ts';
import { consumersOf, eachEvent, sqlSink } from '../platform/events/consumer.ts';
import {
  EventLog,
  EventWakeup,
  lastCommittedCursor,
  latestCursor,
  migrateEventLog,
  type EventOf,
} from '../platform/events/eventLog.ts';
import { int, object, optional } from '../platform/events/shape.ts';
import { sharedTails } from '../platform/events/tail.ts';
import { engineUnderTest, openTestDatabase, statementsDuring } from './support/databases.ts';
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/** The log's mechanics, under a contract of this test's own. */
const TEST_EVENTS = { Counted: object({ seq: int }), Lost: object({ seq: optional(int) }) };
type LoggedEvent = EventOf<typeof TEST_EVENTS>;
const log = new EventLog(TEST_EVENTS);
const appendEvent = log.append;
const readEvents = log.read;
/** Consumers and followers of this log, sharing one tail per database as the project's own do. */
const tailOf = sharedTails(log);
const runConsumer = consumersOf(log, tailOf);
const followEvents = (db: Database, wakeup: EventWakeup, after: string, signal: AbortSignal) =>
  tailOf(db, wakeup).follow(after, signal);

let db: Database;
let close: () => Promise<void>;
let wakeup: EventWakeup;

/** A consumer's effects table: one row per application, so a duplicate would show as a second row. */
async function prepareConsumerSchema(): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'migrations-'));
  await writeFile(
    path.join(dir, '001_consumer.sql'),
    `CREATE TABLE consumer_offsets (consumer text PRIMARY KEY, cursor bigint NOT NULL);
CREATE TABLE applied (cursor bigint NOT NULL, seq integer NOT NULL);
`,
  );
  await migrate(db, 'projection', dir);
}

async function appendMany(count: number, from = 0): Promise<LoggedEvent[]> {
  const events: LoggedEvent[] = [];
  for (let i = 0; i < count; i += 1) {
    events.push(
      await db.transaction((tx) =>
        appendEvent(tx, {
          type: 'Counted',
          aggregateType: 'Counter',
          aggregateId: 'c1',
          payload: { seq: from + i },
        }),
      ),
    );
  }
  return events;
}

async function record(tx: Queryable, event: LoggedEvent): Promise<void> {
  if (event.type !== 'Counted') return;
  await tx.query('INSERT INTO projection.applied (cursor, seq) VALUES ($1, $2)', [
    event.cursor,
    event.payload.seq,
  ]);
}

async function appliedSeqs(): Promise<number[]> {
  const { rows } = await db.query<{ seq: number }>('SELECT seq FROM projection.applied ORDER BY cursor');
  return rows.map((row) => row.seq);
}

interface PlanNode {
  'Relation Name'?: string;
  'Actual Rows'?: number;
  'Actual Loops'?: number;
  'Rows Removed by Filter'?: number;
  Plans?: PlanNode[];
}

/** Rows the plan nodes scanning `table` read, kept or filtered out (EXPLAIN ANALYZE). */
function rowsReadFrom(table: string, plan: PlanNode): number {
  const own =
    plan['Relation Name'] === table
      ? ((plan['Actual Rows'] ?? 0) + (plan['Rows Removed by Filter'] ?? 0)) * (plan['Actual Loops'] ?? 1)
      : 0;
  return own + (plan.Plans ?? []).reduce((sum, child) => sum + rowsReadFrom(table, child), 0);
}

beforeEach(async () => {
  const opened = await openTestDatabase();
  db = opened.db;
  close = () => opened.close();
  await migrateEventLog(db);
  wakeup = new EventWakeup(db);
  await wakeup.start();
  await prepareConsumerSchema();
});

afterEach(async () => {
  await wakeup.stop();
  await close();
});

describe(`event log on ${engineUnderTest}`, () => {
  it('records each migration once, however often migrations run', async () => {
    await migrateEventLog(db);
    await prepareConsumerSchema();
    const { rows } = await db.query<{ version: number }>(
      'SELECT version FROM events.schema_migrations ORDER BY version',
    );
    expect(rows.map((row) => row.version)).toEqual([1, 2, 3, 4, 5]);
  });

  it('finds every migration recorded in two statements without a lock, and applies only a file added since', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'migrations-'));
    await writeFile(path.join(dir, '001_first.sql'), 'CREATE TABLE first (id integer);\n');
    expect((await migrate(db, 'later', dir)).map((applied) => applied.name)).toEqual(['001_first.sql']);
    const sent: string[] = [];
    const stopWatching = db.watchStatements((sql) => sent.push(sql));
    try {
      expect(await migrate(db, 'later', dir)).toEqual([]);
      expect(sent).toHaveLength(2);
      expect(sent.join('\n')).not.toMatch(/advisory|CREATE/);
      sent.length = 0;
      await writeFile(path.join(dir, '002_second.sql'), 'CREATE TABLE second (id integer);\n');
      expect((await migrate(db, 'later', dir)).map((applied) => applied.name)).toEqual(['002_second.sql']);
      expect(sent.filter((sql) => sql.includes('CREATE TABLE first'))).toEqual([]);
    } finally {
      stopWatching();
    }
    const { rows } = await db.query<{ version: number }>(
      'SELECT version FROM later.schema_migrations ORDER BY version',
    );
    expect(rows.map((row) => row.version)).toEqual([1, 2]);
    await db.query('SELECT count(*) FROM later.second');
  });

  it('asks whether later events wait reading one row of the log, however long the log is', async () => {
    await db.query(
      `INSERT INTO events.event_log (type, aggregate_type, aggregate_id, payload)
       SELECT 'Counted', 'Counter', 'c1', jsonb_build_object('seq', n) FROM generate_series(1, 20000) AS n`,
    );
    await db.query('ANALYZE events.event_log');
    const step = await log.readSettled(db, await latestCursor(db), 10);
    expect(step).toMatchObject({ events: [], settled: true, later: false });
    // Every step asks it: planned as the function plans it (the settled cursor a value the planner cannot
    // see), the question reads the one highest row, not the log.
    const { rows: source } = await db.query<{ body: string }>(
      `SELECT prosrc AS body FROM pg_proc WHERE proname = 'read_settled'`,
    );
    const question = /waiting boolean := (.+);/.exec(source[0]!.body)?.[1];
    expect(question).toContain('max(e.cursor)');
    // Both engines' drivers parse json, EXPLAIN's JSON output included.
    const { rows } = await db.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(
      `EXPLAIN (ANALYZE, FORMAT JSON) SELECT ${question!.replace('settled_at', 'events.settled_cursor()')}`,
    );
    const [{ Plan: plan }] = rows[0]!['QUERY PLAN'];
    expect(rowsReadFrom('event_log', plan)).toBeLessThanOrEqual(1);
  });

  it('an event exists exactly when the transaction that appended it commits', async () => {
    await expect(
      db.transaction(async (tx) => {
        await appendEvent(tx, { type: 'Lost', aggregateType: 'X', aggregateId: '1', payload: {} });
        throw new Error('the writer fails after appending');
      }),
    ).rejects.toThrow('the writer fails');
    const [kept] = await appendMany(1);
    const events = await readEvents(db, '0', 10);
    expect(events.map((event) => event.type)).toEqual(['Counted']);
    expect(await latestCursor(db)).toBe(kept!.cursor);
  });

  it('appends an event in the statement of the change it records, and not at all when nothing changed', async () => {
    await prepareConsumerSchema();
    await db.query('INSERT INTO projection.consumer_offsets (consumer, cursor) VALUES ($1, 0)', ['counter']);
    const counted = (seq: number) =>
      ({ type: 'Counted', aggregateType: 'Counter', aggregateId: 'c1', payload: { seq } }) as const;
    const raise = (consumer: string) => ({
      sql: 'UPDATE projection.consumer_offsets SET cursor = cursor + 1 WHERE consumer = $1 RETURNING *',
      params: [consumer],
    });
    const {
      result: { row, event },
      sent: statements,
    } = await statementsDuring(db, () =>
      db.transaction((tx) =>
        log.appendWith<'Counted', { consumer: string; cursor: string }>(tx, raise('counter'), counted(1)),
      ),
    );
    // The transaction's BEGIN and COMMIT, and one statement for the change and its event.
    expect(statements.filter((sql) => !/^\s*(BEGIN|COMMIT)\b/i.test(sql))).toHaveLength(1);
    expect(row).toEqual({ consumer: 'counter', cursor: '1' });
    expect(event).toMatchObject({ type: 'Counted', aggregateId: 'c1', payload: { seq: 1 } });
    expect((await readEvents(db, '0', 10)).map((read) => read.cursor)).toEqual([event.cursor]);
    // Nothing to change: the event is refused with the change, and a later append still settles.
    await expect(db.transaction((tx) => log.appendWith(tx, raise('nobody'), counted(2)))).rejects.toThrow(
      RowCountError,
    );
    const [later] = await appendMany(1, 3);
    expect((await readEvents(db, '0', 10)).map((read) => read.payload)).toEqual([{ seq: 1 }, { seq: 3 }]);
    expect(await latestCursor(db)).toBe(later!.cursor);
  });

  it('runs statements prepared before a migration changed the columns they return, alone and in a transaction', async () => {
    await db.query('CREATE TABLE projection.changing (id integer PRIMARY KEY)');
    await db.query('INSERT INTO projection.changing VALUES (1)');
    const alone = 'SELECT * FROM projection.changing WHERE id = $1';
    const inTransaction = 'SELECT c.* FROM projection.changing c WHERE c.id = $1';
    // Prepared on every connection a pool has.
    await Promise.all(
      Array.from({ length: 20 }, () =>
        db.transaction(async (tx) => {
          await tx.query(alone, [1]);
          await tx.query(inTransaction, [1]);
          await pause(20);
        }),
      ),
    );
    await db.query(`ALTER TABLE projection.changing ADD COLUMN note text NOT NULL DEFAULT 'added'`);
    expect((await db.query(alone, [1])).rows).toEqual([{ id: 1, note: 'added' }]);
    const { rows } = await db.transaction((tx) => tx.query(inTransaction, [1]));
    expect(rows).toEqual([{ id: 1, note: 'added' }]);
  });

  it('reads in cursor order from any cursor', async () => {
    const events = await appendMany(5);
    const cursors = events.map((event) => BigInt(event.cursor));
    expect([...cursors].sort((a, b) => (a < b ? -1 : 1))).toEqual(cursors);
    const tail = await readEvents(db, events[1]!.cursor, 10);
    expect(tail.map((event) => event.payload.seq)).toEqual([2, 3, 4]);
  });

  it("takes a follower's step in one statement: the events up to the settled cursor, and how far it reached", async () => {
    const events = await appendMany(5);
    const cursors = events.map((event) => event.cursor);
    const sent: string[] = [];
    const stopWatching = db.watchStatements((sql) => sent.push(sql));
    try {
      const all = await log.readSettled(db, cursors[0]!, 10);
      expect(all.events.map((event) => event.payload.seq)).toEqual([1, 2, 3, 4]);
      expect(all).toMatchObject({ through: cursors[4], settled: true, later: false });
      expect(sent).toHaveLength(1);
      // A limit that stops the step short: it reached the last event it read, not the settled cursor.
      const short = await log.readSettled(db, '0', 2);
      expect(short.events.map((event) => event.cursor)).toEqual(cursors.slice(0, 2));
      expect(short).toMatchObject({ through: cursors[1], settled: false });
      // Nothing new: the step stays where it was, at the settled cursor.
      expect(await log.readSettled(db, cursors[4]!, 10)).toEqual({
        events: [],
        through: cursors[4],
        settled: true,
        later: false,
      });
    } finally {
      stopWatching();
    }
  });

  it('a consumer stopped mid-stream and restarted loses no event and applies none twice', async () => {
    const first = await appendMany(120);
    const consumer = runConsumer({
      name: 'counter',
      source: db,
      wakeup,
      sink: sqlSink(db, 'projection', 'counter', eachEvent(record)),
      batchSize: 7,
    });
    await consumer.caughtUp(first[40]!.cursor);
    await consumer.stop();
    const appliedAtStop = (await appliedSeqs()).length;
    expect(appliedAtStop).toBeGreaterThan(40);
    expect(appliedAtStop).toBeLessThan(120);

    const second = await appendMany(80, 120);
    const restarted = runConsumer({
      name: 'counter',
      source: db,
      wakeup,
      sink: sqlSink(db, 'projection', 'counter', eachEvent(record)),
      batchSize: 7,
    });
    await restarted.caughtUp(second[79]!.cursor);
    await restarted.stop();
    expect(await appliedSeqs()).toEqual(Array.from({ length: 200 }, (_, i) => i));
  });

  it('a batch that fails half-way is rolled back with its offset and applied once on retry', async () => {
    const events = await appendMany(30);
    const failOn = events[12]!.cursor;
    let failures = 0;
    const flaky = async (tx: Queryable, event: LoggedEvent) => {
      await record(tx, event);
      if (event.cursor === failOn && failures === 0) {
        failures += 1;
        throw new Error('the consumer crashes in the middle of a batch');
      }
    };
    const errors: unknown[] = [];
    const consumer = runConsumer({
      name: 'flaky',
      source: db,
      wakeup,
      sink: sqlSink(db, 'projection', 'flaky', eachEvent(flaky)),
      batchSize: 10,
      onError: (error) => errors.push(error),
    });
    await consumer.caughtUp(events[29]!.cursor);
    await consumer.stop();
    expect(errors).toHaveLength(1);
    expect(await appliedSeqs()).toEqual(Array.from({ length: 30 }, (_, i) => i));
  });

  it('two instances of one consumer share the work without applying an event twice', async () => {
    const events = await appendMany(60);
    const sink = () => sqlSink(db, 'projection', 'shared', eachEvent(record));
    const a = runConsumer({ name: 'shared', source: db, wakeup, sink: sink(), batchSize: 5 });
    const b = runConsumer({ name: 'shared', source: db, wakeup, sink: sink(), batchSize: 5 });
    await Promise.all([a.caughtUp(events[59]!.cursor), b.caughtUp(events[59]!.cursor)]);
    await Promise.all([a.stop(), b.stop()]);
    expect(await appliedSeqs()).toEqual(Array.from({ length: 60 }, (_, i) => i));
  });

  it('a follower replays from its cursor, then receives new events as they are appended', async () => {
    const before = await appendMany(3);
    const controller = new AbortController();
    const received: unknown[] = [];
    const following = (async () => {
      for await (const event of followEvents(db, wakeup, before[0]!.cursor, controller.signal)) {
        received.push(event.payload.seq);
        if (received.length === 4) controller.abort();
      }
    })();
    await appendMany(2, 3);
    await following;
    expect(received).toEqual([1, 2, 3, 4]);
  });

  it('a reader ahead of the shared tail extends it, and readers behind go on reading from it without a statement of their own', async () => {
    const events = await appendMany(20);
    const cursors = events.map((event) => event.cursor);
    const tail = tailOf(db, wakeup);
    expect((await tail.read('0', 5)).map((event) => event.payload.seq)).toEqual([0, 1, 2, 3, 4]);
    // A reader that read the log itself (as one too far behind does) comes back ahead of the tail.
    const later = await appendMany(10, 20);
    const ahead = await tail.read(later[4]!.cursor, 100);
    expect(ahead.map((event) => event.payload.seq)).toEqual(range(25, 30));
    const { result: behind, sent } = await statementsDuring(db, () => tail.read(cursors[4]!, 100));
    expect(behind.map((event) => event.payload.seq)).toEqual(range(5, 30));
    expect(sent).toEqual([]);
  });
});

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

describe(`concurrent appends on ${engineUnderTest}`, () => {
  it('readers that keep a position meet every committed event once, in cursor order, while writers run side by side', async () => {
    const WRITERS = 8;
    const TRANSACTIONS = 12;
    let running = true;
    let sequence = 0;
    const committed: string[] = [];
    const writer = async (w: number) => {
      for (let t = 0; t < TRANSACTIONS; t += 1) {
        // Every fifth transaction rolls back after appending: its cursors never commit.
        const rollsBack = (w + t) % 5 === 0;
        try {
          const cursors = await db.transaction(async (tx) => {
            const appended: string[] = [];
            for (let e = 0; e <= (w + t) % 3; e += 1) {
              const event = await appendEvent(tx, {
                type: 'Counted',
                aggregateType: 'Counter',
                aggregateId: `w${w}`,
                payload: { seq: (sequence += 1) },
              });
              appended.push(event.cursor);
              // Hold the transaction open a while, so later cursors of other writers commit first.
              await pause((w * 7 + t * 3 + e) % 4);
            }
            if (rollsBack) throw new Error('rolled back on purpose');
            return appended;
          });
          committed.push(...cursors);
        } catch (error) {
          if (!rollsBack) throw error;
        }
      }
    };
    // A reader that keeps a position, reading as fast as it can while the writers run.
    const seen: string[] = [];
    const reader = (async () => {
      let position = '0';
      while (running || BigInt(position) < BigInt(await lastCommittedCursor(db))) {
        const batch = await readEvents(db, position, 50);
        for (const event of batch) seen.push(event.cursor);
        if (batch.length > 0) position = batch[batch.length - 1]!.cursor;
        else await pause(1);
      }
    })();
    // Consumers and a follower, reading as the project's own readers do: the consumers share one tail.
    const consumer = runConsumer({
      name: 'concurrent',
      source: db,
      wakeup,
      sink: sqlSink(db, 'projection', 'concurrent', eachEvent(record)),
      batchSize: 5,
    });
    const alongside = ['second', 'third'].map((name, index) => {
      const applied: string[] = [];
      const running = runConsumer({
        name,
        source: db,
        wakeup,
        sink: sqlSink(
          db,
          'projection',
          name,
          eachEvent(async (_tx, event) => void applied.push(event.cursor)),
        ),
        batchSize: 3 + index * 40,
      });
      return { applied, running };
    });
    const controller = new AbortController();
    const followed: string[] = [];
    const following = (async () => {
      for await (const event of followEvents(db, wakeup, '0', controller.signal)) followed.push(event.cursor);
    })();

    await Promise.all(Array.from({ length: WRITERS }, (_, w) => writer(w)));
    running = false;
    await reader;
    const last = await lastCommittedCursor(db);
    await consumer.caughtUp(last);
    await consumer.stop();
    for (const { running } of alongside) {
      await running.caughtUp(last);
      await running.stop();
    }
    // A follower that lost an event would wait for it forever: give up after a while, and compare.
    for (let waited = 0; followed.length < committed.length && waited < 10_000; waited += 5) await pause(5);
    controller.abort();
    await following;

    const inOrder = [...committed].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1));
    expect(seen).toEqual(inOrder);
    expect(followed).toEqual(inOrder);
    const { rows } = await db.query<{ cursor: string }>(
      'SELECT cursor FROM projection.applied ORDER BY cursor',
    );
    expect(rows.map((row) => row.cursor)).toEqual(inOrder);
    for (const { applied } of alongside) expect(applied).toEqual(inOrder);
    expect(await latestCursor(db)).toBe(last);
  });
});

// One connection cannot hold a transaction open while another commits: only a server shows the wait.
if (engineUnderTest === 'postgres') {
  describe('a cursor still in flight', () => {
    it('holds readers below it until its transaction ends, however many later cursors commit', async () => {
      const [before] = await appendMany(1);
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      let inFlight = '';
      const slow = db.transaction(async (tx) => {
        inFlight = (
          await appendEvent(tx, {
            type: 'Counted',
            aggregateType: 'Counter',
            aggregateId: 'slow',
            payload: { seq: 1 },
          })
        ).cursor;
        await held;
      });
      while (!inFlight) await pause(1);
      const later = await appendMany(3, 2);
      expect(BigInt(later[0]!.cursor)).toBeGreaterThan(BigInt(inFlight));
      expect((await readEvents(db, '0', 10)).map((event) => event.cursor)).toEqual([before!.cursor]);
      const step = await log.readSettled(db, '0', 10);
      expect(step.events.map((event) => event.cursor)).toEqual([before!.cursor]);
      expect(step).toMatchObject({ through: before!.cursor, settled: true, later: true });
      expect(await latestCursor(db)).toBe(before!.cursor);
      // Lookups that keep no position see what has committed.
      expect(await log.readCommitted(db, '0', 10)).toHaveLength(4);

      release();
      await slow;
      expect((await readEvents(db, '0', 10)).map((event) => event.payload.seq)).toEqual([0, 1, 2, 3, 4]);
      expect(await log.readSettled(db, '0', 10)).toMatchObject({ through: later[2]!.cursor, later: false });
    });

    it('a transaction that rolls back releases the readers it held', async () => {
      await expect(
        db.transaction(async (tx) => {
          await appendEvent(tx, { type: 'Lost', aggregateType: 'X', aggregateId: '1', payload: {} });
          await appendMany(2);
          throw new Error('the writer fails after appending');
        }),
      ).rejects.toThrow('the writer fails');
      expect((await readEvents(db, '0', 10)).map((event) => event.payload.seq)).toEqual([0, 1]);
    });
  });
}

// Only a server can drop connections; PGlite runs in-process.
if (engineUnderTest === 'postgres') {
  describe('when the PostgreSQL server drops every connection', () => {
    it('queries go on and notifications resume on a new listening connection', async () => {
      const received: string[] = [];
      await db.listen('dropped_test', (payload) => received.push(payload));
      await db.query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
          WHERE datname = current_database() AND pid <> pg_backend_pid()`,
      );
      const deadline = Date.now() + 10_000;
      while (received.length === 0 && Date.now() < deadline) {
        await db.query(`SELECT pg_notify('dropped_test', 'after')`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      expect(received).toContain('after');
    });
  });
}
