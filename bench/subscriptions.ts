import { parseArgs } from 'node:util';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { signDevToken } from '../gateway/auth.ts';
import { PRINCIPAL_HEADER, signPrincipal, type Principal } from '../platform/auth/principal.ts';
import { confirmOrder, createPurchaseOrder, submitOrder } from '../subgraphs/orders/commands.ts';
import { benchStack, BENCH_SECRETS } from './support.ts';

/**
 * `npm run bench:subscriptions`: how fast order events reach partner systems. Suppliers' subscribers
 * listen to `orderEvents` while purchase orders to them are submitted and confirmed; each delivery's
 * latency is measured from the commit of the step to its arrival at the subscriber. Baseline: the same
 * subscribers on the orders subgraph directly (orders fields only); then through the gateway, selecting
 * fields of orders, partners and network for every event.
 */
const { values } = parseArgs({
  options: {
    subscribers: { type: 'string', default: '30' },
    orders: { type: 'string', default: '100' },
    /** Orders per second: latency is measured at a steady load, not behind a burst. */
    rate: { type: 'string', default: '10' },
  },
});
const SUBSCRIBERS = Number(values.subscribers);
const ORDERS = Number(values.orders);
const RATE = Number(values.rate);

const secrets = BENCH_SECRETS;
const stack = await benchStack({ seedDemo: true });

const { rows: suppliers } = await stack.db.query<{ id: string }>(
  `SELECT id FROM orders.party WHERE 'SUPPLIER' = ANY(roles) AND status = 'ACTIVE' ORDER BY name`,
);
const company: Principal = { subject: 'bench-buyer', roles: ['buyer'] };

interface Case {
  label: string;
  url: string;
  query: string;
  connectionParams: (supplierId: string) => Promise<Record<string, string>>;
}

const CASES: Case[] = [
  {
    label: 'orders subgraph directly (baseline)',
    url: stack.subgraphs.orders.url.replace('http:', 'ws:'),
    query: 'subscription { orderEvents { cursor type status order { id number } } }',
    connectionParams: async (supplierId) => ({
      [PRINCIPAL_HEADER]: await signPrincipal(
        { subject: `bench-${supplierId}`, roles: ['partner'], partnerId: supplierId },
        secrets.internal,
      ),
    }),
  },
  {
    label: 'gateway: orders + partners + network',
    url: stack.gateway.url.replace('http:', 'ws:'),
    query: 'subscription { orderEvents { cursor type status order { id number seller { name tier } } } }',
    connectionParams: async (supplierId) => ({
      authorization: `Bearer ${await signDevToken(secrets.jwt, { subject: `bench-${supplierId}`, roles: ['partner'], partnerId: supplierId })}`,
    }),
  },
];

interface Outcome {
  label: string;
  expected: number;
  delivered: number;
  seconds: number;
  p50: number;
  p99: number;
}

async function run(benchCase: Case): Promise<Outcome> {
  const committedAt = new Map<string, number>();
  const latencies: number[] = [];
  let delivered = 0;
  const clients = await Promise.all(
    Array.from({ length: SUBSCRIBERS }, async (_, index) => {
      const supplierId = suppliers[index % suppliers.length]!.id;
      const client = createClient({
        url: benchCase.url,
        webSocketImpl: WebSocket,
        connectionParams: await benchCase.connectionParams(supplierId),
        retryAttempts: 0,
      });
      client.subscribe<{ orderEvents: { type: string; order: { id: string } } }>(
        { query: benchCase.query },
        {
          next: ({ data, errors }) => {
            if (errors) throw new Error(JSON.stringify(errors));
            const event = data!.orderEvents;
            const committed = committedAt.get(`${event.order.id}:${event.type}`);
            if (committed !== undefined) latencies.push(performance.now() - committed);
            delivered += 1;
          },
          error: (error) => console.error(benchCase.label, error),
          complete: () => undefined,
        },
      );
      return { client, supplierId };
    }),
  );
  // Let every subscription reach its subgraph before the first event.
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  const perSupplier = new Map<string, number>();
  for (const { supplierId } of clients) perSupplier.set(supplierId, (perSupplier.get(supplierId) ?? 0) + 1);

  let expected = 0;
  const started = performance.now();
  for (let i = 0; i < ORDERS; i += 1) {
    const due = started + (i * 1_000) / RATE;
    if (performance.now() < due) await new Promise((resolve) => setTimeout(resolve, due - performance.now()));
    const supplierId = suppliers[i % suppliers.length]!.id;
    const supplier: Principal = { subject: 'bench-supplier', roles: ['partner'], partnerId: supplierId };
    const order = await stack.db.transaction((tx) =>
      createPurchaseOrder(
        tx,
        company,
        {
          supplierId,
          currency: 'EUR',
          lines: [{ sku: 'FRAME-AL-54', quantity: '1', unitPrice: { amount: '1.00', currency: 'EUR' } }],
        },
        null,
        { defaultOverdeliveryTolerance: '0' },
      ),
    );
    await stack.db.transaction((tx) => submitOrder(tx, company, order.id));
    committedAt.set(`${order.id}:SUBMITTED`, performance.now());
    await stack.db.transaction((tx) => confirmOrder(tx, supplier, order.id, {}));
    committedAt.set(`${order.id}:CONFIRMED`, performance.now());
    expected += 2 * (perSupplier.get(supplierId) ?? 0);
  }
  const deadline = Date.now() + 60_000;
  while (delivered < expected && Date.now() < deadline)
    await new Promise((resolve) => setTimeout(resolve, 20));
  const seconds = (performance.now() - started) / 1_000;
  await Promise.all(
    clients.map(async ({ client }) => {
      await client.dispose();
    }),
  );

  latencies.sort((a, b) => a - b);
  const at = (q: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN;
  return { label: benchCase.label, expected, delivered, seconds, p50: at(0.5), p99: at(0.99) };
}

const outcomes: Outcome[] = [];
for (const benchCase of CASES) outcomes.push(await run(benchCase));

console.log(
  `\n${'case'.padEnd(40)} ${'delivered'.padStart(10)} ${'events/s'.padStart(9)} ${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)}`,
);
for (const o of outcomes) {
  console.log(
    `${o.label.padEnd(40)} ${`${o.delivered}/${o.expected}`.padStart(10)} ${(o.delivered / o.seconds).toFixed(0).padStart(9)} ${o.p50.toFixed(2).padStart(8)} ${o.p99.toFixed(2).padStart(8)}`,
  );
}
const [baseline, gateway] = outcomes;
console.log(
  `\ngateway/baseline: p50 ×${(gateway!.p50 / baseline!.p50).toFixed(2)}, p99 ×${(gateway!.p99 / baseline!.p99).toFixed(2)}`,
);
console.log(
  `${SUBSCRIBERS} subscribers over ${suppliers.length} suppliers, ${ORDERS} orders at ${RATE}/s (2 visible events each); latency from commit to arrival; process RSS ${(process.memoryUsage().rss / 1_048_576).toFixed(0)} MB`,
);
const lost = outcomes.some((o) => o.delivered !== o.expected);
await stack.stopAll();
if (lost) {
  console.error('some events were not delivered');
  process.exitCode = 1;
}
