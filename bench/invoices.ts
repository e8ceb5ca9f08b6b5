import { parseArgs } from 'node:util';
import type { Stack } from '../app/stack.ts';
import type { Principal } from '../platform/auth/principal.ts';
import { invoiceTotals, lineAmounts } from '../subgraphs/invoices/arithmetic.ts';
import { submitSupplierInvoice } from '../subgraphs/invoices/payables.ts';
import { invoiceSettingsFromEnvironment } from '../subgraphs/invoices/settings.ts';
import { appendInvoiceEvent } from '../subgraphs/invoices/events.ts';
import { insertInvoice } from '../subgraphs/invoices/store.ts';
import { benchStack } from './support.ts';

/**
 * `npm run bench:invoices`: 10,000 supplier invoices of 5 lines, each submitted through the command the
 * API runs (one transaction: idempotency checks, order lines locked, three-way match, insert, event), against
 * a baseline in the same run that writes the same invoices and their events, totals precomputed, without any
 * check or match.
 * The order facts the match needs are bulk-seeded into invoicing's own tables (received in full).
 */
const { values } = parseArgs({ options: { invoices: { type: 'string', default: '10000' } } });
const INVOICES = Number.parseInt(values.invoices, 10);
const LINES = 5;
const CHUNK = 1_000;
const PRICE = '12.3456';

const stack = await benchStack({ seedDemo: true });

const orderId = (n: number) => `bench-invoice-order-${n}`;

/** Purchase orders from one supplier to us, every line received in full, straight into the projection. */
async function seedOrderFacts(stack: Stack): Promise<{ supplierId: string }> {
  const { db } = stack;
  const { rows } = await db.query<{ self: string; supplier: string }>(
    `SELECT (SELECT id FROM partners.partner WHERE is_self) AS self,
            (SELECT id FROM partners.partner WHERE name LIKE 'Norte%') AS supplier`,
  );
  const { self, supplier } = rows[0]!;
  await db.transaction(async (tx) => {
    for (let from = 1; from <= INVOICES; from += CHUNK) {
      const to = Math.min(INVOICES, from + CHUNK - 1);
      await tx.query(
        `INSERT INTO invoices.order_fact (order_id, number, kind, status, buyer_id, seller_id, currency)
         SELECT 'bench-invoice-order-' || n, 'PO-2025-' || lpad(n::text, 6, '0'), 'PURCHASE', 'RECEIVED', $1, $2, 'EUR'
           FROM generate_series($3::int, $4::int) AS n`,
        [self, supplier, from, to],
      );
      await tx.query(
        `INSERT INTO invoices.order_line_fact (order_id, line_no, sku, unit, quantity, unit_price,
                                               confirmed_quantity, shipped_quantity, received_quantity)
         SELECT 'bench-invoice-order-' || n, l, 'SKU-' || l, 'EA', 10 + l, $3, 10 + l, 10 + l, 10 + l
           FROM generate_series($1::int, $2::int) AS n CROSS JOIN generate_series(1, $4::int) AS l`,
        [from, to, PRICE, LINES],
      );
    }
  });
  await db.query('ANALYZE invoices.order_fact');
  await db.query('ANALYZE invoices.order_line_fact');
  return { supplierId: supplier };
}

const linesOf = (n: number) =>
  Array.from({ length: LINES }, (_, i) => ({
    orderId: orderId(n),
    lineNo: i + 1,
    quantity: String(10 + i + 1),
    unitPrice: PRICE,
    taxRate: '21',
  }));

const mb = (bytes: number) => (bytes / 1_048_576).toFixed(0);

async function timed(label: string, work: (n: number) => Promise<void>) {
  const statementsBefore = stack.db.statementCount;
  const started = performance.now();
  for (let n = 1; n <= INVOICES; n += 1) await work(n);
  const seconds = (performance.now() - started) / 1_000;
  const statements = (stack.db.statementCount - statementsBefore) / INVOICES;
  console.log(
    `${label.padEnd(46)} ${(INVOICES / seconds).toFixed(0).padStart(8)} ${seconds.toFixed(2).padStart(9)} ` +
      `${statements.toFixed(1).padStart(12)} ${mb(process.memoryUsage().rss).padStart(8)}`,
  );
  return INVOICES / seconds;
}

