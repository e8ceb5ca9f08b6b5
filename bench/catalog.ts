import { parseArgs } from 'node:util';
import { signDevToken } from '../gateway/auth.ts';
import { PRINCIPAL_HEADER, signPrincipal, type Principal } from '../platform/auth/principal.ts';
import { setPrice } from '../subgraphs/inventory/commands.ts';
import { benchStack, BENCH_SECRETS } from './support.ts';

/**
 * `npm run bench:catalog`: one customer's catalog over 50,000 bulk-seeded items (list prices, stock, an
 * agreed price on every tenth item, a running promotion on every hundredth), synced in pages of 500: a full
 * sync, then an incremental sync (`changedSince`) after 1% of the list prices changed. Each through the
 * gateway and, as the baseline in the same run, from the inventory subgraph directly. Reports time,
 * items/s, SQL statements per page and memory (the whole stack runs in this process, so RSS is the
 * gateway's, the subgraphs' and the database's together).
 */
const { values } = parseArgs({
  options: { items: { type: 'string', default: '50000' }, rounds: { type: 'string', default: '3' } },
});
const ITEMS = Number(values.items);
const ROUNDS = Number(values.rounds);
const PAGE = 500;
const CHANGED = Math.round(ITEMS / 100);

const secrets = BENCH_SECRETS;
const stack = await benchStack({ seedDemo: true });
const { db } = stack;
const mb = (bytes: number) => `${(bytes / 1_048_576).toFixed(0)} MB`;

/** Items BENCH-000001…, bulk SQL; stamped as of the current log position, so they precede the first sync. */
async function seed(customerId: string): Promise<void> {
  await db.transaction(async (tx) => {
    // A DATABASE_URL server keeps an earlier run's items.
    for (const table of ['stock_movement', 'stock_level', 'customer_price', 'promotion', 'reservation']) {
      await tx.query(`DELETE FROM inventory.${table} WHERE sku LIKE 'BENCH-%'`);
    }
    await tx.query(`DELETE FROM inventory.item WHERE sku LIKE 'BENCH-%'`);
    const { rows } = await tx.query<{ v: string }>(
      `SELECT COALESCE(max(cursor), 0)::text AS v FROM events.event_log`,
    );
    const version = rows[0]!.v;
    await tx.query(
      `INSERT INTO inventory.item (sku, name, unit, list_price, currency, catalog_version)
       SELECT 'BENCH-' || lpad(n::text, 6, '0'), 'Bench item ' || n, 'EA', 5 + (n % 997) * 0.25, 'EUR', $2::bigint
         FROM generate_series(1, $1::int) AS n`,
      [ITEMS, version],
    );
    await tx.query(
      `INSERT INTO inventory.stock_level (sku, location, on_hand, reserved)
       SELECT 'BENCH-' || lpad(n::text, 6, '0'), (SELECT code FROM inventory.location WHERE is_default), n % 50, 0
         FROM generate_series(1, $1::int) AS n`,
      [ITEMS],
    );
    await tx.query(
      `INSERT INTO inventory.customer_price
         (id, sku, customer_id, amount, currency, valid_from, valid_to, starts_at, ends_at, version, created_by)
       SELECT md5('bench-price-' || n), 'BENCH-' || lpad(n::text, 6, '0'), $2, 4 + (n % 997) * 0.2, 'EUR',
              current_date - 30, NULL, (current_date - 30)::timestamp AT TIME ZONE 'UTC', NULL, $3::bigint, 'bench'
         FROM generate_series(10, $1::int, 10) AS n`,
      [ITEMS, customerId, version],
    );
    await tx.query(
      `INSERT INTO inventory.promotion (id, sku, name, kind, value, currency, starts_at, ends_at, created_by)
       SELECT md5('bench-promo-' || n), 'BENCH-' || lpad(n::text, 6, '0'), 'Bench promotion', 'PERCENT', 10, NULL,
              now() - interval '1 day', now() + interval '30 days', 'bench'
         FROM generate_series(100, $1::int, 100) AS n`,
      [ITEMS],
    );
  });
  for (const table of ['item', 'stock_level', 'customer_price', 'promotion'])
    await db.query(`ANALYZE inventory.${table}`);
}

const QUERY = `query ($first: Int, $after: String, $since: String, $customerId: ID) {
  catalog(first: $first, after: $after, changedSince: $since, customerId: $customerId) {
    nodes { sku name unit gtin available listPrice { amount currency } price { amount currency }
            customerPrice { price { amount } validFrom validTo } promotion { name kind value } }
    pageInfo { endCursor hasNextPage } syncToken } }`;

interface CatalogPage {
  data?: {
    catalog: {
      nodes: { sku: string; price: { amount: string } | null }[];
      pageInfo: { endCursor: string | null; hasNextPage: boolean };
      syncToken: string;
    };
  };
  errors?: unknown[];
}

interface SyncResult {
  items: number;
  pages: number;
  seconds: number;
  statements: number;
  token: string;
  rssAfter: number;
}

async function sync(
  url: string,
  headers: () => Record<string, string>,
  customerId: string | null,
  since: string | null,
) {
  let after: string | null = null;
  let items = 0;
  let pages = 0;
  let token = '';
  const statementsBefore = db.statementCount;
  const started = performance.now();
  for (;;) {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers() },
      body: JSON.stringify({ query: QUERY, variables: { first: PAGE, after, since, customerId } }),
    });
    const body = (await response.json()) as CatalogPage;
    if (!response.ok || body.errors || !body.data)
      throw new Error(`sync failed: ${JSON.stringify(body.errors ?? body)}`);
    const { catalog } = body.data;
    items += catalog.nodes.length;
    pages += 1;
    token = catalog.syncToken;
    if (!catalog.pageInfo.hasNextPage) break;
    after = catalog.pageInfo.endCursor;
  }
  const seconds = (performance.now() - started) / 1_000;
  return {
    items,
    pages,
    seconds,
    statements: db.statementCount - statementsBefore,
    token,
    rssAfter: process.memoryUsage().rss,
  } satisfies SyncResult;
}

