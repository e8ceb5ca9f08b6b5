import { randomUUID } from 'node:crypto';
import type { Queryable } from '../../platform/db/database.ts';
import { nextDocumentNumber } from '../../platform/numbering.ts';
import type { InvoiceKind, InvoiceStatus } from './generated/resolvers.ts';
import type { MatchRecord } from './matching.ts';

/** Amounts and quantities come back as numeric text: exact, never a JavaScript number. */
export interface InvoiceRow {
  id: string;
  number: string;
  kind: InvoiceKind;
  status: InvoiceStatus;
  issuer_id: string;
  recipient_id: string;
  order_id: string | null;
  currency: string;
  subtotal: string;
  tax_total: string;
  total: string;
  paid: string;
  issue_date: string;
  due_date: string;
  match: MatchRecord | null;
  dispute_reason: string | null;
  approval_justification: string | null;
  approved_by: string | null;
  approved_at: Date | null;
  cancel_reason: string | null;
  dunning_level: number;
  request_hash: string | null;
  created_at: Date;
}

export interface InvoiceLineRow {
  invoice_id: string;
  line_no: number;
  order_id: string;
  order_line_no: number;
  sku: string;
  unit: string;
  description: string | null;
  quantity: string;
  unit_price: string;
  net_amount: string;
  tax_rate: string;
  tax_amount: string;
  currency: string;
}

export interface PaymentRow {
  id: string;
  invoice_id: string;
  reference: string;
  amount: string;
  paid_on: string;
  request_hash: string;
  recorded_by: string;
  recorded_at: Date;
  currency: string;
}

export interface ReminderRow {
  invoice_id: string;
  level: number;
  days_overdue: number;
  as_of: string;
  balance: string;
  sent_at: Date;
  currency: string;
}

export interface DunningRunResult {
  asOf: string;
  reminders: ReminderRow[];
}

export interface PaymentTermsRow {
  partner_id: string;
  days: number;
  tax_rate: string;
  custom: boolean;
}

export interface OrderRef {
  id: string;
}
export interface PartnerRef {
  id: string;
}

/** What a principal may read: invoices its partner is a party to, and invoices of some kinds. */
export interface InvoiceScope {
  partyId: string | null;
  kinds: InvoiceKind[] | null;
}

const INVOICE_COLUMNS = `i.id, i.number, i.kind, i.status, i.issuer_id, i.recipient_id, i.order_id,
  i.currency::text AS currency, i.subtotal::text, i.tax_total::text, i.total::text, i.paid::text,
  i.issue_date::text, i.due_date::text, i.match, i.dispute_reason, i.approval_justification, i.approved_by,
  i.approved_at, i.cancel_reason, i.dunning_level, i.request_hash, i.created_at`;
const SELECT_INVOICE = `SELECT ${INVOICE_COLUMNS} FROM invoices.invoice i`;
/** $1 the party, $2 the kinds of the scope. */
const IN_SCOPE = `($1::text IS NULL OR i.issuer_id = $1 OR i.recipient_id = $1)
  AND ($2::text[] IS NULL OR i.kind = ANY($2::text[]))`;
const scopeParams = (scope: InvoiceScope) => [scope.partyId, scope.kinds];

export async function invoicesByIds(
  db: Queryable,
  ids: readonly string[],
  scope: InvoiceScope,
): Promise<InvoiceRow[]> {
  const { rows } = await db.query<InvoiceRow>(
    `${SELECT_INVOICE} WHERE ${IN_SCOPE} AND i.id = ANY($3::text[])`,
    [...scopeParams(scope), [...ids]],
  );
  return rows;
}

/** Invoices with a line on any of these orders, oldest first, tagged with the order they were found for. */
export async function invoicesForOrders(
  db: Queryable,
  orderIds: readonly string[],
  scope: InvoiceScope,
): Promise<(InvoiceRow & { for_order_id: string })[]> {
  const { rows } = await db.query<InvoiceRow & { for_order_id: string }>(
    `SELECT billed.order_id AS for_order_id, i.* FROM (
       SELECT DISTINCT invoice_id, order_id FROM invoices.invoice_line WHERE order_id = ANY($3::text[])
     ) billed
     CROSS JOIN LATERAL (${SELECT_INVOICE} WHERE i.id = billed.invoice_id AND ${IN_SCOPE}) i
     ORDER BY i.issue_date, i.created_at, i.id`,
    [...scopeParams(scope), [...orderIds]],
  );
  return rows;
}

