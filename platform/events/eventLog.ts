import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Database, Queryable } from '../db/database.ts';
import { migrate } from '../db/migrate.ts';
import { EVENT_SHAPES, type EventType as ContractType } from './contract.ts';
import { ShapeError, type Infer, type Shape } from './shape.ts';

export const EVENT_SCHEMA = 'events';
const CHANNEL = 'event_log';
/**
 * Appends take this lock until their transaction ends, so cursors become visible in cursor order and a
 * reader that has seen cursor N can never later find a committed cursor below N.
 */
const APPEND_LOCK = 7_342_001;

type Shapes = Record<string, Shape<unknown>>;
type NameOf<S extends Shapes> = keyof S & string;

/** An event to append: its payload is exactly the one its type declares in the contract. */
export interface NewEventOf<S extends Shapes, T extends NameOf<S>> {
  type: T;
  aggregateType: string;
  aggregateId: string;
  payload: Infer<S[T]>;
  parties?: readonly string[];
  actor?: string | undefined;
}

/** Every event of contract `S`, as read back: `type` tells the payloads apart (a switch on it narrows). */
type AnyEventOf<S extends Shapes> = {
  [K in NameOf<S>]: {
    /** Global, monotonically increasing position; opaque to clients. */
    cursor: string;
    type: K;
    aggregateType: string;
    aggregateId: string;
    parties: string[];
    actor: string | null;
    payload: Infer<S[K]>;
    occurredAt: Date;
  };
}[NameOf<S>];

/** An event of contract `S` of one of the types `T`; it is also an event of any type (`EventOf<S>`). */
export type EventOf<S extends Shapes, T extends NameOf<S> = NameOf<S>> = Extract<AnyEventOf<S>, { type: T }>;

export type EventType = ContractType;
export type NewEvent<T extends EventType = EventType> = NewEventOf<typeof EVENT_SHAPES, T>;
/** An event of the project's contract, of type `T` (any type by default). */
export type LoggedEvent<T extends EventType = EventType> = EventOf<typeof EVENT_SHAPES, T>;

interface EventRow {
  cursor: string;
  type: string;
  aggregate_type: string;
  aggregate_id: string;
  parties: string[];
  actor: string | null;
  payload: unknown;
  occurred_at: Date;
}

/** A stored event its readers cannot take: of a type the contract does not know, or not of its shape. */
export class EventContractError extends Error {
  constructor(
    readonly cursor: string,
    readonly type: string,
    detail: string,
  ) {
    super(`event ${cursor} (${type}) breaks the event contract: ${detail}`);
    this.name = 'EventContractError';
  }
}

export interface EventFilter<T extends string = string> {
  types?: readonly T[];
  aggregateType?: string;
  aggregateId?: string;
  /** Events of any of these aggregates (of `aggregateType`). */
  aggregateIds?: readonly string[];
  /** Only events this partner is a party to. */
  party?: string;
}

