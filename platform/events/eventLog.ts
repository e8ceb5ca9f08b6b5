import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Database, Queryable } from '../db/database.ts';
import { migrate } from '../db/migrate.ts';

export const EVENT_SCHEMA = 'events';
const CHANNEL = 'event_log';
/**
 * Appends take this lock until their transaction ends, so cursors become visible in cursor order and a
 * reader that has seen cursor N can never later find a committed cursor below N.
 */
const APPEND_LOCK = 7_342_001;

export interface NewEvent {
  type: string;
  aggregateType: string;
  aggregateId: string;
  payload: Record<string, unknown>;
  parties?: readonly string[];
  actor?: string | undefined;
}

export interface LoggedEvent {
  /** Global, monotonically increasing position; opaque to clients. */
  cursor: string;
  type: string;
  aggregateType: string;
  aggregateId: string;
  parties: string[];
  actor: string | null;
  payload: Record<string, unknown>;
  occurredAt: Date;
}

interface EventRow {
  cursor: string;
  type: string;
  aggregate_type: string;
  aggregate_id: string;
  parties: string[];
  actor: string | null;
  payload: Record<string, unknown>;
  occurred_at: Date;
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

/** Appends in the caller's transaction: the event exists exactly when the change it describes does. */
export async function appendEvent(tx: Queryable, event: NewEvent): Promise<LoggedEvent> {
  await tx.query('SELECT pg_advisory_xact_lock($1)', [APPEND_LOCK]);
  const { rows } = await tx.query<EventRow>(
    `WITH appended AS (
       INSERT INTO events.event_log (type, aggregate_type, aggregate_id, parties, actor, payload)
       VALUES ($1, $2, $3, $4, $5, $6) RETURNING *)
     SELECT appended.*, pg_notify('${CHANNEL}', appended.cursor::text) FROM appended`,
    [
      event.type,
      event.aggregateType,
      event.aggregateId,
      [...(event.parties ?? [])],
      event.actor ?? null,
      event.payload,
    ],
  );
  return toEvent(rows[0] as EventRow);
}

export interface EventFilter {
  types?: readonly string[];
  aggregateType?: string;
  aggregateId?: string;
  /** Only events this partner is a party to. */
  party?: string;
}

export async function readEvents(
  db: Queryable,
  after: string,
  limit: number,
  filter: EventFilter = {},
): Promise<LoggedEvent[]> {
  const { rows } = await db.query<EventRow>(
    `SELECT * FROM events.event_log
      WHERE cursor > $1::bigint
        AND ($2::text[] IS NULL OR type = ANY($2::text[]))
        AND ($3::text IS NULL OR aggregate_type = $3)
        AND ($4::text IS NULL OR aggregate_id = $4)
        AND ($6::text IS NULL OR $6 = ANY(parties))
      ORDER BY cursor LIMIT $5`,
    [
      after,
      filter.types ? [...filter.types] : null,
      filter.aggregateType ?? null,
      filter.aggregateId ?? null,
      limit,
      filter.party ?? null,
    ],
  );
  return rows.map(toEvent);
}

export async function latestCursor(db: Queryable): Promise<string> {
  const { rows } = await db.query<{ cursor: string }>(
    'SELECT COALESCE(max(cursor), 0)::int8 AS cursor FROM events.event_log',
  );
  return rows[0]?.cursor ?? '0';
}

export async function eventLogId(db: Queryable): Promise<string> {
  const { rows } = await db.query<{ id: string }>('SELECT id FROM events.log_identity');
  if (!rows[0]) throw new Error('the event log has no identity; run its migrations');
  return rows[0].id;
}

function toEvent(row: EventRow): LoggedEvent {
  return {
    cursor: row.cursor,
    type: row.type,
    aggregateType: row.aggregate_type,
    aggregateId: row.aggregate_id,
    parties: row.parties,
    actor: row.actor,
    payload: row.payload,
    occurredAt: row.occurred_at,
  };
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

/**
 * Yields every event after `after` in cursor order, then follows new ones as they are appended, until
 * `signal` aborts. Used by subscriptions; consumers use `runConsumer`, which also stores its position.
 */
export async function* followEvents(
  db: Database,
  wakeup: EventWakeup,
  after: string,
  signal: AbortSignal,
  filter: EventFilter = {},
): AsyncGenerator<LoggedEvent> {
  let position = after;
  while (!signal.aborted) {
    const batch = await readEvents(db, position, 200, filter);
    for (const event of batch) {
      position = event.cursor;
      yield event;
    }
    if (batch.length === 0) await wakeup.wait(5_000, signal);
  }
}
