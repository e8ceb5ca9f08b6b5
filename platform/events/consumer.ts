import type { Database, Queryable } from '../db/database.ts';
import { quoteIdent } from '../db/migrate.ts';
import { EventContractError, eventLog, type EventWakeup, type LoggedEvent } from './eventLog.ts';

/**
 * Where a consumer applies events and keeps its position. `applyBatch` must store the new position in
 * the same transaction as the batch's effects: that is what makes delivery exactly-once across restarts.
 */
export interface ConsumerSink<Event extends { cursor: string } = LoggedEvent> {
  position(): Promise<string>;
  applyBatch(events: readonly Event[]): Promise<void>;
}

export interface RunningConsumer {
  readonly name: string;
  /**
   * Resolves once every event up to `cursor` has been applied; rejects if the consumer has stopped on an
   * event that breaks the contract before reaching it.
   */
  caughtUp(cursor: string): Promise<void>;
  /** The error the consumer stopped on, if it did. */
  readonly failure: EventContractError | undefined;
  stop(): Promise<void>;
}

export interface ConsumerOptions<Event extends { cursor: string } = LoggedEvent> {
  name: string;
  source: Database;
  wakeup: EventWakeup;
  sink: ConsumerSink<Event>;
  batchSize?: number;
  onError?: (error: unknown) => void;
}

/** How a consumer reads: the project's event log, or another log over a contract of its own. */
export type EventReader<Event> = (db: Database, after: string, limit: number) => Promise<Event[]>;

/** A consumer of the project's event log. */
export function runConsumer(options: ConsumerOptions): RunningConsumer {
  return runConsumerOn((db, after, limit) => eventLog.read(db, after, limit), options);
}

/**
 * Applies events from `read` to the sink, in cursor order, from the position the sink stored. A failing
 * batch is retried with backoff; an event that breaks the contract stops the consumer (retrying cannot
 * help, and skipping it would lose what it says): the error names its cursor and type.
 */
export function runConsumerOn<Event extends { cursor: string }>(
  read: EventReader<Event>,
  options: ConsumerOptions<Event>,
): RunningConsumer {
  const { source, wakeup, sink, name } = options;
  const batchSize = options.batchSize ?? 100;
  const controller = new AbortController();
  let applied = 0n;
  let failure: EventContractError | undefined;
  const waiters: { cursor: bigint; resolve: () => void; reject: (error: Error) => void }[] = [];

  const advance = (cursor: string) => {
    applied = BigInt(cursor);
    for (const waiter of waiters.filter((w) => w.cursor <= applied)) {
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve();
    }
  };

  const loop = async () => {
    let backoffMs = 100;
    while (!controller.signal.aborted) {
      try {
        const position = await sink.position();
        advance(position);
        const batch = await read(source, position, batchSize);
        if (batch.length === 0) {
          await wakeup.wait(5_000, controller.signal);
          continue;
        }
        await sink.applyBatch(batch);
        advance(batch[batch.length - 1]!.cursor);
        backoffMs = 100;
      } catch (error) {
        if (controller.signal.aborted) break;
        (options.onError ?? ((e) => console.error(`consumer ${name}:`, e)))(error);
        if (error instanceof EventContractError) {
          failure = error;
          for (const waiter of waiters.splice(0)) waiter.reject(error);
          break;
        }
        await wakeup.wait(backoffMs, controller.signal);
        backoffMs = Math.min(backoffMs * 2, 10_000);
      }
    }
  };
  const running = loop();

  return {
    name,
    get failure() {
      return failure;
    },
    caughtUp(cursor) {
      if (BigInt(cursor) <= applied) return Promise.resolve();
      if (failure) return Promise.reject(failure);
      return new Promise((resolve, reject) => waiters.push({ cursor: BigInt(cursor), resolve, reject }));
    },
    async stop() {
      controller.abort();
      await running;
    },
  };
}

/**
 * A consumer whose effects live in PostgreSQL: its offset row sits in `schema.consumer_offsets`, updated
 * in the transaction that applies the batch.
 */
export function sqlSink<Event extends { cursor: string } = LoggedEvent>(
  db: Database,
  schema: string,
  consumer: string,
  apply: (tx: Queryable, event: Event) => Promise<void>,
): ConsumerSink<Event> {
  const table = `${quoteIdent(schema)}.consumer_offsets`;
  return {
    async position() {
      const row = await db.maybeOne<{ cursor: string }>(`SELECT cursor FROM ${table} WHERE consumer = $1`, [
        consumer,
      ]);
      return row?.cursor ?? '0';
    },
    applyBatch: (events) =>
      db.transaction(async (tx) => {
        await tx.query(`INSERT INTO ${table} (consumer, cursor) VALUES ($1, 0) ON CONFLICT DO NOTHING`, [
          consumer,
        ]);
        const stored = await tx.one<{ cursor: string }>(
          `SELECT cursor FROM ${table} WHERE consumer = $1 FOR UPDATE`,
          [consumer],
        );
        const last = await applyFresh(stored.cursor, events, (event) => apply(tx, event));
        if (last) await tx.query(`UPDATE ${table} SET cursor = $2 WHERE consumer = $1`, [consumer, last]);
      }),
  };
}

/**
 * Applies the events of a batch that come after `stored`, the position read under the sink's lock (another
 * instance of the same consumer may have applied part of the batch meanwhile). Returns the cursor to store,
 * or undefined when nothing was new. Every sink (SQL, Neo4j) commits its position this way.
 */
export async function applyFresh<Event extends { cursor: string }>(
  stored: string,
  events: readonly Event[],
  apply: (event: Event) => Promise<void>,
): Promise<string | undefined> {
  const fresh = events.filter((event) => BigInt(event.cursor) > BigInt(stored));
  for (const event of fresh) await apply(event);
  return fresh[fresh.length - 1]?.cursor;
}
