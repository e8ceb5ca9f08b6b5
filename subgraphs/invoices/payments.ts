import { actorOf, type Principal } from '../../platform/auth/principal.ts';
import type { Queryable } from '../../platform/db/database.ts';
import { badInput, conflict } from '../../platform/errors.ts';
import { idempotent, requestHash } from '../../platform/idempotency.ts';
import { parseCurrency, parseQuantity, requireText } from '../../platform/input.ts';
import { Decimal } from '../../platform/money.ts';
import { canRead, invoiceScope, requireStaff } from './access.ts';
import { roundToMinor, shown } from './arithmetic.ts';
import { appendInvoiceEvent } from './events.ts';
import type { PaymentInput } from './generated/resolvers.ts';
import { assertMayTake, invoiceToActOn, parsePastDate, settledStatus } from './lifecycle.ts';
import { insertPayment, paymentByReference, updateInvoice, type InvoiceRow } from './store.ts';

/**
 * Payments: what the company's bank shows as paid to a supplier or received from a customer, recorded by
 * finance (a bank integration authenticates as a finance service account). A payment's reference is unique
 * per invoice, so a bank or system that retries the same payment has it recorded once.
 */
export async function recordPayment(
  tx: Queryable,
  principal: Principal,
  input: PaymentInput,
  today: string,
): Promise<InvoiceRow> {
  // Out of the caller's sight is NOT_FOUND before anything else: a refusal tells nothing of its existence.
  const invoice = await invoiceToActOn(tx, input.invoiceId, (row) => canRead(invoiceScope(principal), row));
  requireStaff(principal, 'recording payments', 'admin', 'finance');
  const amount = parseQuantity(input.amount.amount, 'amount.amount');
  const currency = parseCurrency(input.amount.currency, 'amount.currency');
  const reference = requireText(input.reference, 'reference');
  const paidOn =
    input.paidOn === null || input.paidOn === undefined
      ? today
      : parsePastDate(input.paidOn, 'paidOn', today);
  const hash = requestHash({
    invoiceId: input.invoiceId,
    amount: amount.toString(),
    currency,
    reference,
    paidOn: input.paidOn ?? null,
  });

  // The payment's reference is its key: the same payment again changes nothing.
  return idempotent<{ invoice: InvoiceRow; paymentId: string | null }>(
    tx,
    {
      lock: `payment:${invoice.id}:${reference}`,
      find: async () => {
        const earlier = await paymentByReference(tx, invoice.id, reference);
        return earlier && { result: { invoice, paymentId: earlier.id }, requestHash: earlier.request_hash };
      },
      requestHash: hash,
      conflict: ({ paymentId }) =>
        conflict(`payment ${reference} was already recorded on ${invoice.number} with other content`, {
          paymentId,
        }),
    },
    async () => ({
      invoice: await applyPayment(tx, principal, invoice, { amount, currency, reference, paidOn, hash }),
      paymentId: null,
    }),
  ).then(({ invoice: result }) => result);
}

async function applyPayment(
  tx: Queryable,
  principal: Principal,
  invoice: InvoiceRow,
  {
    amount,
    currency,
    reference,
    paidOn,
    hash,
  }: { amount: Decimal; currency: string; reference: string; paidOn: string; hash: string },
): Promise<InvoiceRow> {
  assertMayTake(invoice, 'pay');
  if (currency !== invoice.currency) {
    throw badInput(`invoice ${invoice.number} is in ${invoice.currency}, not ${currency}`, {
      field: 'amount.currency',
    });
  }
  if (!roundToMinor(amount, currency).eq(amount)) {
    throw badInput(`amount ${amount.toString()} has more decimals than ${currency} has minor units`, {
      field: 'amount.amount',
    });
  }
  const balance = new Decimal(invoice.total).minus(invoice.paid);
  if (amount.gt(balance)) {
    throw badInput(
      `amount ${shown(amount, currency)} ${currency} is more than the balance of ${shown(balance, currency)} ${currency} on ${invoice.number}`,
      { field: 'amount.amount', balance: shown(balance, currency) },
    );
  }

  const paymentId = await insertPayment(
    tx,
    { invoiceId: invoice.id, reference, amount: amount.toString(), paidOn, requestHash: hash },
    principal.subject,
  );
  const paid = amount.plus(invoice.paid);
  const updated = await updateInvoice(tx, invoice.id, {
    status: settledStatus(invoice.kind, paid, invoice.total),
    paid: paid.toString(),
  });
  await appendInvoiceEvent(tx, 'PaymentRecorded', updated, actorOf(principal), {
    paymentId,
    amount: amount.toString(),
    reference,
  });
  return updated;
}
