import type { Queryable } from '../../../platform/db/database.ts';
import type { LoggedEvent } from '../../../platform/events/eventLog.ts';
import type { BusinessDocumentKind } from '../formats/business.ts';
import { queueOutboundJob } from './jobs.ts';

interface Debt {
  partnerId: string;
  kind: BusinessDocumentKind;
  subjectId: string;
}

/**
 * The business document an event owes a partner, if any: our purchase order once submitted to a supplier;
 * our answer, ship notice and invoice to a customer. One case per event type; everything else owes none.
 */
function debtOf(event: LoggedEvent): Debt | null {
  switch (event.type) {
    case 'OrderSubmitted':
      return event.payload.kind === 'PURCHASE'
        ? { partnerId: event.payload.sellerId, kind: 'PurchaseOrder', subjectId: event.payload.orderId }
        : null;
    case 'OrderConfirmed':
    case 'OrderRejected':
      return event.payload.kind === 'SALES'
        ? { partnerId: event.payload.buyerId, kind: 'OrderResponse', subjectId: event.payload.orderId }
        : null;
    case 'OrderShipped':
      return event.payload.kind === 'SALES'
        ? { partnerId: event.payload.buyerId, kind: 'DespatchAdvice', subjectId: event.payload.shipmentId }
        : null;
    case 'InvoiceIssued':
      return event.payload.kind === 'RECEIVABLE'
        ? { partnerId: event.payload.recipientId, kind: 'Invoice', subjectId: event.payload.invoiceId }
        : null;
    default:
      return null;
  }
}

/** Whether an event may owe a partner a document, whatever the partner's profile says. */
export const owesDocuments = (event: LoggedEvent): boolean => debtOf(event) !== null;

/**
 * Applied by the `outbound` consumer in the transaction that stores its offset: each debt is recorded when
 * the partner's profile names an outbound format, and written later by the outbound worker (which asks the
 * owning subgraph for the document's data, outside this transaction). One look at the profiles per batch.
 * Returns how many debts were recorded.
 */
export async function oweDocuments(tx: Queryable, events: readonly LoggedEvent[]): Promise<number> {
  const debts = events.flatMap((event) => {
    const debt = debtOf(event);
    return debt ? [{ ...debt, eventCursor: event.cursor }] : [];
  });
  if (debts.length === 0) return 0;
  const { rows } = await tx.query<{ partner_id: string; outbound_format: string }>(
    `SELECT partner_id, outbound_format FROM exchange.profile
      WHERE partner_id = ANY($1::text[]) AND outbound_format IS NOT NULL`,
    [[...new Set(debts.map((debt) => debt.partnerId))]],
  );
  const formats = new Map(rows.map((row) => [row.partner_id, row.outbound_format]));
  let owed = 0;
  for (const debt of debts) {
    const format = formats.get(debt.partnerId);
    if (!format) continue;
    await queueOutboundJob(tx, { ...debt, format });
    owed += 1;
  }
  return owed;
}