export async function migrateEventLog(db: Database): Promise<void> {
  await migrate(db, EVENT_SCHEMA, path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations'));
}

/**
 * Takes the append lock now rather than at the first append: a writer that also locks rows takes this
 * first, so it cannot deadlock with a consumer batch that holds it from its first append.
 */
export async function lockEventLog(tx: Queryable): Promise<void> {
  await tx.query('SELECT pg_advisory_xact_lock($1)', [APPEND_LOCK]);
}

/**
 * The event log under one contract (a map of event type to payload shape): appends take only payloads of
 * their type's shape, reads hand out only events that match theirs. The project has one contract
 * (`contract.ts`) and one log over it, `eventLog`; the functions below are its methods.
 */
export class EventLog<S extends Shapes> {
  constructor(private readonly shapes: S) {}

  /** Appends in the caller's transaction: the event exists exactly when the change it describes does. */
  append = async <T extends NameOf<S>>(tx: Queryable, event: NewEventOf<S, T>): Promise<EventOf<S, T>> => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [APPEND_LOCK]);
    const row = await tx.one<EventRow>(
      `WITH appended AS (
         INSERT INTO events.event_log (type, aggregate_type, aggregate_id, parties, actor, payload)
         VALUES ($1, $2, $3, $4, $5, $6::text::jsonb) RETURNING *)
       SELECT appended.*, pg_notify('${CHANNEL}', appended.cursor::text) FROM appended`,
      [
        event.type,
        event.aggregateType,
        event.aggregateId,
        [...(event.parties ?? [])],
        event.actor ?? null,
        JSON.stringify(event.payload),
      ],
    );
    // Read back through the contract: a payload that would stop its readers never commits.
    const appended = this.toEvent(row);
    if (!isOf(appended, [event.type])) throw new Error(`appended ${event.type}, read back ${appended.type}`);
    return appended;
  };

  /**
   * Events after `after` in cursor order. A stored event that breaks the contract ends the read: the
   * events before it are returned, and the next read (starting at it) throws an `EventContractError`
   * naming it, so a reader stops there and never skips it.
   */
  read = async <T extends NameOf<S> = NameOf<S>>(
    db: Queryable,
    after: string,
    /** null: every event that matches (an aggregate's whole history, say). */
    limit: number | null,
    filter: EventFilter<T> = {},
  ): Promise<EventOf<S, T>[]> => {
    const { rows } = await db.query<EventRow>(
      `SELECT * FROM events.event_log
        WHERE cursor > $1::bigint
          AND ($2::text[] IS NULL OR type = ANY($2::text[]))
          AND ($3::text IS NULL OR aggregate_type = $3)
          AND ($4::text IS NULL OR aggregate_id = $4)
          AND ($6::text IS NULL OR $6 = ANY(parties))
          AND ($7::text[] IS NULL OR aggregate_id = ANY($7::text[]))
        ORDER BY cursor LIMIT $5`,
      [
        after,
        filter.types ? [...filter.types] : null,
        filter.aggregateType ?? null,
        filter.aggregateId ?? null,
        limit,
        filter.party ?? null,
        filter.aggregateIds ? [...filter.aggregateIds] : null,
      ],
    );
    const events: EventOf<S, T>[] = [];
    for (const row of rows) {
      let event: EventOf<S>;
      try {
        event = this.toEvent(row);
      } catch (error) {
        if (events.length > 0) break;
        throw error;
      }
      if (isOf(event, filter.types)) events.push(event);
    }
    return events;
  };

  /**
   * Yields every event after `after` in cursor order, then follows new ones as they are appended, until
   * `signal` aborts. Used by subscriptions; consumers use `runConsumer`, which also stores its position.
   */
  async *follow<T extends NameOf<S> = NameOf<S>>(
    db: Database,
    wakeup: EventWakeup,
    after: string,
    signal: AbortSignal,
    filter: EventFilter<T> = {},
  ): AsyncGenerator<EventOf<S, T>> {
    let position = after;
    while (!signal.aborted) {
      const batch = await this.read(db, position, 200, filter);
      for (const event of batch) {
        position = event.cursor;
        yield event;
      }
      if (batch.length === 0) await wakeup.wait(5_000, signal);
    }
  }

  private toEvent(row: EventRow): EventOf<S> {
    const shape = Object.hasOwn(this.shapes, row.type) ? this.shapes[row.type] : undefined;
    if (!shape) throw new EventContractError(row.cursor, row.type, 'the contract has no such event type');
    try {
      shape.check(row.payload, '');
    } catch (error) {
      if (error instanceof ShapeError) throw new EventContractError(row.cursor, row.type, error.message);
      throw error;
    }
    // The type is one of the contract's and the payload has that type's shape: checked just above.
    return {
      cursor: row.cursor,
      type: row.type,
      aggregateType: row.aggregate_type,
      aggregateId: row.aggregate_id,
      parties: row.parties,
      actor: row.actor,
      payload: row.payload,
      occurredAt: row.occurred_at,
    } as EventOf<S>;
  }
}

/** Whether `event` is of one of `types` (of any type when `types` is absent). */
export function isOf<S extends Shapes, T extends NameOf<S>>(
  event: EventOf<S>,
  types: readonly T[] | undefined,
): event is EventOf<S, T> {
  return types === undefined || (types as readonly string[]).includes(event.type);
}

/** The project's event log, over the one contract every subgraph shares. */
export const eventLog = new EventLog(EVENT_SHAPES);
export const appendEvent = eventLog.append;
export const readEvents = eventLog.read;
export const followEvents: typeof eventLog.follow = eventLog.follow.bind(eventLog);

export async function latestCursor(db: Queryable): Promise<string> {
  const row = await db.one<{ cursor: string }>(
    'SELECT COALESCE(max(cursor), 0)::int8 AS cursor FROM events.event_log',
  );
  return row.cursor;
}

export async function eventLogId(db: Queryable): Promise<string> {
  const row = await db.maybeOne<{ id: string }>('SELECT id FROM events.log_identity');
  if (!row) throw new Error('the event log has no identity; run its migrations');
  return row.id;
}

/**
 * Wakes every waiter of one database when an event is appended. One LISTEN per database, however many
 * readers; a slow poll covers a notification lost while a listener connection was being replaced.
 */
export class EventWakeup {
  private waiters = new Set<() => void>();
  private unlisten: (() => Promise<void>) | undefined;

  constructor(private readonly db: Database) {}

  async start(): Promise<void> {
    this.unlisten = await this.db.listen(CHANNEL, () => this.wakeAll());
  }

  /** Resolves on the next append, or after `timeoutMs`, or when `signal` aborts. */
  wait(timeoutMs: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(done);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      this.waiters.add(done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }

  async stop(): Promise<void> {
    this.wakeAll();
    await this.unlisten?.();
  }

  private wakeAll(): void {
    for (const wake of [...this.waiters]) wake();
  }
}
