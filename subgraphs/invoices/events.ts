import type { Actor } from '../../platform/auth/principal.ts';
import type { Queryable } from '../../platform/db/database.ts';
import type { InvoiceEventType, InvoiceFacts } from '../../platform/events/contract.ts';
import { appendEvent, type LoggedEvent } from '../../platform/events/eventLog.ts';
import { Decimal } from '../../platform/money.ts';
import type {
  InvoiceEventType as InvoiceEventTypeName,
  InvoiceKind,
  InvoiceStatus,
} from './generated/resolvers.ts';
import type { InvoiceRow } from './store.ts';

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

/** The events invoicing appends, aggregate type `Invoice`, parties issuer and recipient. */
export const EVENT_TYPES = {
  InvoiceSubmitted: 'SUBMITTED',
  InvoiceIssued: 'ISSUED',
  InvoiceApproved: 'APPROVED',
  InvoiceDisputed: 'DISPUTED',
  InvoiceRematched: 'REMATCHED',
  PaymentRecorded: 'PAYMENT_RECORDED',
  InvoiceCancelled: 'CANCELLED',
  DunningReminderSent: 'REMINDER_SENT',
} as const satisfies Record<InvoiceEventType, InvoiceEventTypeName>;

export type InvoiceEventName = keyof typeof EVENT_TYPES;

/** Every invoice event carries the invoice's facts after the step (the contract's `InvoiceFacts`). */
export type InvoiceEventPayload = InvoiceFacts;

// The contract spells the invoice's kinds and statuses out; they are the schema's.
const agrees: [Same<InvoiceFacts['kind'], InvoiceKind>, Same<InvoiceFacts['status'], InvoiceStatus>] = [
  true,
  true,
];
void agrees;

export interface InvoiceEventRow {
  cursor: string;
  type: InvoiceEventName;
  invoice_id: string;
  actor: string | null;
  payload: InvoiceEventPayload;
  occurred_at: Date;
}

export async function appendInvoiceEvent(
  tx: Queryable,
  type: InvoiceEventName,
  invoice: InvoiceRow,
  actor: Actor,
  facts: Partial<InvoiceEventPayload> = {},
): Promise<LoggedEvent> {
  const payload: InvoiceEventPayload = {
    invoiceId: invoice.id,
    number: invoice.number,
    kind: invoice.kind,
    status: invoice.status,
    issuerId: invoice.issuer_id,
    recipientId: invoice.recipient_id,
    orderId: invoice.order_id,
    currency: invoice.currency,
    total: invoice.total,
    balance: new Decimal(invoice.total).minus(invoice.paid).toString(),
    dueDate: invoice.due_date,
    actorPartnerId: actor.partnerId,
    ...facts,
  };
  return appendEvent(tx, {
    type,
    aggregateType: 'Invoice',
    aggregateId: invoice.id,
    parties: [invoice.issuer_id, invoice.recipient_id],
    actor: actor.subject,
    payload,
  });
}

export function invoiceEventOf(event: LoggedEvent<InvoiceEventType>): InvoiceEventRow {
  return {
    cursor: event.cursor,
    type: event.type,
    invoice_id: event.aggregateId,
    actor: event.actor,
    payload: event.payload,
    occurred_at: event.occurredAt,
  };
}
