import type { Queryable } from '../../platform/db/database.ts';
import {
  readEvents,
  type EventFilter,
  type EventType,
  type LoggedEvent,
} from '../../platform/events/eventLog.ts';

/** Every event the log holds that matches `filter`, oldest first, read as its consumers read them. */
export function loggedEvents<T extends EventType = EventType>(
  db: Queryable,
  filter: EventFilter<T> = {},
): Promise<LoggedEvent<T>[]> {
  return readEvents(db, '0', null, filter);
}

export async function countEvents<T extends EventType>(
  db: Queryable,
  filter: EventFilter<T> = {},
): Promise<number> {
  return (await loggedEvents(db, filter)).length;
}
