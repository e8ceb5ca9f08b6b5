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
 * Applied by the `outbound` consumer in the transaction that stores its offset: the debt is recorded
 * (and true returned) when the partner's profile names an outbound format, and written later by the
 * outbound worker (which asks the owning subgraph for the document's data, outside this transaction).
 */
export async function oweDocuments(tx: Queryable, event: LoggedEvent): Promise<boolean> {
  const debt = debtOf(event);
  if (!debt) return false;
  const profile = await tx.maybeOne<{ outbound_format: string }>(
    'SELECT outbound_format FROM exchange.profile WHERE partner_id = $1 AND outbound_format IS NOT NULL',
    [debt.partnerId],
  );
  const format = profile?.outbound_format;
  if (!format) return false;
  await queueOutboundJob(tx, { ...debt, format, eventCursor: event.cursor });
  return true;
}
