import type { Queryable } from '../../platform/db/database.ts';
import { appendEvent } from '../../platform/events/eventLog.ts';

/** Events exchange appends; each names the partner it concerns as its only party. */
export const EXCHANGE_EVENTS = [
  'DocumentReceived',
  'DocumentProcessed',
  'DocumentRejected',
  'DeliveryDeadLettered',
  'WebhookEndpointDisabled',
] as const;
export type ExchangeEventType = (typeof EXCHANGE_EVENTS)[number];

export interface DocumentEventFacts {
  documentId: string;
  partnerId: string;
  format: string;
  documentType: string | null;
  controlNumber: string | null;
  status: string;
  reasons: string[];
}

export interface DeliveryEventFacts {
  deliveryId: string;
  partnerId: string;
  url: string | null;
  reason: string;
}

/** The event's one party is the partner its facts name, so the partner's own feeds carry it. */
export async function appendExchangeEvent(
  tx: Queryable,
  type: ExchangeEventType,
  aggregate: { type: 'Document' | 'Delivery' | 'TradingPartnerProfile'; id: string },
  facts: DocumentEventFacts | DeliveryEventFacts,
): Promise<void> {
  await appendEvent(tx, {
    type,
    aggregateType: aggregate.type,
    aggregateId: aggregate.id,
    parties: [facts.partnerId],
    payload: { ...facts },
  });
}
