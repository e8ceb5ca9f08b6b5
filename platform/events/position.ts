import type { Queryable } from '../db/database.ts';

/**
 * Where the event log stands: its settled cursor (no event at or below it can commit later) and the
 * database clock, read by one statement so the pair is one moment (a catalog sync starts from both).
 * `latestCursor` when the clock is not needed.
 */
export async function logPosition(db: Queryable): Promise<{ cursor: string; at: Date }> {
  return db.one<{ cursor: string; at: Date }>(
    'SELECT events.settled_cursor()::int8 AS cursor, clock_timestamp() AS at',
  );
}
