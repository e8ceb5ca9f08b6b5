import type { Database } from '../db/database.ts';
import { badInput } from '../errors.ts';
import {
  followEvents,
  latestCursor,
  type EventFilter,
  type EventWakeup,
  type LoggedEvent,
} from './eventLog.ts';

export interface EventSource {
  db: Database;
  wakeup: EventWakeup;
}

export interface EventSubscription<Payload> {
  /** Resume after this cursor; absent, the subscription starts with the next event. */
  after: string | null | undefined;
  filter?: EventFilter;
  /** Row-level visibility: events the subscriber may not see are skipped, never sent. */
  visible?: (event: LoggedEvent) => boolean;
  toPayload: (event: LoggedEvent) => Payload;
}

/** Event log cursors are positive integers; anything else is not a cursor this API handed out. */
function parseCursor(after: string): string {
  if (!/^\d{1,19}$/.test(after)) throw badInput('`after` is not an event cursor', { field: 'after' });
  return after;
}

/**
 * A GraphQL subscription over the event log: it replays every visible event after `after`, in cursor
 * order, then follows new ones as they are appended. Resuming with the last cursor received therefore
 * delivers exactly what was missed. The client's disconnect (the iterator's `return`) ends it at once.
 */
export function subscribeToEvents<Payload>(
  source: EventSource,
  subscription: EventSubscription<Payload>,
): AsyncIterableIterator<Payload> {
  const start =
    subscription.after === null || subscription.after === undefined ? null : parseCursor(subscription.after);
  const controller = new AbortController();
  const events = (async function* () {
    const from = start ?? (await latestCursor(source.db));
    for await (const event of followEvents(
      source.db,
      source.wakeup,
      from,
      controller.signal,
      subscription.filter,
    )) {
      if (subscription.visible && !subscription.visible(event)) continue;
      yield subscription.toPayload(event);
    }
  })();
  return {
    next: () => events.next(),
    async return() {
      controller.abort();
      return events.return(undefined);
    },
    async throw(error: unknown) {
      controller.abort();
      return events.throw(error);
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}