const median = (results: SyncResult[]) =>
  [...results].sort((a, b) => a.seconds - b.seconds)[Math.floor(results.length / 2)]!;

function report(label: string, results: SyncResult[]) {
  const r = median(results);
  console.log(
    `${label.padEnd(40)} ${String(r.items).padStart(7)} ${String(r.pages).padStart(6)} ${r.seconds.toFixed(3).padStart(9)} ${(r.items / r.seconds).toFixed(0).padStart(9)} ${(r.statements / r.pages).toFixed(1).padStart(11)} ${mb(Math.max(...results.map((x) => x.rssAfter))).padStart(9)}`,
  );
}

let failed = false;
try {
  const { rows: customers } = await db.query<{ id: string }>(
    `SELECT id FROM partners.partner WHERE name LIKE 'VeloMarkt%'`,
  );
  const customerId = customers[0]!.id;
  const seedStart = performance.now();
  await seed(customerId);
  console.log(
    `seeded ${ITEMS} items, ${ITEMS / 10} agreed prices, ${ITEMS / 100} promotions in ${((performance.now() - seedStart) / 1_000).toFixed(2)} s (${db.engine})`,
  );

  const customerToken = await signDevToken(secrets.jwt, {
    subject: 'bench-erp',
    roles: ['partner'],
    partnerId: customerId,
  });
  const gatewayHeaders = () => ({ authorization: `Bearer ${customerToken}` });
  // The baseline carries no per-request signing cost: signed ahead, renewed within its 60-second lifetime.
  const principal: Principal = { subject: 'bench-erp', roles: ['partner'], partnerId: customerId };
  const direct: Record<string, string> = {};
  const signBaseline = async () => {
    direct[PRINCIPAL_HEADER] = await signPrincipal(principal, secrets.internal);
  };
  await signBaseline();
  const renewal = setInterval(() => void signBaseline(), 20_000);
  const paths = [
    ['inventory directly (baseline)', stack.subgraphs.inventory.url, () => direct],
    ['gateway', stack.gateway.url, gatewayHeaders],
  ] as const;

  try {
    const rssStart = process.memoryUsage().rss;
    const full: Record<string, SyncResult[]> = {};
    let token = '';
    for (let round = 0; round < ROUNDS; round += 1) {
      for (const [label, url, headers] of paths) {
        const result = await sync(url, headers, null, null);
        if (result.items < ITEMS) throw new Error(`${label}: a full sync returned ${result.items} items`);
        (full[label] ??= []).push(result);
        token = result.token;
      }
    }

    // 1% of the list prices change, through the same command the API runs (each appends a PriceSet).
    const admin: Principal = { subject: 'bench-admin', roles: ['admin'] };
    const changeStart = performance.now();
    await db.transaction(async (tx) => {
      for (let n = 1; n <= CHANGED; n += 1) {
        const sku = `BENCH-${String(n * 100 - 37).padStart(6, '0')}`;
        await setPrice(tx, admin, { sku, price: { amount: (7 + n * 0.01).toFixed(2), currency: 'EUR' } });
      }
    });
    await stack.settled();
    console.log(
      `changed ${CHANGED} list prices in ${((performance.now() - changeStart) / 1_000).toFixed(2)} s`,
    );

    const incremental: Record<string, SyncResult[]> = {};
    for (let round = 0; round < ROUNDS; round += 1) {
      for (const [label, url, headers] of paths) {
        const result = await sync(url, headers, null, token);
        if (result.items !== CHANGED)
          throw new Error(`${label}: an incremental sync returned ${result.items} items, not ${CHANGED}`);
        (incremental[label] ??= []).push(result);
      }
    }

    console.log(`\nmedian of ${ROUNDS} rounds, pages of ${PAGE}, customer ${customerId}`);
    console.log(
      `${'sync'.padEnd(40)} ${'items'.padStart(7)} ${'pages'.padStart(6)} ${'seconds'.padStart(9)} ${'items/s'.padStart(9)} ${'SQL/page'.padStart(11)} ${'RSS'.padStart(9)}`,
    );
    for (const [label] of paths) report(`full: ${label}`, full[label]!);
    for (const [label] of paths) report(`1% changed: ${label}`, incremental[label]!);
    const ratio = (results: Record<string, SyncResult[]>) =>
      (median(results[paths[1][0]]!).seconds / median(results[paths[0][0]]!).seconds).toFixed(2);
    console.log(`\ngateway/baseline time: full ×${ratio(full)}, incremental ×${ratio(incremental)}`);
    const fullTime = median(full[paths[1][0]]!).seconds;
    const incrementalTime = median(incremental[paths[1][0]]!).seconds;
    console.log(
      `incremental/full through the gateway: ${((incrementalTime / fullTime) * 100).toFixed(1)}% of the time`,
    );
    const usage = process.memoryUsage();
    console.log(
      `memory: RSS ${mb(rssStart)} before the syncs, ${mb(usage.rss)} after, peak ${mb(process.resourceUsage().maxRSS * 1_024)}; heap used ${mb(usage.heapUsed)}`,
    );
  } finally {
    clearInterval(renewal);
  }
} catch (error) {
  console.error(error);
  failed = true;
} finally {
  await stack.stopAll();
}
if (failed) process.exitCode = 1;