export interface InvoiceFilter {
  kind?: InvoiceKind | null;
  status?: InvoiceStatus | null;
  /** Overdue as of this date (true), or not (false). */
  overdue?: { asOf: string; value: boolean } | null;
}

/** Statuses in which an invoice is still to be paid and may be chased. */
export const COLLECTIBLE: readonly InvoiceStatus[] = ['APPROVED', 'ISSUED', 'PARTIALLY_PAID'];

/** Newest first, within the caller's scope. */
export async function listInvoices(
  db: Queryable,
  filter: InvoiceFilter,
  scope: InvoiceScope,
  after: [string, string] | null,
  limit: number,
): Promise<InvoiceRow[]> {
  const { rows } = await db.query<InvoiceRow>(
    `${SELECT_INVOICE}
      WHERE ${IN_SCOPE}
        AND ($3::text IS NULL OR i.kind = $3) AND ($4::text IS NULL OR i.status = $4)
        AND ($5::date IS NULL OR (i.status = ANY($9::text[]) AND i.due_date < $5) = $6)
        AND ($7::timestamptz IS NULL OR (i.created_at, i.id) < ($7::timestamptz, $8))
      ORDER BY i.created_at DESC, i.id DESC LIMIT $10`,
    [
      ...scopeParams(scope),
      filter.kind ?? null,
      filter.status ?? null,
      filter.overdue?.asOf ?? null,
      filter.overdue?.value ?? null,
      after?.[0] ?? null,
      after?.[1] ?? null,
      COLLECTIBLE,
      limit,
    ],
  );
  return rows;
}

export const invoiceSortKey = (row: InvoiceRow): [string, string] => [row.created_at.toISOString(), row.id];

export async function linesByInvoiceIds(db: Queryable, ids: readonly string[]): Promise<InvoiceLineRow[]> {
  const { rows } = await db.query<InvoiceLineRow>(
    `SELECT l.invoice_id, l.line_no, l.order_id, l.order_line_no, l.sku, l.unit, l.description,
            trim_scale(l.quantity)::text AS quantity, trim_scale(l.unit_price)::text AS unit_price,
            l.net_amount::text, trim_scale(l.tax_rate)::text AS tax_rate, l.tax_amount::text,
            i.currency::text AS currency
       FROM invoices.invoice_line l JOIN invoices.invoice i ON i.id = l.invoice_id
      WHERE l.invoice_id = ANY($1::text[]) ORDER BY l.invoice_id, l.line_no`,
    [[...ids]],
  );
  return rows;
}

export async function paymentsByInvoiceIds(db: Queryable, ids: readonly string[]): Promise<PaymentRow[]> {
  const { rows } = await db.query<PaymentRow>(
    `SELECT p.id, p.invoice_id, p.reference, p.amount::text, p.paid_on::text, p.request_hash, p.recorded_by,
            p.recorded_at, i.currency::text AS currency
       FROM invoices.payment p JOIN invoices.invoice i ON i.id = p.invoice_id
      WHERE p.invoice_id = ANY($1::text[]) ORDER BY p.invoice_id, p.recorded_at, p.id`,
    [[...ids]],
  );
  return rows;
}

export async function remindersByInvoiceIds(db: Queryable, ids: readonly string[]): Promise<ReminderRow[]> {
  const { rows } = await db.query<ReminderRow>(
    `SELECT r.invoice_id, r.level, r.days_overdue, r.as_of::text, r.balance::text, r.sent_at,
            i.currency::text AS currency
       FROM invoices.dunning_reminder r JOIN invoices.invoice i ON i.id = r.invoice_id
      WHERE r.invoice_id = ANY($1::text[]) ORDER BY r.invoice_id, r.level`,
    [[...ids]],
  );
  return rows;
}

export interface OpenAmountRow {
  partner_id: string;
  kind: InvoiceKind;
  currency: string;
  open: string;
}

/**
 * Open amounts per partner, kind and currency, over the invoices in the caller's scope. A partner's are the
 * invoices it is a party to: for a customer what it owes us, for a supplier what we owe it, and for us,
 * party to every invoice, the totals. Disputed invoices count: they are open, only held.
 */
