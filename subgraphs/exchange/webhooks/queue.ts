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

/** The partners whose webhook asks for this event type and that are party to it. */
async function subscribersOf(tx: Queryable, event: LoggedEvent, only?: string): Promise<string[]> {
  if (!mayQueueWebhooks(event)) return [];
  const { rows } = await tx.query<{ partner_id: string }>(
    `SELECT partner_id FROM exchange.profile
      WHERE channel = 'WEBHOOK' AND $1 = ANY(event_types) AND partner_id = ANY($2::text[])
        AND ($3::text IS NULL OR partner_id = $3)`,
    [event.type, event.parties, only ?? null],
  );
  return rows.map((row) => row.partner_id);
}

/**
 * Applied by the `webhooks` consumer, in the transaction that also stores its offset: each event becomes one
 * delivery per partner that asked for its type and may see it, or none; never two, whatever crashes.
 * The partner's rule is its subscription's (see eventTypes.ts).
 */
export async function queueWebhooks(tx: Queryable, event: LoggedEvent, only?: string): Promise<number> {
  let queued = 0;
  for (const partnerId of await subscribersOf(tx, event, only)) {
    if (!visibleTo(partnerId, event)) continue;
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
  return queued;
}
