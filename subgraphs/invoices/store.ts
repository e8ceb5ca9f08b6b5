import { randomUUID } from 'node:crypto';
import type { Queryable } from '../../platform/db/database.ts';
import { appendEvent } from '../../platform/events/eventLog.ts';
import type { InvoiceKind, InvoiceStatus } from './generated/resolvers.ts';

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
  created_at: Date;
}

export interface OrderRef {
  id: string;
}
export interface PartnerRef {
  id: string;
}

/** What a principal may read: invoices its partner issued or received; all for the company's roles. */
export interface InvoiceScope {
  partyId: string | null;
}

const SELECT_INVOICE = `
  SELECT id, number, kind, status, issuer_id, recipient_id, order_id, currency::text AS currency,
         subtotal::text, tax_total::text, total::text, paid::text, issue_date::text, due_date::text, created_at
    FROM invoices.invoice i`;
const IN_SCOPE = `($1::text IS NULL OR i.issuer_id = $1 OR i.recipient_id = $1)`;

export async function invoicesByIds(db: Queryable, ids: readonly string[], scope: InvoiceScope) {
  const { rows } = await db.query<InvoiceRow>(
    `${SELECT_INVOICE} WHERE ${IN_SCOPE} AND i.id = ANY($2::text[])`,
    [scope.partyId, [...ids]],
  );
  return rows;
}

export async function invoicesByOrderIds(db: Queryable, orderIds: readonly string[], scope: InvoiceScope) {
  const { rows } = await db.query<InvoiceRow>(
    `${SELECT_INVOICE} WHERE ${IN_SCOPE} AND i.order_id = ANY($2::text[]) ORDER BY i.issue_date, i.number`,
    [scope.partyId, [...orderIds]],
  );
  return rows;
}

export async function listInvoices(
  db: Queryable,
  filter: { kind?: InvoiceKind | null; status?: InvoiceStatus | null },
  scope: InvoiceScope,
  after: [string, string] | null,
  limit: number,
) {
  const { rows } = await db.query<InvoiceRow>(
    `${SELECT_INVOICE}
      WHERE ${IN_SCOPE}
        AND ($2::text IS NULL OR i.kind = $2) AND ($3::text IS NULL OR i.status = $3)
        AND ($4::timestamptz IS NULL OR (i.created_at, i.id) < ($4::timestamptz, $5))
      ORDER BY i.created_at DESC, i.id DESC LIMIT $6`,
    [
      scope.partyId,
      filter.kind ?? null,
      filter.status ?? null,
      after?.[0] ?? null,
      after?.[1] ?? null,
      limit,
    ],
  );
  return rows;
}

export const invoiceSortKey = (row: InvoiceRow): [string, string] => [row.created_at.toISOString(), row.id];

export interface OpenAmountRow {
  partner_id: string;
  kind: InvoiceKind;
  currency: string;
  open: string;
}

/**
 * Open amounts per partner, kind and currency. A partner's are the invoices it is a party to: for a
 * customer what it owes us, for a supplier what we owe it, and for us, as party to every invoice, the totals.
 */
export async function openAmounts(db: Queryable, partnerIds: readonly string[]): Promise<OpenAmountRow[]> {
  const { rows } = await db.query<OpenAmountRow>(
    `SELECT party.id AS partner_id, i.kind, i.currency::text AS currency, sum(i.total - i.paid)::text AS open
       FROM invoices.invoice i
       CROSS JOIN LATERAL (VALUES (i.issuer_id), (i.recipient_id)) AS party(id)
      WHERE i.status NOT IN ('CANCELLED', 'PAID') AND party.id = ANY($1::text[])
      GROUP BY 1, 2, 3 ORDER BY 3`,
    [[...partnerIds]],
  );
  return rows;
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
}

export async function insertInvoice(tx: Queryable, invoice: NewInvoice, actor: string): Promise<string> {
  const id = randomUUID();
  await tx.query(
    `INSERT INTO invoices.invoice (id, number, kind, status, issuer_id, recipient_id, order_id, currency,
                                   subtotal, tax_total, total, issue_date, due_date)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
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
    ],
  );
  await appendEvent(tx, {
    type: 'InvoiceRecorded',
    aggregateType: 'Invoice',
    aggregateId: id,
    parties: [invoice.issuerId, invoice.recipientId],
    actor,
    payload: { invoiceId: id, ...invoice },
  });
  return id;
}