export async function openAmounts(
  db: Queryable,
  partnerIds: readonly string[],
  scope: InvoiceScope,
): Promise<OpenAmountRow[]> {
  const { rows } = await db.query<OpenAmountRow>(
    `SELECT party.id AS partner_id, i.kind, i.currency::text AS currency, sum(i.total - i.paid)::text AS open
       FROM invoices.invoice i
       CROSS JOIN LATERAL (VALUES (i.issuer_id), (i.recipient_id)) AS party(id)
      WHERE ${IN_SCOPE} AND i.status NOT IN ('CANCELLED', 'PAID') AND party.id = ANY($3::text[])
      GROUP BY 1, 2, 3 ORDER BY 3`,
    [...scopeParams(scope), [...partnerIds]],
  );
  return rows;
}

// ---------------------------------------------------------------- writing

export async function lockInvoice(tx: Queryable, id: string): Promise<InvoiceRow | undefined> {
  return tx.maybeOne<InvoiceRow>(`${SELECT_INVOICE} WHERE i.id = $1 FOR UPDATE`, [id]);
}

/**
 * The invoice this issuer already has under this number, after taking a lock on the pair: a concurrent
 * retry waits for the first submission to commit and then finds its invoice.
 */
export async function invoiceByNumber(
  tx: Queryable,
  issuerId: string,
  number: string,
): Promise<InvoiceRow | undefined> {
  return tx.maybeOne<InvoiceRow>(`${SELECT_INVOICE} WHERE i.issuer_id = $1 AND i.number = $2`, [
    issuerId,
    number,
  ]);
}

export async function invoiceByIdempotencyKey(
  tx: Queryable,
  scope: string,
  key: string,
): Promise<InvoiceRow | undefined> {
  return tx.maybeOne<InvoiceRow>(
    `${SELECT_INVOICE} WHERE i.idempotency_scope = $1 AND i.idempotency_key = $2`,
    [scope, key],
  );
}

export interface OrderLineKey {
  orderId: string;
  lineNo: number;
}

/**
 * Quantities already invoiced per order line, by invoices of `kind` in `statuses`, leaving one invoice
 * out (the one being matched again). Keyed `orderId/lineNo`.
 */
export async function invoicedQuantities(
  tx: Queryable,
  lines: readonly OrderLineKey[],
  kind: InvoiceKind,
  statuses: readonly InvoiceStatus[],
  excludeInvoiceId: string | null,
): Promise<Map<string, string>> {
  const { rows } = await tx.query<{ order_id: string; line_no: number; quantity: string }>(
    // `order_id = ANY` lets the planner use the (order_id, order_line_no) index, whatever the table's size.
    `SELECT l.order_id, l.order_line_no AS line_no, trim_scale(sum(l.quantity))::text AS quantity
       FROM invoices.invoice_line l JOIN invoices.invoice i ON i.id = l.invoice_id
      WHERE l.order_id = ANY($1::text[])
        AND (l.order_id, l.order_line_no) IN (SELECT * FROM unnest($1::text[], $2::int[]))
        AND i.kind = $3 AND i.status = ANY($4::text[]) AND ($5::text IS NULL OR i.id <> $5)
      GROUP BY 1, 2`,
    [lines.map((l) => l.orderId), lines.map((l) => l.lineNo), kind, statuses, excludeInvoiceId],
  );
  return new Map(rows.map((row) => [lineKey(row.order_id, row.line_no), row.quantity]));
}

export const lineKey = (orderId: string, lineNo: number) => `${orderId}/${lineNo}`;

const INVOICE_NUMBERS = { schema: 'invoices', table: 'invoice_number', seriesColumn: 'series' };

/** AR-2026-000001: one sequence per series and year. */
export const nextInvoiceNumber = (tx: Queryable, series: string, year: number) =>
  nextDocumentNumber(tx, INVOICE_NUMBERS, series, series, year);

export interface NewInvoiceLine {
  orderId: string;
  orderLineNo: number;
  sku: string;
  unit: string;
  description: string | null;
  quantity: string;
  unitPrice: string;
  netAmount: string;
  taxRate: string;
  taxAmount: string;
}

export interface NewInvoice {
  number: string;
  kind: InvoiceKind;
  status: InvoiceStatus;
  issuerId: string;
  recipientId: string;
  orderId: string | null;
  currency: string;
  subtotal: string;
  taxTotal: string;
  total: string;
  issueDate: string;
  dueDate: string;
  match: MatchRecord | null;
  disputeReason: string | null;
  requestHash: string | null;
  idempotency: { scope: string; key: string } | null;
  lines: NewInvoiceLine[];
}

