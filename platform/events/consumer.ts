import type { Database, Queryable } from '../db/database.ts';
import { quoteIdent } from '../db/migrate.ts';
import { readEvents, type EventWakeup, type LoggedEvent } from './eventLog.ts';

/**
 * Where a consumer applies events and keeps its position. `applyBatch` must store the new position in
 * the same transaction as the batch's effects: that is what makes delivery exactly-once across restarts.
 */
export interface ConsumerSink {
  position(): Promise<string>;
  applyBatch(events: readonly LoggedEvent[]): Promise<void>;
}

export interface RunningConsumer {
  readonly name: string;
  /** Resolves once every event up to `cursor` has been applied. */
  caughtUp(cursor: string): Promise<void>;
  stop(): Promise<void>;
}

export interface ConsumerOptions {
  name: string;
  source: Database;
  wakeup: EventWakeup;
  sink: ConsumerSink;
  batchSize?: number;
  onError?: (error: unknown) => void;
}

export function runConsumer(options: ConsumerOptions): RunningConsumer {
  const { source, wakeup, sink, name } = options;
  const batchSize = options.batchSize ?? 100;
  const controller = new AbortController();
  let applied = 0n;
  const waiters: { cursor: bigint; resolve: () => void }[] = [];

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
        const batch = await readEvents(source, position, batchSize);
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
        await wakeup.wait(backoffMs, controller.signal);
        backoffMs = Math.min(backoffMs * 2, 10_000);
      }
    }
  };
  const running = loop();

  return {
    name,
    caughtUp(cursor) {
      if (BigInt(cursor) <= applied) return Promise.resolve();
      return new Promise((resolve) => waiters.push({ cursor: BigInt(cursor), resolve }));
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
export function sqlSink(
  db: Database,
  schema: string,
  consumer: string,
  apply: (tx: Queryable, event: LoggedEvent) => Promise<void>,
): ConsumerSink {
  const table = `${quoteIdent(schema)}.consumer_offsets`;
  return {
    async position() {
      const { rows } = await db.query<{ cursor: string }>(`SELECT cursor FROM ${table} WHERE consumer = $1`, [
        consumer,
      ]);
      return rows[0]?.cursor ?? '0';
    },
    applyBatch: (events) =>
      db.transaction(async (tx) => {
        await tx.query(`INSERT INTO ${table} (consumer, cursor) VALUES ($1, 0) ON CONFLICT DO NOTHING`, [
          consumer,
        ]);
        const { rows } = await tx.query<{ cursor: string }>(
          `SELECT cursor FROM ${table} WHERE consumer = $1 FOR UPDATE`,
          [consumer],
        );
        // Another instance of the same consumer may have applied part of the batch meanwhile.
        const stored = BigInt(rows[0]?.cursor ?? '0');
        const fresh = events.filter((event) => BigInt(event.cursor) > stored);
        for (const event of fresh) await apply(tx, event);
        const last = fresh[fresh.length - 1];
        if (last)
          await tx.query(`UPDATE ${table} SET cursor = $2 WHERE consumer = $1`, [consumer, last.cursor]);
      }),
  };
}
