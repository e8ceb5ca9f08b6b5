import type { Database, Queryable } from '../db/database.ts';
import { quoteIdent } from '../db/migrate.ts';
import {
  EventContractError,
  eventLog,
  isOf,
  type EventType,
  type EventWakeup,
  type LoggedEvent,
} from './eventLog.ts';
import { sharedTails, type FollowedLog, type SharedTail } from './tail.ts';

/**
 * Where a consumer applies events and keeps its position. `applyBatch` must store the new position in
 * the same transaction as the batch's effects: that is what makes delivery exactly-once across restarts.
 * A batch with no effects may leave the stored position behind: applying it again changes nothing.
 */
export interface ConsumerSink<Event extends { cursor: string } = LoggedEvent> {
  position(): Promise<string>;
  applyBatch(events: readonly Event[]): Promise<void>;
}

/** What a SQL consumer applies to a batch of events, in the transaction that stores its offset. */
export interface Applier<Event = LoggedEvent> {
  /**
   * Applies the batch's events, in cursor order. Given the batch at once, an applier can write with one
   * statement per batch what it would write with one per event: on PGlite, where every statement waits
   * its turn on one connection, the statements per event are what a stack's event rate is made of.
   */
  apply: (tx: Queryable, events: readonly Event[]) => Promise<void>;
  /**
   * Whether `apply` may act on an event, judged from the event alone (`apply` must do nothing to one it
   * refuses); by default, every event. A batch with none is passed over without a transaction (`passingOver`).
   */
  acts?: (event: Event) => boolean;
}

/** An applier that takes the events one by one. */
export function eachEvent<Event>(
  apply: (tx: Queryable, event: Event) => Promise<void>,
  acts?: (event: Event) => boolean,
): Applier<Event> {
  return {
    apply: async (tx, events) => {
      for (const event of events) await apply(tx, event);
    },
    ...(acts ? { acts } : {}),
  };
}

/**
 * An applier of the events of `types` only, one by one. `apply` is typed for them, so a case for a type
 * outside them does not compile: a list that forgot a type the switch handles cannot drop its events unseen.
 */
export function applierOf<T extends EventType>(
  types: readonly T[],
  apply: (tx: Queryable, event: LoggedEvent<T>) => Promise<void>,
): Required<Applier> {
  return batchApplierOf(types, async (tx, events) => {
    for (const event of events) await apply(tx, event);
  });
}