let failed = false;
try {
  const seedStart = performance.now();
  const { supplierId } = await seedOrderFacts(stack);
  console.log(
    `seeded ${INVOICES} received purchase orders × ${LINES} lines into invoicing's projection in ` +
      `${((performance.now() - seedStart) / 1_000).toFixed(2)} s (${stack.db.engine})`,
  );
  const settings = invoiceSettingsFromEnvironment();
  const supplier: Principal = { subject: 'bench-supplier', roles: ['partner'], partnerId: supplierId };
  const today = new Date().toISOString().slice(0, 10);

  console.log(
    `\n${'case'.padEnd(46)} ${'inv/s'.padStart(8)} ${'seconds'.padStart(9)} ${'SQL/invoice'.padStart(12)} ${'RSS MB'.padStart(8)}`,
  );
  const matched = await timed('submitSupplierInvoice: checks + 3-way match', (n) =>
    stack.db
      .transaction((tx) =>
        submitSupplierInvoice(
          tx,
          supplier,
          { number: `BENCH-${n}`, currency: 'EUR', lines: linesOf(n) },
          null,
          settings,
          today,
        ),
      )
      .then((invoice) => {
        if (invoice.status !== 'APPROVED')
          throw new Error(`BENCH-${n} is ${invoice.status}: ${invoice.dispute_reason}`);
      }),
  );
  const baseline = await timed('baseline: insert + event, no checks or match', (n) =>
    stack.db.transaction(async (tx) => {
      const lines = linesOf(n);
      const amounts = lines.map((line) => lineAmounts(line.quantity, line.unitPrice, line.taxRate, 'EUR'));
      const totals = invoiceTotals(amounts);
      const invoice = await insertInvoice(
        tx,
        {
          number: `BASE-${n}`,
          kind: 'PAYABLE',
          status: 'APPROVED',
          issuerId: supplierId,
          recipientId: 'bench',
          orderId: orderId(n),
          currency: 'EUR',
          subtotal: totals.subtotal.toString(),
          taxTotal: totals.taxTotal.toString(),
          total: totals.total.toString(),
          issueDate: today,
          dueDate: today,
          match: null,
          disputeReason: null,
          requestHash: null,
          idempotency: null,
          lines: lines.map((line, i) => ({
            orderId: line.orderId,
            orderLineNo: line.lineNo,
            sku: `SKU-${line.lineNo}`,
            unit: 'EA',
            description: null,
            quantity: line.quantity,
            unitPrice: line.unitPrice,
            netAmount: amounts[i]!.net.toString(),
            taxRate: line.taxRate,
            taxAmount: amounts[i]!.tax.toString(),
          })),
        },
        'bench',
      );
      await appendInvoiceEvent(tx, 'InvoiceSubmitted', invoice, { subject: 'bench', partnerId: supplierId });
    }),
  );
  const { rows } = await stack.db.query<{ approved: string }>(
    `SELECT count(*)::text AS approved FROM invoices.invoice WHERE number LIKE 'BENCH-%' AND status = 'APPROVED'`,
  );
  console.log(`\nchecked: ${rows[0]!.approved} of ${INVOICES} submitted invoices matched and approved`);
  console.log(
    `matched/baseline throughput ×${(matched / baseline).toFixed(2)}; process RSS ${mb(process.memoryUsage().rss)} MB, ` +
      `peak ${mb(process.resourceUsage().maxRSS * 1_024)} MB`,
  );
  failed = rows[0]!.approved !== String(INVOICES);
} catch (error) {
  console.error(error);
  failed = true;
} finally {
  await stack.stopAll();
}
if (failed) process.exitCode = 1;
