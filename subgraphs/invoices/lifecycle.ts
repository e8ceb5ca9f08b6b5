import type { Queryable } from '../../platform/db/database.ts';
import { badInput, conflict, notFound } from '../../platform/errors.ts';
import { parseAmount, parseDate } from '../../platform/input.ts';
import { Decimal } from '../../platform/money.ts';
import { INVOICE_STATUSES as STATUSES } from '../../platform/events/contract.ts';
import type { InvoiceKind, InvoiceStatus } from './generated/resolvers.ts';
import { lockInvoice, type InvoiceRow } from './store.ts';
import { isoDate } from '../../platform/dates.ts';

/**
 * Where an invoice stands. A payable is APPROVED or DISPUTED once matched; a receivable is ISSUED. Payments
 * move either to PARTIALLY_PAID and PAID. DISPUTED holds an invoice from payment and dunning until finance
 * approves it; CANCELLED withdraws one nothing has been paid on.
 */

/** The status that follows from what has been paid, for an invoice that is not held or withdrawn. */
export function settledStatus(kind: InvoiceKind, paid: Decimal.Value, total: Decimal.Value): InvoiceStatus {
  const paidSoFar = new Decimal(paid);
  if (paidSoFar.gte(total) && paidSoFar.gt(0)) return 'PAID';
  if (paidSoFar.gt(0)) return 'PARTIALLY_PAID';
  return kind === 'PAYABLE' ? 'APPROVED' : 'ISSUED';
}

/** Locks the invoice for the rest of the transaction; absent or out of the caller's sight is NOT_FOUND. */
export async function invoiceToActOn(
  tx: Queryable,
  id: string,
  visible: (invoice: InvoiceRow) => boolean,
): Promise<InvoiceRow> {
  const invoice = await lockInvoice(tx, id);
  if (!invoice || !visible(invoice)) throw notFound('invoice', id);
  return invoice;
}

export const INVOICE_STATUSES: readonly InvoiceStatus[] = STATUSES;

export type InvoiceAction = 'rematch' | 'approve' | 'dispute' | 'cancel' | 'pay';

const cannotBe = (step: string) => (invoice: Pick<InvoiceRow, 'number' | 'status'>) =>
  `invoice ${invoice.number} is ${invoice.status} and cannot be ${step}`;

/**
 * The invoice lifecycle, in one place: the statuses each action may be taken from, and what a refusal
 * says. Who may take an action is the access rules' (access.ts); where it leads, the action's own.
 */
export const INVOICE_ACTIONS: Record<
  InvoiceAction,
  { from: readonly InvoiceStatus[]; refusal: (invoice: Pick<InvoiceRow, 'number' | 'status'>) => string }
> = {
  rematch: { from: ['DISPUTED'], refusal: cannotBe('matched again') },
  approve: { from: ['DISPUTED'], refusal: cannotBe('approved') },
  dispute: { from: ['APPROVED', 'ISSUED', 'PARTIALLY_PAID'], refusal: cannotBe('disputed') },
  // Only what nothing has been paid on (cancelInvoice checks the amount paid as well).
  cancel: { from: ['DISPUTED', 'APPROVED', 'ISSUED'], refusal: cannotBe('cancelled') },
  // A PAID invoice takes no more: the amount is over its balance of zero (BAD_USER_INPUT).
  pay: {
    from: ['APPROVED', 'ISSUED', 'PARTIALLY_PAID', 'PAID'],
    refusal: (invoice) =>
      invoice.status === 'DISPUTED'
        ? `invoice ${invoice.number} is disputed: approve it before recording payments`
        : `invoice ${invoice.number} is cancelled: no payment can be recorded on it`,
  },
};

export function canTake(status: InvoiceStatus, action: InvoiceAction): boolean {
  return INVOICE_ACTIONS[action].from.includes(status);
}

/** Refuses with CONFLICT an action the invoice's status does not allow. */
export function assertMayTake(invoice: Pick<InvoiceRow, 'number' | 'status'>, action: InvoiceAction): void {
  if (!canTake(invoice.status, action)) {
    throw conflict(INVOICE_ACTIONS[action].refusal(invoice), { status: invoice.status });
  }
}

export function addDays(date: string, days: number): string {
  const at = new Date(`${date}T00:00:00Z`);
  at.setUTCDate(at.getUTCDate() + days);
  return isoDate(at);
}

/** A date given by a client that may not lie after `today` (an invoice or a payment not yet made). */
export function parsePastDate(value: string, field: string, today: string): string {
  const date = parseDate(value, field);
  if (date > today) throw badInput(`${field} ${date} is in the future`, { field });
  return date;
}

/** A percentage from 0 to 100, with at most 4 decimals. */
export function parsePercent(value: string, field: string): Decimal {
  const percent = parseAmount(value, field);
  if (percent.gt(100)) throw badInput(`${field} is a percentage up to 100, not ${value}`, { field });
  return percent;
}
