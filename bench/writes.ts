import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { openNeo4jDriver, type Stack } from '../app/stack.ts';
import { PRINCIPAL_HEADER, signPrincipal } from '../platform/auth/principal.ts';
import type { Database } from '../platform/db/database.ts';
import { lastCommittedCursor, readEvents } from '../platform/events/eventLog.ts';
import { clearNetwork } from '../subgraphs/network/store.ts';
import { startLocalPostgres, type LocalPostgres } from './localPostgres.ts';
import { benchNeo4j, benchStack, BENCH_SECRETS, measure, type LoadResult } from './support.ts';

/**
 * `npm run bench:writes`: purchase orders of 3 lines created per second through the orders subgraph over
 * HTTP (`createPurchaseOrder` with an idempotency key: checks, numbering, order, lines and its event in one
 * transaction), at 1, 8 and 32 clients, on PGlite and on a PostgreSQL server (DATABASE_URL, or a throwaway
 * local server when one is installed), each beside a raw baseline measured in the same run on the same
 * database: the same rows (order, lines, an event row) inserted in one transaction by plain SQL into
 * scratch tables, with no check, numbering or event log. The whole stack runs, so the event consumers
 * (projections, webhooks) work through the events the writes append, as they would in production.
 */
const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '5' },
    clients: { type: 'string', default: '1,8,32' },
    engines: { type: 'string', default: 'pglite,postgres' },
  },
});
const SECONDS = Number(values.seconds);
const CLIENTS = values.clients.split(',').map(Number);
const ENGINES = values.engines.split(',');
const LINES = 3;
const ACTOR = 'bench-writes';

interface Fixture {
  supplierIds: string[];
  items: { sku: string; unit: string }[];
  selfId: string;
}

async function fixture(db: Database): Promise<Fixture> {
  const { rows: parties } = await db.query<{ id: string; is_self: boolean }>(
    `SELECT id, is_self FROM partners.partner WHERE is_self OR ('SUPPLIER' = ANY(roles) AND status = 'ACTIVE')
      ORDER BY name`,
  );
  const { rows: items } = await db.query<{ sku: string; unit: string }>(
    `SELECT sku, unit FROM inventory.item ORDER BY sku LIMIT 20`,
  );
  const self = parties.find((p) => p.is_self);
  const supplierIds = parties.filter((p) => !p.is_self).map((p) => p.id);
  if (!self || supplierIds.length === 0 || items.length < LINES) throw new Error('the demo data is missing');
  return { supplierIds, items, selfId: self.id };
}

/** Scratch tables shaped like the orders subgraph's and the event log, for the raw baseline. */
async function prepareRaw(db: Database): Promise<void> {
  await db.query('DROP SCHEMA IF EXISTS bench_writes CASCADE');
  await db.query('CREATE SCHEMA bench_writes');
  await db.query('CREATE TABLE bench_writes.purchase_order (LIKE orders.purchase_order INCLUDING ALL)');
  await db.query('CREATE TABLE bench_writes.order_line (LIKE orders.order_line INCLUDING ALL)');
  await db.query(
    `CREATE TABLE bench_writes.event_log (LIKE events.event_log INCLUDING INDEXES INCLUDING CONSTRAINTS)`,
  );
  await db.query(
    `ALTER TABLE bench_writes.event_log ALTER COLUMN cursor ADD GENERATED ALWAYS AS IDENTITY,
       ALTER COLUMN parties SET DEFAULT '{}', ALTER COLUMN occurred_at SET DEFAULT clock_timestamp()`,
  );
}

const pick = <T>(list: readonly T[], n: number): T => list[n % list.length]!;

