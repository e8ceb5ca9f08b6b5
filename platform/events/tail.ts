import { perDatabase, type Database } from '../db/database.ts';
import { idleWaitMs, type EventWakeup, type LoggedEvent } from './eventLog.ts';

/** The two reads of an event log (`EventLog`) a tail needs: the project's log, or one a test declares. */
export interface FollowedLog<Event> {
  read(db: Database, after: string, limit: number): Promise<Event[]>;
  readSettled(
    db: Database,
    after: string,
    limit: number,
  ): Promise<{ events: Event[]; through: string; settled: boolean; later: boolean }>;
}

/**
 * Events kept for consumers behind the tail; one further behind reads the log itself. Twenty seconds at
 * five hundred events a second: a loaded machine's consumers lag by seconds, and one that fell out of the
 * window would read the log on its own, adding load just when there is the least to spare.
 */
const WINDOW = 10_000;
/** Events one refresh reads at most. */
const REFRESH_LIMIT = 500;
/** Events a follower takes per step. */
const FOLLOW_BATCH = 200;

/**
 * The settled end of one database's event log, read once for every consumer of the process. A consumer
 * reading for itself cost each append two statements (the settled cursor, then the read) per consumer,
 * eight consumers deep, and on PGlite every statement runs on the one thread that also serves requests.
 * Here one refresh serves every consumer at or near the tail; a consumer behind the window (catching up
 * after a restart) reads the log itself, as before.
 *
 * A reader misses nothing: one that finds nothing new in the window waits for a refresh that starts after
 * it asked, never for the one in flight (its snapshot may predate the append that woke the reader), unless
 * no append has woken anyone since the last refresh started and no committed event waited then above the
 * settled cursor. An append that commits later wakes the reader, which noted the wakeup's generation
 * before it asked.
 */
export class SharedTail<Event extends { cursor: string } = LoggedEvent> {
  /** Every event with `from < cursor <= through`, in cursor order. */
  private window: Event[] = [];
  private from: bigint | undefined;
  private through = 0n;
  /** Whether the last refresh reached the settled cursor (else a limit stopped it short). */
  private reachedSettled = false;
  private later = false;
  /** The furthest position a reader asked a refresh for: the window moves up to a reader ahead of it. */
  private wanted = 0n;
  private started = 0;
  private completed = 0;
  /** The wakeup's generation when the last completed refresh started. */
  private refreshedAt = -1;
  private running: Promise<void> | undefined;
  private queued: Promise<void> | undefined;

  constructor(
    private readonly log: FollowedLog<Event>,
    private readonly db: Database,
    private readonly wakeup: EventWakeup,
  ) {}

  /** `log.read(db, after, limit)`, served from the shared window when it can be. */
  async read(after: string, limit: number): Promise<Event[]> {
    const position = BigInt(after);
    const asked = this.started;
    for (;;) {
      if (this.from !== undefined && position < this.from) return this.log.read(this.db, after, limit);
      const held = this.slice(position, limit);
      if (held.length > 0) return held;
      // Reached the settled cursor since the reader asked, and nothing above its position: nothing settled is.
      if (this.reachedSettled && (this.completed > asked || this.quiet())) return [];
      await this.refresh(position);
    }
  }

  /**
   * The next events after `after` (at most `limit`), waiting for an append while there are none; none once
   * `signal` aborts. What a follower takes each step, a consumer or the subscriptions' hub.
   */
  async next(after: string, limit: number, signal: AbortSignal): Promise<Event[]> {
    while (!signal.aborted) {
      const generation = this.wakeup.generation;
      const batch = await this.read(after, limit);
      if (batch.length > 0) return batch;
      await this.wakeup.wait(idleWaitMs(this.later), signal, generation);
    }
    return [];
  }

  /**
   * Every event after `after` in cursor order, then each new one as it settles, until `signal` aborts: a
   * reader without a stored position (the subscriptions' hub), sharing the refreshes of the consumers.
   */
  async *follow(after: string, signal: AbortSignal): AsyncGenerator<Event> {
    for (let position = after; !signal.aborted;) {
      for (const event of await this.next(position, FOLLOW_BATCH, signal)) {
        position = event.cursor;
        yield event;
      }
    }
  }

  /** No append has woken readers since the last refresh started, and none then waited on one in flight. */
  private quiet(): boolean {
    return !this.later && this.refreshedAt === this.wakeup.generation;
  }

  private slice(position: bigint, limit: number): Event[] {
    if (this.from === undefined || position >= this.through) return [];
    // The first event above `position`: cursors are increasing, so a binary search finds it.
    let low = 0;
    let high = this.window.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (BigInt(this.window[middle]!.cursor) <= position) low = middle + 1;
      else high = middle;
    }
    return this.window.slice(low, low + limit);
  }

  /** A refresh that starts no earlier than now: the next one, if one is already in flight. */
  private refresh(position: bigint): Promise<void> {
    if (position > this.wanted) this.wanted = position;
    if (!this.running) return this.start();
    this.queued ??= this.running
      .catch(() => undefined)
      .then(() => {
        this.queued = undefined;
        return this.start();
      });
    return this.queued;
  }

  private start(): Promise<void> {
    const number = (this.started += 1);
    const generation = this.wakeup.generation;
    const run = this.extend().then(() => {
      this.completed = number;
      this.refreshedAt = generation;
    });
    this.running = run;
    const clear = () => {
      if (this.running === run) this.running = undefined;
    };
    run.then(clear, clear);
    return run;
  }

  private async extend(): Promise<void> {
    // A reader ahead of the window (one that read the log itself, and so up to a later settled cursor)
    // is caught up with by extending the window, not by moving it: moved, it would leave the readers it
    // served behind its start, each to read the log on its own, and one of them, ahead in turn, to move it
    // again. Only a reader further ahead than the window holds moves it.
    if (this.from === undefined || this.wanted - this.through > BigInt(WINDOW)) {
      this.window = [];
      this.from = this.through = this.wanted;
    }
    const read = await this.log.readSettled(this.db, String(this.through), REFRESH_LIMIT);
    this.window.push(...read.events);
    this.through = BigInt(read.through);
    this.reachedSettled = read.settled;
    this.later = read.later;
    if (this.window.length > WINDOW) {
      const dropped = this.window.splice(0, this.window.length - WINDOW);
      this.from = BigInt(dropped[dropped.length - 1]!.cursor);
    }
  }
}

/** One `SharedTail` per database over `log`, made when first asked for. */
export function sharedTails<Event extends { cursor: string }>(
  log: FollowedLog<Event>,
): (db: Database, wakeup: EventWakeup) => SharedTail<Event> {
  return perDatabase((db, wakeup: EventWakeup) => new SharedTail(log, db, wakeup));
}
