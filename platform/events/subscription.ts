import { AsyncQueue } from '../asyncQueue.ts';
import { perDatabase, type Database } from '../db/database.ts';
import { parseEventCursor } from '../input.ts';
import type { EventType } from './contract.ts';
import { eventLogTail } from './consumer.ts';
import {
  isOf,
  latestCursor,
  readEvents,
  type EventFilter,
  type EventWakeup,
  type LoggedEvent,
} from './eventLog.ts';

export interface EventSource {
  db: Database;
  wakeup: EventWakeup;
}

export interface EventSubscription<Payload, T extends EventType = EventType> {
  /** Resume after this cursor; absent, the subscription starts with the next event. */
  after: string | null | undefined;
  /** `types` narrows the events `visible` and `toPayload` receive. */
  filter?: EventFilter<T>;
  /** Row-level visibility: events the subscriber may not see are skipped, never sent. */
  visible?: (event: LoggedEvent<T>) => boolean;
  toPayload: (event: LoggedEvent<T>) => Payload;
}

/** A subscriber this far behind is ended (it resumes with its last cursor) rather than buffered forever. */
const MAX_BUFFERED = 10_000;
const REPLAY_BATCH = 500;

/** Event log cursors are positive integers; anything else is not a cursor this API handed out. */
function parseCursor(after: string): bigint {
  return BigInt(parseEventCursor(after));
}

function matches<T extends EventType>(
  filter: EventFilter<T> | undefined,
  event: LoggedEvent,
): event is LoggedEvent<T> {
  if (!filter) return true;
  return (
    isOf(event, filter.types) &&
    (filter.aggregateType === undefined || filter.aggregateType === event.aggregateType) &&
    (filter.aggregateId === undefined || filter.aggregateId === event.aggregateId) &&
    (filter.aggregateIds === undefined || filter.aggregateIds.includes(event.aggregateId)) &&
    (filter.party === undefined || event.parties.includes(filter.party))
  );
}

interface Subscriber {
  /** Events up to here reach this subscriber by replay from the database, not from the hub. */
  replayedUpTo: bigint;
  /** Hub events that arrive while the replay runs, delivered once it is done. */
  pending: LoggedEvent[] | null;
  deliver(event: LoggedEvent): void;
}

/**
 * One reader of the event log per process, however many subscribers: it follows the log and hands each
 * event to every subscriber, so a thousand subscribers cost one query per batch of events, not a thousand.
 */
class EventHub {
  private readonly subscribers = new Set<Subscriber>();
  private position: bigint | undefined;
  private started: Promise<void> | undefined;
  private controller: AbortController | undefined;

  constructor(private readonly source: EventSource) {}

  /** Where the hub is: every event up to here has been handed out. */
  async current(): Promise<bigint> {
    this.started ??= this.start();
    await this.started;
    return this.position!;
  }

  add(subscriber: Subscriber): void {
    this.subscribers.add(subscriber);
  }

  remove(subscriber: Subscriber): void {
    this.subscribers.delete(subscriber);
    if (this.subscribers.size === 0) this.stop();
  }

  private async start(): Promise<void> {
    this.position = BigInt(await latestCursor(this.source.db));
    this.controller = new AbortController();
    const signal = this.controller.signal;
    void (async () => {
      try {
        const tail = eventLogTail(this.source.db, this.source.wakeup);
        for await (const event of tail.follow(String(this.position), signal)) {
          this.position = BigInt(event.cursor);
          for (const subscriber of this.subscribers) {
            if (subscriber.pending) subscriber.pending.push(event);
            else if (BigInt(event.cursor) > subscriber.replayedUpTo) subscriber.deliver(event);
          }
        }
      } catch (error) {
        if (!signal.aborted) console.error('event hub stopped:', error);
      } finally {
        if (this.controller?.signal === signal) this.started = undefined;
      }
    })();
  }

  private stop(): void {
    this.controller?.abort();
    this.controller = undefined;
    this.started = undefined;
  }
}

const hubs = perDatabase((_db, source: EventSource) => new EventHub(source));
const hubOf = (source: EventSource): EventHub => hubs(source.db, source);

/**
 * A GraphQL subscription over the event log: it replays every visible event after `after`, in cursor
 * order, then delivers new ones as they are appended, with no gap and no repeat between the two.
 * Resuming with the last cursor received therefore delivers exactly what was missed. The client's
 * disconnect (the iterator's `return`) ends it at once.
 */
export function subscribeToEvents<Payload, T extends EventType = EventType>(
  source: EventSource,
  subscription: EventSubscription<Payload, T>,
): AsyncIterableIterator<Payload> {
  const after =
    subscription.after === null || subscription.after === undefined ? null : parseCursor(subscription.after);
  const hub = hubOf(source);
  const output = new AsyncQueue<Payload>();
  const subscriber: Subscriber = {
    replayedUpTo: 0n,
    pending: [],
    deliver(event) {
      if (!matches(subscription.filter, event)) return;
      if (subscription.visible && !subscription.visible(event)) return;
      if (output.size >= MAX_BUFFERED) {
        console.warn('ending a subscriber that fell too far behind; it resumes from its last cursor');
        output.end();
        hub.remove(subscriber);
        return;
      }
      output.push(subscription.toPayload(event));
    },
  };
  output.onClose(() => hub.remove(subscriber));

  void (async () => {
    try {
      hub.add(subscriber);
      const live = await hub.current();
      // A client may resume after a cursor the hub has not reached yet: nothing up to it is sent again.
      const from = after !== null && after > live ? after : live;
      subscriber.replayedUpTo = from;
      if (after !== null && after < live) {
        await replay(source, subscription.filter, after, live, subscriber, () => output.closed);
      }
      // Events the hub handed out during the replay follow it, minus those the replay already covered.
      const pending = subscriber.pending ?? [];
      subscriber.pending = null;
      for (const event of pending) if (BigInt(event.cursor) > from) subscriber.deliver(event);
    } catch (error) {
      console.error('subscription replay failed:', error);
      output.end();
      hub.remove(subscriber);
    }
  })();
  return output;
}

/** What happened in (after, upTo], straight from the database. */
async function replay<T extends EventType>(
  source: EventSource,
  filter: EventFilter<T> | undefined,
  after: bigint,
  upTo: bigint,
  subscriber: Subscriber,
  cancelled: () => boolean,
): Promise<void> {
  let position = after;
  while (position < upTo && !cancelled()) {
    const batch = await readEvents(source.db, String(position), REPLAY_BATCH, filter ?? {});
    if (batch.length === 0) return;
    for (const event of batch) {
      if (BigInt(event.cursor) > upTo) return;
      subscriber.deliver(event);
      position = BigInt(event.cursor);
    }
  }
}