function rawInsert(db: Database, fx: Fixture): () => Promise<boolean> {
  let n = 0;
  return async () => {
    n += 1;
    const id = randomUUID();
    const lines = Array.from({ length: LINES }, (_, i) => pick(fx.items, n + i));
    const supplierId = pick(fx.supplierIds, n);
    await db.transaction(async (tx) => {
      await tx.query(
        `INSERT INTO bench_writes.purchase_order (id, number, kind, status, buyer_id, seller_id, currency,
           idempotency_key, created_by)
         VALUES ($1, $2, 'PURCHASE', 'DRAFT', $3, $4, 'EUR', $5, $6)`,
        [id, `RAW-${id}`, fx.selfId, supplierId, id, ACTOR],
      );
      await tx.query(
        `INSERT INTO bench_writes.order_line (order_id, line_no, sku, quantity, unit, unit_price)
         SELECT $1, ord, sku, 5, unit, 9.5 FROM unnest($2::text[], $3::text[]) WITH ORDINALITY AS t(sku, unit, ord)`,
        [id, lines.map((l) => l.sku), lines.map((l) => l.unit)],
      );
      await tx.query(
        `INSERT INTO bench_writes.event_log (type, aggregate_type, aggregate_id, parties, actor, payload)
         VALUES ('OrderCreated', 'Order', $1, $2, $3, $4::text::jsonb)`,
        [id, [fx.selfId, supplierId], ACTOR, JSON.stringify({ orderId: id, lines })],
      );
    });
    return true;
  };
}

const CREATE = `mutation Create($input: CreatePurchaseOrderInput!, $key: String) {
  createPurchaseOrder(input: $input, idempotencyKey: $key) { id number status }
}`;

function createOrder(url: string, headers: Record<string, string>, fx: Fixture): () => Promise<boolean> {
  let n = 0;
  return async () => {
    n += 1;
    const input = {
      supplierId: pick(fx.supplierIds, n),
      currency: 'EUR',
      lines: Array.from({ length: LINES }, (_, i) => ({
        sku: pick(fx.items, n + i).sku,
        quantity: String(1 + ((n + i) % 40)),
        unitPrice: { amount: '9.5', currency: 'EUR' },
      })),
    };
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ query: CREATE, variables: { input, key: randomUUID() } }),
    });
    const body = (await response.json()) as {
      data?: { createPurchaseOrder?: { status: string } };
      errors?: unknown;
    };
    if (body.errors) console.error(JSON.stringify(body.errors).slice(0, 300));
    return response.ok && body.data?.createPurchaseOrder?.status === 'DRAFT';
  };
}

/**
 * After the run, on a settled stack: every order the run created has exactly one OrderCreated event, and a
 * follower reading the log from where the run began meets cursors in strictly increasing order.
 */
async function verify(stack: Stack, created: number, from: string): Promise<string> {
  await stack.settled();
  const { rows } = await stack.db.query<{ count: string }>(
    `SELECT count(*)::int8 AS count FROM orders.purchase_order WHERE created_by = $1`,
    [ACTOR],
  );
  const orders = Number(rows[0]!.count);
  let position = from;
  let previous = BigInt(from);
  let events = 0;
  for (;;) {
    const batch = await readEvents(stack.db, position, 5_000, { types: ['OrderCreated'] });
    if (batch.length === 0) break;
    for (const event of batch) {
      if (BigInt(event.cursor) <= previous) throw new Error(`cursor ${event.cursor} after ${previous}`);
      previous = BigInt(event.cursor);
      if (event.actor === ACTOR) events += 1;
    }
    position = batch[batch.length - 1]!.cursor;
  }
  if (orders < created || events !== orders) {
    throw new Error(`${created} orders reported created, ${orders} stored, ${events} OrderCreated events`);
  }
  return `${orders} orders stored, one OrderCreated event each, cursors in order`;
}

interface Row {
  clients: number;
  raw: LoadResult;
  api: LoadResult;
}

