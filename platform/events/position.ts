import type { Queryable } from '../db/database.ts';

/**
 * Where the event log stands: its highest visible cursor and the database clock, read by one statement so
 * the pair is one moment (a catalog sync starts from both). `latestCursor` when the clock is not needed.
 */
export async function logPosition(db: Queryable): Promise<{ cursor: string; at: Date }> {
  return db.one<{ cursor: string; at: Date }>(
    `SELECT COALESCE(max(cursor), 0)::int8 AS cursor, clock_timestamp() AS at FROM events.event_log`,
  );
}