/** Inserts the invoice and its lines in two statements, whatever the number of lines. */
export async function insertInvoice(tx: Queryable, invoice: NewInvoice, actor: string): Promise<InvoiceRow> {
  const id = randomUUID();
  const row = await tx.one<InvoiceRow>(
    `INSERT INTO invoices.invoice AS i (id, number, kind, status, issuer_id, recipient_id, order_id, currency,
       subtotal, tax_total, total, issue_date, due_date, match, dispute_reason, request_hash,
       idempotency_scope, idempotency_key, created_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)
     RETURNING ${INVOICE_COLUMNS}`,
    [
      id,
      invoice.number,
      invoice.kind,
      invoice.status,
      invoice.issuerId,
      invoice.recipientId,
      invoice.orderId,
      invoice.currency,
      invoice.subtotal,
      invoice.taxTotal,
      invoice.total,
      invoice.issueDate,
      invoice.dueDate,
      invoice.match as unknown as Record<string, unknown> | null,
      invoice.disputeReason,
      invoice.requestHash,
      invoice.idempotency?.scope ?? null,
      invoice.idempotency?.key ?? null,
      actor,
    ],
  );
  const lines = invoice.lines;
  await tx.query(
    `INSERT INTO invoices.invoice_line (invoice_id, line_no, order_id, order_line_no, sku, unit, description,
       quantity, unit_price, net_amount, tax_rate, tax_amount)
     SELECT $1, ord, order_id, order_line_no, sku, unit, description, quantity, unit_price, net_amount,
            tax_rate, tax_amount
       FROM unnest($2::text[], $3::int[], $4::text[], $5::text[], $6::text[], $7::numeric[], $8::numeric[],
                   $9::numeric[], $10::numeric[], $11::numeric[]) WITH ORDINALITY
            AS t(order_id, order_line_no, sku, unit, description, quantity, unit_price, net_amount, tax_rate,
                 tax_amount, ord)`,
    [
      id,
      lines.map((l) => l.orderId),
      lines.map((l) => l.orderLineNo),
      lines.map((l) => l.sku),
      lines.map((l) => l.unit),
      lines.map((l) => l.description),
      lines.map((l) => l.quantity),
      lines.map((l) => l.unitPrice),
      lines.map((l) => l.netAmount),
      lines.map((l) => l.taxRate),
      lines.map((l) => l.taxAmount),
    ],
  );
  return row;
}

export interface InvoiceChange {
  status: InvoiceStatus;
  paid?: string;
  match?: MatchRecord;
  disputeReason?: string | null;
  approval?: { justification: string; by: string };
  cancelReason?: string;
  dunningLevel?: number;
}

/** Applies a change to an invoice and returns it as it now is. */
export async function updateInvoice(tx: Queryable, id: string, change: InvoiceChange): Promise<InvoiceRow> {
  await tx.query(
    `UPDATE invoices.invoice SET status = $2, updated_at = now(),
            paid = COALESCE($3::numeric, paid),
            match = CASE WHEN $4::boolean THEN $5::jsonb ELSE match END,
            dispute_reason = CASE WHEN $6::boolean THEN $7 ELSE dispute_reason END,
            approval_justification = COALESCE($8, approval_justification),
            approved_by = COALESCE($9, approved_by),
            approved_at = CASE WHEN $8::text IS NULL THEN approved_at ELSE now() END,
            cancel_reason = COALESCE($10, cancel_reason),
            dunning_level = COALESCE($11::int, dunning_level)
      WHERE id = $1`,
    [
      id,
      change.status,
      change.paid ?? null,
      change.match !== undefined,
      (change.match ?? null) as unknown as Record<string, unknown> | null,
      change.disputeReason !== undefined,
      change.disputeReason ?? null,
      change.approval?.justification ?? null,
      change.approval?.by ?? null,
      change.cancelReason ?? null,
      change.dunningLevel ?? null,
    ],
  );
  return tx.one<InvoiceRow>(`${SELECT_INVOICE} WHERE i.id = $1`, [id]);
}

export async function paymentByReference(
  tx: Queryable,
  invoiceId: string,
  reference: string,
): Promise<PaymentRow | undefined> {
  return tx.maybeOne<PaymentRow>(
    `SELECT p.id, p.invoice_id, p.reference, p.amount::text, p.paid_on::text, p.request_hash, p.recorded_by,
            p.recorded_at, i.currency::text AS currency
       FROM invoices.payment p JOIN invoices.invoice i ON i.id = p.invoice_id
      WHERE p.invoice_id = $1 AND p.reference = $2`,
    [invoiceId, reference],
  );
}

