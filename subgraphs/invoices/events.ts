import type { Actor } from '../../platform/auth/principal.ts';
import type { Queryable } from '../../platform/db/database.ts';
import { appendEvent, type LoggedEvent } from '../../platform/events/eventLog.ts';
import { Decimal } from '../../platform/money.ts';
import type { InvoiceEventType, InvoiceKind, InvoiceStatus } from './generated/resolvers.ts';
import type { InvoiceRow } from './store.ts';

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
} as const satisfies Record<string, InvoiceEventType>;

export type InvoiceEventName = keyof typeof EVENT_TYPES;

/** Every invoice event carries the invoice's facts after the step; amounts are decimal strings. */
export interface InvoiceEventPayload {
  invoiceId: string;
  number: string;
  kind: InvoiceKind;
  status: InvoiceStatus;
  issuerId: string;
  recipientId: string;
  orderId: string | null;
  currency: string;
  total: string;
  balance: string;
  dueDate: string;
  actorPartnerId: string | null;
  /** DunningReminderSent. */
  level?: number;
  daysOverdue?: number;
  asOf?: string;
  /** PaymentRecorded. */
  paymentId?: string;
  amount?: string;
  reference?: string;
  /** InvoiceDisputed, InvoiceApproved (the justification), InvoiceCancelled, InvoiceSubmitted when disputed. */
  reason?: string | null;
  matchStatus?: string;
}

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
    payload: payload as unknown as Record<string, unknown>,
  });
}

export function invoiceEventOf(event: LoggedEvent): InvoiceEventRow {
  return {
    cursor: event.cursor,
    type: event.type as InvoiceEventName,
    invoice_id: event.aggregateId,
    actor: event.actor,
    payload: event.payload as unknown as InvoiceEventPayload,
    occurred_at: event.occurredAt,
  };
}