async function benchEngine(
  label: string,
  databaseUrl: string | null,
  neo4j: Awaited<ReturnType<typeof benchNeo4j>>,
) {
  const driver = await openNeo4jDriver(neo4j.connection);
  await clearNetwork(driver).finally(() => driver.close());
  const stack = await benchStack({ seedDemo: true, databaseUrl, neo4j });
  try {
    const fx = await fixture(stack.db);
    await prepareRaw(stack.db);
    await stack.db.query(
      `DELETE FROM orders.order_line WHERE order_id IN (SELECT id FROM orders.purchase_order WHERE created_by = $1)`,
      [ACTOR],
    );
    await stack.db.query(`DELETE FROM orders.purchase_order WHERE created_by = $1`, [ACTOR]);
    // A reused DATABASE_URL keeps the events of earlier runs: the check counts this run's only.
    const from = await lastCommittedCursor(stack.db);
    const headers: Record<string, string> = {};
    const sign = async () => {
      headers[PRINCIPAL_HEADER] = await signPrincipal(
        { subject: ACTOR, roles: ['buyer'] },
        BENCH_SECRETS.internal,
      );
    };
    await sign();
    const renewal = setInterval(() => void sign(), 20_000);
    const rows: Row[] = [];
    let created = 0;
    try {
      for (const clients of CLIENTS) {
        const raw = await measure('raw', rawInsert(stack.db, fx), clients, SECONDS);
        const send = createOrder(stack.subgraphs.orders.url, headers, fx);
        const api = await measure(
          'api',
          async () => {
            const ok = await send();
            if (ok) created += 1;
            return ok;
          },
          clients,
          SECONDS,
        );
        rows.push({ clients, raw, api });
      }
    } finally {
      clearInterval(renewal);
    }
    const check = await verify(stack, created, from);
    print(label, rows);
    console.log(`checked: ${check}`);
    return rows.some((r) => r.api.errors > 0 || r.raw.errors > 0);
  } finally {
    await stack.stopAll();
  }
}

function print(label: string, rows: Row[]): void {
  const rate = (r: LoadResult) => r.requests / r.seconds;
  const cols = (r: LoadResult) =>
    `${rate(r).toFixed(0).padStart(8)} ${r.p50.toFixed(1).padStart(7)} ${r.p99.toFixed(1).padStart(7)}`;
  console.log(`\n${label}`);
  console.log(
    `${'clients'.padStart(7)} | ${'raw insert/s'.padStart(12)} ${'p50 ms'.padStart(7)} ${'p99 ms'.padStart(7)} | ${'createPurchaseOrder/s'.padStart(21)} ${'p50 ms'.padStart(7)} ${'p99 ms'.padStart(7)} ${'errors'.padStart(6)} | ${'api/raw'.padStart(7)}`,
  );
  for (const { clients, raw, api } of rows) {
    console.log(
      `${String(clients).padStart(7)} | ${'    '}${cols(raw)} | ${' '.repeat(13)}${cols(api)} ${String(api.errors).padStart(6)} | ${(rate(api) / rate(raw)).toFixed(2).padStart(7)}`,
    );
  }
}

let failed = false;
const neo4j = await benchNeo4j();
let local: LocalPostgres | null = null;
try {
  if (ENGINES.includes('pglite'))
    failed = (await benchEngine('PGlite (in process, in memory)', null, neo4j)) || failed;
  if (ENGINES.includes('postgres')) {
    let url = process.env.DATABASE_URL || null;
    let label = 'PostgreSQL server (DATABASE_URL)';
    if (!url) {
      local = await startLocalPostgres();
      if (local) {
        url = local.url;
        label = `PostgreSQL ${local.version} server (local, started for this run)`;
      }
    }
    if (url) failed = (await benchEngine(label, url, neo4j)) || failed;
    else console.log('\nPostgreSQL: skipped (no DATABASE_URL and no local server installed)');
  }
  console.log(
    `\n${SECONDS}s per case after a 1 s warm-up; ${LINES} lines per order; one Node process runs the clients, gateway, subgraphs and consumers (${process.env.DATABASE_URL ? '' : 'and PGlite '}on ${(await import('node:os')).cpus().length} cores)`,
  );
} catch (error) {
  console.error(error);
  failed = true;
} finally {
  await local?.stop();
  await neo4j.stop();
}
if (failed) process.exitCode = 1;