export async function insertPayment(
  tx: Queryable,
  payment: {
    invoiceId: string;
    reference: string;
    amount: string;
    paidOn: string;
    requestHash: string;
  },
  actor: string,
): Promise<string> {
  const id = randomUUID();
  await tx.query(
    `INSERT INTO invoices.payment (id, invoice_id, reference, amount, paid_on, request_hash, recorded_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [id, payment.invoiceId, payment.reference, payment.amount, payment.paidOn, payment.requestHash, actor],
  );
  return id;
}

// ---------------------------------------------------------------- payment terms

export async function termsOf(
  db: Queryable,
  partnerIds: readonly string[],
): Promise<Omit<PaymentTermsRow, 'custom'>[]> {
  const { rows } = await db.query<Omit<PaymentTermsRow, 'custom'>>(
    `SELECT partner_id, days, trim_scale(tax_rate)::text AS tax_rate FROM invoices.payment_terms
      WHERE partner_id = ANY($1::text[])`,
    [[...partnerIds]],
  );
  return rows;
}

export async function saveTerms(
  tx: Queryable,
  terms: { partnerId: string; days: number; taxRate: string },
  actor: string,
): Promise<void> {
  await tx.query(
    `INSERT INTO invoices.payment_terms (partner_id, days, tax_rate, updated_by) VALUES ($1, $2, $3, $4)
     ON CONFLICT (partner_id) DO UPDATE SET days = EXCLUDED.days, tax_rate = EXCLUDED.tax_rate,
       updated_by = EXCLUDED.updated_by, updated_at = now()`,
    [terms.partnerId, terms.days, terms.taxRate, actor],
  );
}

// ---------------------------------------------------------------- dunning

export interface OverdueRow {
  id: string;
  days_overdue: number;
  dunning_level: number;
}

/**
 * Open receivables past their due date as of `asOf`, locked for the run. Disputed invoices are held,
 * so they are not chased.
 */
export async function lockOverdueReceivables(tx: Queryable, asOf: string): Promise<OverdueRow[]> {
  const { rows } = await tx.query<OverdueRow>(
    `SELECT id, ($1::date - due_date) AS days_overdue, dunning_level FROM invoices.invoice
      WHERE kind = 'RECEIVABLE' AND status IN ('ISSUED', 'PARTIALLY_PAID') AND due_date < $1::date
      ORDER BY due_date, id FOR UPDATE`,
    [asOf],
  );
  return rows;
}

/** Records reminders; the (invoice, level) key refuses a level twice even if two runs overlapped. */
export async function insertReminders(
  tx: Queryable,
  reminders: readonly { invoiceId: string; level: number; daysOverdue: number }[],
  asOf: string,
): Promise<ReminderRow[]> {
  if (reminders.length === 0) return [];
  const { rows } = await tx.query<ReminderRow>(
    `WITH sent AS (
       INSERT INTO invoices.dunning_reminder (invoice_id, level, days_overdue, as_of, balance)
       SELECT r.invoice_id, r.level, r.days_overdue, $4::date, i.total - i.paid
         FROM unnest($1::text[], $2::int[], $3::int[]) AS r(invoice_id, level, days_overdue)
         JOIN invoices.invoice i ON i.id = r.invoice_id
       ON CONFLICT (invoice_id, level) DO NOTHING
       RETURNING *)
     SELECT s.invoice_id, s.level, s.days_overdue, s.as_of::text, s.balance::text, s.sent_at,
            i.currency::text AS currency
       FROM sent s JOIN invoices.invoice i ON i.id = s.invoice_id ORDER BY s.invoice_id`,
    [
      reminders.map((r) => r.invoiceId),
      reminders.map((r) => r.level),
      reminders.map((r) => r.daysOverdue),
      asOf,
    ],
  );
  await tx.query(
    `UPDATE invoices.invoice i SET dunning_level = s.level, updated_at = now()
       FROM unnest($1::text[], $2::int[]) AS s(id, level) WHERE i.id = s.id AND i.dunning_level < s.level`,
    [rows.map((r) => r.invoice_id), rows.map((r) => r.level)],
  );
  return rows;
}