/** An applier of the events of `types` only, given all of a batch's at once (none: it is not called). */
export function batchApplierOf<T extends EventType>(
  types: readonly T[],
  apply: (tx: Queryable, events: readonly LoggedEvent<T>[]) => Promise<void>,
): Required<Applier> {
  const acts = (event: LoggedEvent): event is LoggedEvent<T> => isOf(event, types);
  return {
    acts,
    apply: async (tx, events) => {
      const ours = events.filter(acts);
      if (ours.length > 0) await apply(tx, ours);
    },
  };
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

/**
 * Consumers of `log`: those of one database share its reads (`SharedTail`, one per database and log).
 * The project's log has `runConsumer`; a test declares a log of its own.
 */
export function consumersOf<Event extends { cursor: string }>(
  log: FollowedLog<Event>,
  tailOf = sharedTails(log),
): (options: ConsumerOptions<Event>) => RunningConsumer {
  return (options) => consume(tailOf(options.source, options.wakeup), options);
}

/** The project's event log as each database's consumers and subscriptions read it. */
export const eventLogTail = sharedTails<LoggedEvent>(eventLog);

/** A consumer of the project's event log. */
export const runConsumer = consumersOf<LoggedEvent>(eventLog, eventLogTail);

/**
 * Applies events read through `tail` to the sink, in cursor order, from the position the sink stored. A
 * failing batch is retried with backoff; an event that breaks the contract stops the consumer (retrying
 * cannot help, and skipping it would lose what it says): the error names its cursor and type.
 */
function consume<Event extends { cursor: string }>(
  tail: SharedTail<Event>,
  options: ConsumerOptions<Event>,
): RunningConsumer {
  const { wakeup, sink, name } = options;
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
    // Read from the sink once, then kept: the sink stores each batch's end with its effects (or later,
    // for a batch without any). Another instance of the same consumer may be further on; the sink then
    // applies only what that instance has not.
    let position: string | undefined;
    while (!controller.signal.aborted) {
      try {
        position ??= await sink.position();
        advance(position);
        const batch = await tail.next(position, batchSize, controller.signal);
        if (batch.length === 0) continue;
        await sink.applyBatch(batch);
        position = batch[batch.length - 1]!.cursor;
        advance(position);
        backoffMs = 100;
      } catch (error) {
        position = undefined;
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

/** Events a consumer passes over, or for how long, before it stores its position anyway (a restart rereads them). */
const PASS_OVER_EVENTS = 1_000;
const PASS_OVER_MS = 5_000;

/**
 * `sink`, passing over batches with no event `acts` on: they cost no transaction, and the position catches
 * up with the next batch that has effects, or after a while. Most events concern few consumers (a new
 * order, none of the network's), and a transaction per batch to store a position was most of the work
 * such a consumer gave its database.
 */
export function passingOver<Event extends { cursor: string }>(
  acts: (event: Event) => boolean,
  sink: ConsumerSink<Event>,
): ConsumerSink<Event> {
  /** Events passed over since the position was last stored, and when the first of them was. */
  let passedOver = 0;
  let passingSince = 0;
  return {
    async position() {
      const cursor = await sink.position();
      passedOver = 0;
      return cursor;
    },
    async applyBatch(events) {
      if (!events.some(acts)) {
        if (passedOver === 0) passingSince = Date.now();
        passedOver += events.length;
        if (passedOver < PASS_OVER_EVENTS && Date.now() - passingSince < PASS_OVER_MS) return;
      }
      await sink.applyBatch(events);
      passedOver = 0;
    },
  };
}

/**
 * A consumer whose effects live in PostgreSQL: its offset row sits in `schema.consumer_offsets`, updated
 * in the transaction that applies the batch. A batch with no event `acts` on is passed over (`passingOver`).
 */
export function sqlSink<Event extends { cursor: string } = LoggedEvent>(
  db: Database,
  schema: string,
  consumer: string,
  { apply, acts = () => true }: Applier<Event>,
): ConsumerSink<Event> {
  const table = `${quoteIdent(schema)}.consumer_offsets`;
  const lockOffset = `SELECT cursor FROM ${table} WHERE consumer = $1 FOR UPDATE`;
  /** The offset as this instance last read or stored it; another instance may have moved it since. */
  let stored: string | undefined;
  return passingOver(acts, {
    async position() {
      const row = await db.maybeOne<{ cursor: string }>(`SELECT cursor FROM ${table} WHERE consumer = $1`, [
        consumer,
      ]);
      stored = row?.cursor ?? '0';
      return stored;
    },
    async applyBatch(events) {
      const from = stored;
      // A batch that starts at or below the stored offset overlaps what another instance applied: only
      // the locked way sorts out which of its events are new.
      if (from === undefined || BigInt(events[0]?.cursor ?? from) <= BigInt(from)) return applyLocked(events);
      if (!(await applyAfter(events, from))) await applyLocked(events);
    },
  });

  /**
   * The usual case, one statement beside the effects: the offset moves from `from` to the batch's end if
   * it still is `from`, which also locks it against another instance for the rest of the transaction. If
   * another instance has moved it, nothing is applied and the caller takes the locked way.
   */
  async function applyAfter(events: readonly Event[], from: string): Promise<boolean> {
    const last = events[events.length - 1]?.cursor ?? from;
    try {
      await db.transaction(async (tx) => {
        const moved = await tx.query(`UPDATE ${table} SET cursor = $3 WHERE consumer = $1 AND cursor = $2`, [
          consumer,
          from,
          last,
        ]);
        if (moved.rowCount !== 1) throw new OffsetMoved();
        await apply(tx, events);
      });
    } catch (error) {
      if (error instanceof OffsetMoved) return false;
      throw error;
    }
    stored = last;
    return true;
  }

  /** Under the offset row's lock, the events after the stored offset (the row is made on first use). */
  async function applyLocked(events: readonly Event[]): Promise<void> {
    if (events.length === 0) return;
    const cursor = await db.transaction(async (tx) => {
      let locked = await tx.maybeOne<{ cursor: string }>(lockOffset, [consumer]);
      if (!locked) {
        await tx.query(`INSERT INTO ${table} (consumer, cursor) VALUES ($1, 0) ON CONFLICT DO NOTHING`, [
          consumer,
        ]);
        locked = await tx.one<{ cursor: string }>(lockOffset, [consumer]);
      }
      const last = await applyFresh(locked.cursor, events, (fresh) => apply(tx, fresh));
      if (!last) return locked.cursor;
      await tx.query(`UPDATE ${table} SET cursor = $2 WHERE consumer = $1`, [consumer, last]);
      return last;
    });
    stored = cursor;
  }
}

/** The offset a batch was read from is no longer the stored one: another instance applied past it. */
class OffsetMoved extends Error {}

/**
 * Applies the events of a batch that come after `stored`, the position read under the sink's lock (another
 * instance of the same consumer may have applied part of the batch meanwhile). Returns the cursor to store,
 * or undefined when nothing was new. Every sink (SQL, Neo4j) commits its position this way.
 */
export async function applyFresh<Event extends { cursor: string }>(
  stored: string,
  events: readonly Event[],
  apply: (fresh: readonly Event[]) => Promise<void>,
): Promise<string | undefined> {
  const fresh = events.filter((event) => BigInt(event.cursor) > BigInt(stored));
  if (fresh.length > 0) await apply(fresh);
  return fresh[fresh.length - 1]?.cursor;
}
