import { parseArgs } from 'node:util';
import type { Stack } from '../app/stack.ts';
import { signDevToken } from '../gateway/auth.ts';
import { PRINCIPAL_HEADER, signPrincipal } from '../platform/auth/principal.ts';
import { benchStack, BENCH_SECRETS, measure, printResults, type LoadResult } from './support.ts';

/**
 * `npm run bench:orders`: a page of 100 orders with their lines and both parties' names through the
 * gateway, over 10,000 bulk-seeded purchase orders of 5 lines each, against the same page from the orders
 * subgraph directly, in one run. Besides throughput and latency it reports SQL statements per request: the
 * subgraphs share one Database in this process, so the gateway case counts orders' and partners' statements.
 */
const { values } = parseArgs({
  options: { seconds: { type: 'string', default: '10' }, concurrency: { type: 'string', default: '16' } },
});
const seconds = Number(values.seconds);
const concurrency = Number(values.concurrency);

const ORDERS = 10_000;
const LINES_PER_ORDER = 5;
const CHUNK = 1_000;
const PAGE = 100;
const SEED_ACTOR = 'system:bench-orders';

const secrets = BENCH_SECRETS;
const stack = await benchStack({ seedDemo: true });

/**
 * Purchase orders from us to the demo suppliers, CONFIRMED, numbered PO-2025-000001… (a year the numbering
 * sequence, which counts per current year, does not reach). They are created one millisecond apart after
 * the newest existing order, so they make up the first pages, in a stable order. Bulk SQL bypasses the
 * stores, so no events are logged for them: the read path is what is measured.
 */
async function seedOrders(stack: Stack): Promise<void> {
  const { db } = stack;
  const { rows: self } = await db.query<{ id: string }>(`SELECT id FROM partners.partner WHERE is_self`);
  const { rows: suppliers } = await db.query<{ id: string }>(
    `SELECT id FROM partners.partner WHERE 'SUPPLIER' = ANY(roles) AND NOT is_self ORDER BY name`,
  );
  const { rows: items } = await db.query<{ sku: string; unit: string; price: string }>(
    `SELECT sku, unit, COALESCE(list_price, 1)::text AS price FROM inventory.item ORDER BY sku`,
  );
  if (self.length !== 1 || suppliers.length === 0 || items.length === 0) {
    throw new Error('the demo data is missing: expected the self partner, suppliers and items');
  }
  await db.transaction(async (tx) => {
    // A DATABASE_URL server keeps the orders of an earlier run.
    await tx.query(
      `DELETE FROM orders.order_line
        WHERE order_id IN (SELECT id FROM orders.purchase_order WHERE created_by = $1)`,
      [SEED_ACTOR],
    );
    await tx.query(`DELETE FROM orders.purchase_order WHERE created_by = $1`, [SEED_ACTOR]);
    const { rows } = await tx.query<{ base: string }>(
      `SELECT greatest(now(), max(created_at))::text AS base FROM orders.purchase_order`,
    );
    const base = rows[0]!.base;
    for (let from = 1; from <= ORDERS; from += CHUNK) {
      const to = Math.min(ORDERS, from + CHUNK - 1);
      await tx.query(
        `INSERT INTO orders.purchase_order
                (id, number, kind, status, buyer_id, seller_id, currency, created_by, created_at, updated_at)
         SELECT md5('bench-order-' || n)::uuid::text, 'PO-2025-' || lpad(n::text, 6, '0'), 'PURCHASE',
                'CONFIRMED', $1, ($2::text[])[1 + n % cardinality($2::text[])], 'EUR', $3,
                $4::timestamptz + n * interval '1 millisecond', $4::timestamptz + n * interval '1 millisecond'
           FROM generate_series($5::int, $6::int) AS n`,
        [self[0]!.id, suppliers.map((s) => s.id), SEED_ACTOR, base, from, to],
      );
      await tx.query(
        `INSERT INTO orders.order_line (order_id, line_no, sku, quantity, unit, unit_price)
         SELECT md5('bench-order-' || n)::uuid::text, l, ($1::text[])[k], 1 + (n * 7 + l * 3) % 40,
                ($2::text[])[k], ($3::numeric[])[k]
           FROM generate_series($4::int, $5::int) AS n
          CROSS JOIN generate_series(1, $6::int) AS l
          CROSS JOIN LATERAL (SELECT 1 + (n * $6::int + l) % cardinality($1::text[]) AS k) AS pick`,
        [
          items.map((i) => i.sku),
          items.map((i) => i.unit),
          items.map((i) => i.price),
          from,
          to,
          LINES_PER_ORDER,
        ],
      );
    }
  });
  // Planner statistics as a long-running server would have them after autovacuum.
  await db.query('ANALYZE orders.purchase_order');
  await db.query('ANALYZE orders.order_line');
}

const pageQuery = (first: number, party: 'name' | 'id') => `{ orders(first: ${first}) { nodes { number status
  total { amount currency } buyer { ${party} } seller { ${party} }
  lines { lineNo quantity unitPrice { amount } item { sku } } } pageInfo { endCursor } } }`;

interface PageResponse {
  data?: {
    orders: {
      nodes: {
        number: string;
        buyer: { name?: string; id?: string };
        seller: { name?: string; id?: string };
        lines: unknown[];
      }[];
      pageInfo: { endCursor: string | null };
    };
  };
  errors?: unknown[];
}

