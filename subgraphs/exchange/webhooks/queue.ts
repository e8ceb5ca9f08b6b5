import type { Queryable } from '../../../platform/db/database.ts';
import type { LoggedEvent } from '../../../platform/events/eventLog.ts';
import { queueDelivery } from '../store/deliveries.ts';
import { isWebhookEventType, visibleTo } from './eventTypes.ts';

/** The webhook body: the Standard Webhooks payload shape, `type`, `timestamp` and the event as `data`. */
export function eventBody(event: LoggedEvent): Buffer {
  return Buffer.from(
    JSON.stringify({
      type: event.type,
      timestamp: event.occurredAt.toISOString(),
      data: {
        cursor: event.cursor,
        aggregateType: event.aggregateType,
        aggregateId: event.aggregateId,
        ...event.payload,
      },
    }),
  );
}

/** Whether a partner could have asked for this event: it is of a webhook type and has parties. */
export const mayQueueWebhooks = (event: LoggedEvent): boolean =>
  event.parties.length > 0 && isWebhookEventType(event.type);

/** Of the events' parties, those with a webhook: the event types each asked for. */
async function webhookSubscriptions(
  tx: Queryable,
  events: readonly LoggedEvent[],
  only: string | undefined,
): Promise<Map<string, Set<string>>> {
  const parties = new Set(events.flatMap((event) => event.parties));
  if (only !== undefined) for (const party of parties) if (party !== only) parties.delete(party);
  if (parties.size === 0) return new Map();
  const { rows } = await tx.query<{ partner_id: string; event_types: string[] }>(
    `SELECT partner_id, event_types FROM exchange.profile
      WHERE channel = 'WEBHOOK' AND partner_id = ANY($1::text[])`,
    [[...parties]],
  );
  return new Map(rows.map((row) => [row.partner_id, new Set(row.event_types)]));
}

/**
 * Applied by the `webhooks` consumer, in the transaction that also stores its offset: each event becomes one
 * delivery per partner that asked for its type and may see it, or none; never two, whatever crashes.
 * The partner's rule is its subscription's (see eventTypes.ts). One look at the profiles per batch; `only`
 * narrows it to one partner (a replay). Returns how many deliveries were queued.
 */
export async function queueWebhooks(
  tx: Queryable,
  events: readonly LoggedEvent[],
  only?: string,
): Promise<number> {
  const candidates = events.filter(mayQueueWebhooks);
  const subscriptions = await webhookSubscriptions(tx, candidates, only);
  let queued = 0;
  for (const event of candidates) {
    for (const partnerId of new Set(event.parties)) {
      if (!subscriptions.get(partnerId)?.has(event.type) || !visibleTo(partnerId, event)) continue;
      await queueDelivery(tx, {
        partnerId,
        messageId: event.cursor,
        eventType: event.type,
        eventCursor: event.cursor,
        documentId: null,
        contentType: 'application/json',
        body: eventBody(event),
        sourceCommittedAt: event.occurredAt,
      });
      queued += 1;
    }
  }
  return queued;
}
