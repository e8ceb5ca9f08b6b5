import type { Queryable } from '../../platform/db/database.ts';
import type { EventPayloads, ExchangeEventType } from '../../platform/events/contract.ts';
import { appendEvent } from '../../platform/events/eventLog.ts';

/** Events exchange appends (their payloads are in the event contract). */
export { EXCHANGE_EVENTS, type ExchangeEventType } from '../../platform/events/contract.ts';

/** The event's one party is the partner its facts name, so the partner's own feeds carry it. */
export async function appendExchangeEvent<T extends ExchangeEventType>(
  tx: Queryable,
  type: T,
  aggregate: { type: 'Document' | 'Delivery' | 'TradingPartnerProfile'; id: string },
  facts: EventPayloads[T],
): Promise<void> {
  await appendEvent(tx, {
    type,
    aggregateType: aggregate.type,
    aggregateId: aggregate.id,
    parties: [facts.partnerId],
    payload: facts,
  });
}
