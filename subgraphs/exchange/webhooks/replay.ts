import type { Database } from '../../../platform/db/database.ts';
import { parseEventCursor } from '../../../platform/input.ts';
import { readEvents } from '../../../platform/events/eventLog.ts';
import { queueWebhooks } from './queue.ts';

const BATCH = 500;
/** One replay queues at most this many deliveries; replay again from the last one for more. */
const MAX_REPLAY = 50_000;

/**
 * Queues again, with their original ids, the deliveries a partner would have got for every event after
 * `after`: the same selection and visibility as the live consumer, so a replay never sends more.
 */
export async function replayDeliveries(db: Database, partnerId: string, after: string): Promise<number> {
  return db.transaction(async (tx) => {
    let position = parseEventCursor(after);
    let queued = 0;
    for (;;) {
      const events = await readEvents(tx, position, BATCH, { party: partnerId });
      queued += await queueWebhooks(tx, events, partnerId);
      if (events.length < BATCH || queued >= MAX_REPLAY) return queued;
      position = events[events.length - 1]!.cursor;
    }
  });
}