const token = await signDevToken(secrets.jwt, { subject: 'bench', roles: ['admin'] });
const gatewayHeaders = { authorization: `Bearer ${token}` };
// The baseline carries no per-request signing cost: the principal is signed ahead and renewed well within
// its 60-second lifetime, so runs of any length stay valid.
const directHeaders: Record<string, string> = {};
const signBaseline = async () => {
  directHeaders[PRINCIPAL_HEADER] = await signPrincipal(
    { subject: 'bench', roles: ['admin'] },
    secrets.internal,
  );
};
await signBaseline();
const renewal = setInterval(() => void signBaseline(), 20_000);

const fetchPage = async (url: string, query: string, headers: Record<string, string>) => {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query }),
  });
  return { ok: response.ok, body: (await response.json()) as PageResponse };
};

/** What is wrong with a page, or null when it has `PAGE` bench orders of 5 lines with both parties. */
function pageProblem(body: PageResponse, party: 'name' | 'id'): string | null {
  if (body.errors) return `errors: ${JSON.stringify(body.errors)}`;
  const nodes = body.data?.orders.nodes ?? [];
  if (nodes.length !== PAGE) return `${nodes.length} orders instead of ${PAGE}`;
  for (const order of nodes) {
    if (!order.number.startsWith('PO-2025-')) return `order ${order.number} is not a bench order`;
    if (order.lines.length !== LINES_PER_ORDER)
      return `order ${order.number} has ${order.lines.length} lines`;
    if (!order.buyer[party] || !order.seller[party]) return `order ${order.number} lacks a party's ${party}`;
  }
  if (!body.data?.orders.pageInfo.endCursor) return 'no endCursor';
  return null;
}

/** Statements one request costs on an otherwise idle stack: the least of three tries, since event
 * consumers poll the database every few seconds. */
async function statementsOfOne(url: string, query: string, headers: Record<string, string>) {
  let least = Infinity;
  for (let i = 0; i < 3; i += 1) {
    const before = stack.db.statementCount;
    const { ok, body } = await fetchPage(url, query, headers);
    if (!ok || body.errors) throw new Error(`request failed: ${JSON.stringify(body.errors)}`);
    least = Math.min(least, stack.db.statementCount - before);
  }
  return least;
}

let failed = false;
try {
  const seedStart = performance.now();
  await seedOrders(stack);
  console.log(
    `seeded ${ORDERS} orders × ${LINES_PER_ORDER} lines in ${((performance.now() - seedStart) / 1_000).toFixed(2)} s (${stack.db.engine})`,
  );

  const federated = pageQuery(PAGE, 'name');
  const direct = pageQuery(PAGE, 'id');
  for (const [label, url, query, headers, party] of [
    ['gateway', stack.gateway.url, federated, gatewayHeaders, 'name'],
    ['orders subgraph', stack.subgraphs.orders.url, direct, directHeaders, 'id'],
  ] as const) {
    const { ok, body } = await fetchPage(url, query, headers);
    const problem = ok ? pageProblem(body, party) : `HTTP error: ${JSON.stringify(body)}`;
    if (problem) throw new Error(`${label}: the page is not as expected: ${problem}`);
  }
  console.log(`checked: both pages hold ${PAGE} orders of ${LINES_PER_ORDER} lines with both parties`);

  // The number of statements must not grow with the page: DataLoader batches lines and parties.
  console.log('\nSQL statements of one request, by page size:');
  for (const first of [1, 10, PAGE]) {
    const viaGateway = await statementsOfOne(stack.gateway.url, pageQuery(first, 'name'), gatewayHeaders);
    const viaOrders = await statementsOfOne(
      stack.subgraphs.orders.url,
      pageQuery(first, 'id'),
      directHeaders,
    );
    console.log(`  first: ${String(first).padEnd(4)} gateway ${viaGateway}, orders subgraph ${viaOrders}`);
  }

  const post =
    (url: string, query: string, headers: Record<string, string>, counter: { sent: number }) => async () => {
      counter.sent += 1;
      const { ok, body } = await fetchPage(url, query, headers);
      return ok && !body.errors;
    };
  const results: LoadResult[] = [];
  const statementsPerRequest: number[] = [];
  const cases = [
    ['orders subgraph directly (baseline)', stack.subgraphs.orders.url, direct, directHeaders],
    ['gateway: orders + partners', stack.gateway.url, federated, gatewayHeaders],
  ] as const;
  for (const [label, url, query, headers] of cases) {
    // Counted over every request sent, warm-up included, since the warm-up's statements fall in between.
    const counter = { sent: 0 };
    const before = stack.db.statementCount;
    results.push(await measure(label, post(url, query, headers, counter), concurrency, seconds));
    statementsPerRequest.push((stack.db.statementCount - before) / counter.sent);
  }
  printResults(results);
  console.log(`\n${'case'.padEnd(44)} ${'SQL statements/request'.padStart(24)}`);
  results.forEach((r, i) => {
    console.log(`${r.label.padEnd(44)} ${statementsPerRequest[i]!.toFixed(2).padStart(24)}`);
  });
  const [baseline, gateway] = results;
  console.log(
    `\ngateway/baseline: throughput ×${(gateway!.requests / gateway!.seconds / (baseline!.requests / baseline!.seconds)).toFixed(2)}, p50 ×${(gateway!.p50 / baseline!.p50).toFixed(2)}`,
  );
  failed = results.some((r) => r.errors > 0);
  const mb = (bytes: number) => (bytes / 1_048_576).toFixed(0);
  console.log(
    `concurrency ${concurrency}, ${seconds}s per case, page of ${PAGE}; process RSS ${mb(process.memoryUsage().rss)} MB, peak ${mb(process.resourceUsage().maxRSS * 1_024)} MB`,
  );
} catch (error) {
  console.error(error);
  failed = true;
} finally {
  clearInterval(renewal);
  await stack.stopAll();
}
if (failed) process.exitCode = 1;
