import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { RowCountError, type Database, type Queryable, type SqlValue } from '../db/database.ts';
import { migrate } from '../db/migrate.ts';
import { Wakeup } from '../db/wakeup.ts';
import { EVENT_SHAPES, type EventType as ContractType } from './contract.ts';
import { ShapeError, type Infer, type Shape } from './shape.ts';

export const EVENT_SCHEMA = 'events';
const CHANNEL = 'event_log';
/**
 * How long a reader with nothing new waits for the next append: briefly while committed events wait on an
 * earlier cursor still in flight (its transaction may roll back, which wakes no one), else until the slow
 * poll that covers a lost notification.
 */
export const idleWaitMs = (later: boolean): number => (later ? 50 : 5_000);

/**
 * Transactions that have enlisted as appenders (see migration 004): enlisting once per transaction is
 * enough, since every cursor it draws afterwards lies above its key.
 */
const enlisted = new WeakSet<Queryable>();

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

const EVENT_COLUMNS = [
  'cursor',
  'type',
  'aggregate_type',
  'aggregate_id',
  'parties',
  'actor',
  'payload',
  'occurred_at',
] as const satisfies readonly (keyof EventRow)[];
/** Names the appended event's columns beside the change's own (`appendWith`), where no column is named so. */
const EVENT_PREFIX = 'appended event.';
type PrefixedEventRow = { [K in keyof EventRow as `${typeof EVENT_PREFIX}${K}`]: EventRow[K] };

function splitEventRow<Row>(joined: Row & PrefixedEventRow): { row: Row; eventRow: EventRow } {
  const row: Record<string, unknown> = { ...joined };
  const eventRow: Record<string, unknown> = {};
  for (const column of EVENT_COLUMNS) {
    eventRow[column] = row[`${EVENT_PREFIX}${column}`];
    delete row[`${EVENT_PREFIX}${column}`];
  }
  // The change's columns, and the event's, as the statement returned them.
  return { row: row as Row, eventRow: eventRow as unknown as EventRow };
}

function appendParams<S extends Shapes, T extends NameOf<S>>(event: NewEventOf<S, T>): SqlValue[] {
  return [
    event.type,
    event.aggregateType,
    event.aggregateId,
    [...(event.parties ?? [])],
    event.actor ?? null,
    JSON.stringify(event.payload),
  ];
}

/** A row of `events.read_settled`: where the log is settled, and an event after the position, if any. */
type SettledStepRow = { settled: string; later: boolean } & (EventRow | { [K in keyof EventRow]: null });

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
 * The settled cursor: every event at or below it that will ever commit has committed. Appends do not wait
 * for one another, so cursors may commit out of order; a reader that keeps a position reads only up to
 * here, and so never passes a cursor that an unfinished transaction may still commit.
 */
async function settledCursor(db: Queryable): Promise<string> {
  const { rows } = await db.query<{ cursor: string }>('SELECT events.settled_cursor()::int8 AS cursor');
  return rows[0]?.cursor ?? '0';
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
    const row = await tx.one<EventRow>(`${this.insertion(tx, 0)} RETURNING *`, appendParams(event));
    return this.readBack(row, event.type);
  };

  /**
   * `append` in the statement that makes the change the event records: `change`, one data-modifying
   * statement with RETURNING and parameters of its own, must return exactly one row, which comes back
   * with the event. One statement where a step took two; if the change finds nothing to change, it throws,
   * and the caller's transaction rolls the event back.
   */
  appendWith = async <T extends NameOf<S>, Row extends object>(
    tx: Queryable,
    change: { sql: string; params: readonly SqlValue[] },
    event: NewEventOf<S, T>,
  ): Promise<{ row: Row; event: EventOf<S, T> }> => {
    const { rows } = await tx.query<Row & PrefixedEventRow>(
      `WITH change AS (${change.sql}),
            appended AS (${this.insertion(tx, change.params.length)} RETURNING *)
       SELECT change.*, ${EVENT_COLUMNS.map((column) => `appended.${column} AS "${EVENT_PREFIX}${column}"`).join(', ')}
         FROM change, appended`,
      [...change.params, ...appendParams(event)],
    );
    if (rows.length !== 1)
      throw new RowCountError('one row', rows.length, `the change recorded as ${event.type}`);
    const { row, eventRow } = splitEventRow<Row>(rows[0]!);
    return { row, event: this.readBack(eventRow, event.type) };
  };

  /**
   * The INSERT of one event, its parameters numbered after `offset` others. A transaction's first append
   * enlists in the same statement: the function scan in FROM runs before the row it yields draws its
   * cursor (the identity default), so the cursor lies above the key.
   */
  private insertion(tx: Queryable, offset: number): string {
    const first = !enlisted.has(tx);
    if (first) {
      enlisted.add(tx);
      tx.notifyOnCommit(CHANNEL);
    }
    const [type, aggregateType, aggregateId, parties, actor, payload] = [1, 2, 3, 4, 5, 6].map(
      (n) => `$${offset + n}`,
    );
    return `INSERT INTO events.event_log (type, aggregate_type, aggregate_id, parties, actor, payload)
       SELECT ${type}, ${aggregateType}, ${aggregateId}, ${parties}, ${actor}, ${payload}::text::jsonb
       ${first ? 'FROM events.enlist_appender()' : ''}`;
  }

  /** Read back through the contract: a payload that would stop its readers never commits. */
  private readBack<T extends NameOf<S>>(row: EventRow, type: T): EventOf<S, T> {
    const appended = this.toEvent(row);
    if (!isOf(appended, [type])) throw new Error(`appended ${type}, read back ${appended.type}`);
    return appended;
  }

  /**
   * Events after `after` in cursor order, up to the settled cursor: what a reader that keeps a position
   * (a consumer, a subscription, a replay) takes, so that having read up to N it never later finds a
   * committed event below N. A stored event that breaks the contract ends the read: the events before it
   * are returned, and the next read (starting at it) throws an `EventContractError` naming it, so a
   * reader stops there and never skips it.
   */
  read = async <T extends NameOf<S> = NameOf<S>>(
    db: Queryable,
    after: string,
    /** null: every event that matches. */
    limit: number | null,
    filter: EventFilter<T> = {},
  ): Promise<EventOf<S, T>[]> => {
    // A statement of its own, before the read: the read's snapshot must see what committed up to here.
    const settled = await settledCursor(db);
    if (BigInt(settled) <= BigInt(after)) return [];
    return (await this.readRows(db, after, settled, limit, filter)).events;
  };

  /**
   * One step of a reader that follows the whole log: `read` without a filter, saying also how far it
   * reached (`through`: every event above `after` up to it is in `events`), whether that is the settled
   * cursor (`settled`; if not, the limit or an event that breaks the contract stopped the read), and
   * whether committed events wait above the settled cursor for one still in flight (`later`).
   */
  readSettled = async (
    db: Queryable,
    after: string,
    limit: number,
  ): Promise<{ events: EventOf<S>[]; through: string; settled: boolean; later: boolean }> => {
    // One statement, as followers take this step after every append: `read`'s two, in a function whose
    // read takes its snapshot after the settled cursor (migration 005).
    const { rows } = await db.query<SettledStepRow>(
      'SELECT * FROM events.read_settled($1::bigint, $2::int)',
      [after, limit],
    );
    const settled = rows[0]?.settled ?? '0';
    const later = rows[0]?.later ?? false;
    if (BigInt(settled) <= BigInt(after)) return { events: [], through: after, settled: true, later };
    const { events, complete } = this.toEvents(
      rows.filter((row): row is SettledStepRow & EventRow => row.cursor !== null),
      undefined,
    );
    if (complete && events.length < limit) return { events, through: settled, settled: true, later };
    return { events, through: events[events.length - 1]?.cursor ?? after, settled: false, later };
  };

  /**
   * Events after `after` committed now, in cursor order, including those above a cursor still in flight:
   * for lookups that keep no position (an aggregate's history, a check inside a write). A reader that
   * resumes from the last cursor it saw uses `read`.
   */
  readCommitted = async <T extends NameOf<S> = NameOf<S>>(
    db: Queryable,
    after: string,
    /** null: every event that matches (an aggregate's whole history, say). */
    limit: number | null,
    filter: EventFilter<T> = {},
  ): Promise<EventOf<S, T>[]> => (await this.readRows(db, after, null, limit, filter)).events;

  private readRows = async <T extends NameOf<S>>(
    db: Queryable,
    after: string,
    upTo: string | null,
    limit: number | null,
    filter: EventFilter<T>,
  ): Promise<{ events: EventOf<S, T>[]; complete: boolean }> => {
    const { rows } = await db.query<EventRow>(
      `SELECT * FROM events.event_log
        WHERE cursor > $1::bigint
          AND ($8::bigint IS NULL OR cursor <= $8::bigint)
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
        upTo,
      ],
    );
    return this.toEvents(rows, filter.types);
  };

  /**
   * Stored rows as events of `types`. A row that breaks the contract ends them: the events before it are
   * returned, incomplete; if it is the first, its `EventContractError` is thrown.
   */
  private toEvents<T extends NameOf<S>>(
    rows: readonly EventRow[],
    types: readonly T[] | undefined,
  ): { events: EventOf<S, T>[]; complete: boolean } {
    const events: EventOf<S, T>[] = [];
    for (const row of rows) {
      let event: EventOf<S>;
      try {
        event = this.toEvent(row);
      } catch (error) {
        if (events.length > 0) return { events, complete: false };
        throw error;
      }
      if (isOf(event, types)) events.push(event);
    }
    return { events, complete: true };
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
export const appendEventWith = eventLog.appendWith;
export const readEvents = eventLog.read;
export const readCommittedEvents = eventLog.readCommitted;

/**
 * The cursor of the latest settled event (0 when there is none): a reader that starts here misses
 * nothing that commits later.
 */
export async function latestCursor(db: Queryable): Promise<string> {
  const settled = await settledCursor(db);
  const row = await db.one<{ cursor: string }>(
    'SELECT COALESCE(max(cursor), 0)::int8 AS cursor FROM events.event_log WHERE cursor <= $1::bigint',
    [settled],
  );
  return row.cursor;
}

/**
 * The cursor of the latest committed event, settled or not: what a consumer must reach to have applied
 * everything committed so far (it reaches it once the cursors in flight below it have settled).
 */
export async function lastCommittedCursor(db: Queryable): Promise<string> {
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
export class EventWakeup extends Wakeup {
  constructor(db: Database) {
    super(db, CHANNEL);
  }
}
