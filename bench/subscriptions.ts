import { fork, type ChildProcess } from 'node:child_process';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { parseArgs } from 'node:util';
import { signDevToken } from '../gateway/auth.ts';
import { PRINCIPAL_HEADER, signPrincipal, type Principal } from '../platform/auth/principal.ts';
import { confirmOrder, createPurchaseOrder, submitOrder } from '../subgraphs/orders/commands.ts';
import { registerPartner } from '../subgraphs/partners/store.ts';
import type { FromSubscribers, SubscriberResults, SubscriberSpec, ToSubscribers } from './subscribers.ts';
import { benchStack, BENCH_SECRETS } from './support.ts';

/**
 * `npm run bench:subscriptions`: order events to many partner subscribers. Purchase orders to `--partners`
 * suppliers are submitted and confirmed at `--rate` visible events per second for `--seconds`; every
 * subscriber (spread evenly over the partners, each a principal of its own) listens to `orderEvents`.
 * Baseline: the same subscribers on the orders subgraph directly (orders fields only). Then through the
 * gateway, selecting fields of orders, partners and network. The subscribers run in a child process; the
 * figures of memory and CPU are those of this process (subgraphs and PGlite in the main thread, the gateway
 * in a worker thread of its own as `npm start` runs it; its heap is added to the main thread's).
 */
const { values } = parseArgs({
  options: {
    subscribers: { type: 'string', default: '1000' },
    partners: { type: 'string', default: '10' },
    /** Visible events per second (half submissions, half confirmations). */
    rate: { type: 'string', default: '100' },
    seconds: { type: 'string', default: '10' },
    /**
     * Seconds of events before the measured ones, at the same rate: delivered and checked like the rest,
     * but not timed, so the latencies are those of a running stack, not of its first use of each path
     * (query plans, Neo4j's planner, JIT).
     */
    warmup: { type: 'string', default: '2' },
    /** Which cases run: `direct`, `gateway`, or both (the default). */
    cases: { type: 'string', default: 'direct,gateway' },
    /** The gateway in the main thread with the subgraphs, as tests run it (by default: its own, as `npm start`). */
    'gateway-in-main-thread': { type: 'boolean', default: false },
  },
});
const SUBSCRIBERS = Number(values.subscribers);
const PARTNERS = Number(values.partners);
const RATE = Number(values.rate);
const SECONDS = Number(values.seconds);
const TICK_MS = 100;
const ORDERS_PER_TICK = Math.max(1, Math.round((RATE / 2) * (TICK_MS / 1_000)));
const WARMUP_TICKS = Math.round((Number(values.warmup) * 1_000) / TICK_MS);
const TICKS = WARMUP_TICKS + Math.round((SECONDS * 1_000) / TICK_MS);
/** Two per tick: a second's worth may wait for their commits before the producer waits too. */
const MAX_TRANSACTIONS_IN_FLIGHT = (2 * 1_000) / TICK_MS;
/** After the last event, how long the subscribers may take to receive everything. */
const DRAIN_MS = 120_000;

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const now = () => performance.timeOrigin + performance.now();

// Delivery is measured here, not the partner rate limit: each partner's subscribers subscribe at once.
process.env.LIMIT_PARTNER_RATE_PER_MINUTE = '1000000';
process.env.LIMIT_PARTNER_RATE_BURST = '1000000';
const secrets = BENCH_SECRETS;
const stack = await benchStack({ seedDemo: true, gatewayThread: !values['gateway-in-main-thread'] });
const company: Principal = { subject: 'bench-buyer', roles: ['buyer'] };

console.log(`registering ${PARTNERS} suppliers…`);
const partnerIds: string[] = await stack.db.transaction(async (tx) => {
  const ids: string[] = [];
  for (let i = 0; i < PARTNERS; i += 1) {
    const { partner } = await registerPartner(
      tx,
      {
        name: `Bench Supplier ${i}`,
        country: 'DE',
        roles: ['SUPPLIER'],
        identifiers: [{ scheme: 'DUNS', value: String(800_000_000 + i) }],
        status: 'ACTIVE',
      },
      'bench',
    );
    ids.push(partner.id);
  }
  return ids;
});
await stack.settled();

interface Case {
  label: string;
  url: string;
  query: string;
  connectionParams: (partnerId: string, index: number) => Promise<Record<string, string>>;
  /**
   * Subscribers on a subgraph renew their signed principal (a minute's life) in a ping, as the gateway's
   * own connections do; through the gateway, the gateway does it.
   */
  renews: boolean;
}

/** How often the direct subscribers' principals are signed afresh: well within their minute. */
const RENEW_EVERY_MS = 20_000;

const partnerPrincipal = (partnerId: string, index: number): Principal => ({
  subject: `bench-subscriber-${index}`,
  roles: ['partner'],
  partnerId,
});

const ALL_CASES: (Case & { name: string })[] = [
  {
    name: 'direct',
    label: 'orders subgraph directly (baseline)',
    url: stack.subgraphs.orders.url.replace('http:', 'ws:'),
    query: 'subscription { orderEvents { cursor type status order { id number status } } }',
    connectionParams: async (partnerId, index) => ({
      [PRINCIPAL_HEADER]: await signPrincipal(partnerPrincipal(partnerId, index), secrets.internal),
    }),
    renews: true,
  },
  {
    name: 'gateway',
    label: 'gateway: orders + partners + network',
    url: stack.gateway.url.replace('http:', 'ws:'),
    query:
      'subscription { orderEvents { cursor type status order { id number status seller { name tier } } } }',
    connectionParams: async (partnerId, index) => ({
      authorization: `Bearer ${await signDevToken(secrets.jwt, partnerPrincipal(partnerId, index))}`,
    }),
    renews: false,
  },
];
const CASES = ALL_CASES.filter((benchCase) => values.cases.split(',').includes(benchCase.name));

/** Drafts made before the measured run: only their submission and confirmation are measured. */
async function drafts(count: number): Promise<{ id: string; partnerId: string }[]> {
  const made: { id: string; partnerId: string }[] = [];
  for (let start = 0; start < count; start += 100) {
    const batch = await stack.db.transaction(async (tx) => {
      const orders: { id: string; partnerId: string }[] = [];
      for (let i = start; i < Math.min(count, start + 100); i += 1) {
        const partnerId = partnerIds[i % partnerIds.length]!;
        const order = await createPurchaseOrder(
          tx,
          company,
          {
            supplierId: partnerId,
            currency: 'EUR',
            lines: [{ sku: 'FRAME-AL-54', quantity: '1', unitPrice: { amount: '1.00', currency: 'EUR' } }],
          },
          null,
          { defaultOverdeliveryTolerance: '0' },
        );
        orders.push({ id: order.id, partnerId });
      }
      return orders;
    });
    made.push(...batch);
  }
  return made;
}

function request(child: ChildProcess, message: ToSubscribers): void {
  child.send(message);
}

function nextMessage<Kind extends FromSubscribers['kind']>(
  child: ChildProcess,
  kind: Kind,
): Promise<Extract<FromSubscribers, { kind: Kind }>> {
  return new Promise((resolve) => {
    const listener = (message: FromSubscribers) => {
      if (message.kind !== kind) return;
      child.off('message', listener);
      resolve(message as Extract<FromSubscribers, { kind: Kind }>);
    };
    child.on('message', listener);
  });
}

interface Outcome {
  label: string;
  results: SubscriberResults;
  eventsPerSecond: number;
  /**
   * `gatewayHeap` is null when the gateway has no thread of its own; `rss` when the process held more before
   * the subscribers than after (an earlier case's memory).
   */
  idleBytesPerSubscriber: { heap: number; gatewayHeap: number | null; rss: number | null };
  cpuPercent: number;
  /** Of the subscribers' process: near 100 %, the client, not the stack, bounds the deliveries. */
  subscribersCpuPercent: number;
  peakRssMb: number;
  deliveredPerSecond: number;
}

/** The heap of this thread and of the gateway's, when it has its own; the RSS of the whole process. */
async function memory(): Promise<{ heap: number; gatewayHeap: number | null; rss: number }> {
  gc();
  const gatewayHeap = (await stack.gateway.heapBytes?.()) ?? null;
  const usage = process.memoryUsage();
  return { heap: usage.heapUsed + usage.external + (gatewayHeap ?? 0), gatewayHeap, rss: usage.rss };
}

async function run(benchCase: Case): Promise<Outcome> {
  console.log(`\n${benchCase.label}: preparing ${ORDERS_PER_TICK * TICKS} draft orders…`);
  const orders = await drafts(ORDERS_PER_TICK * TICKS);
  await stack.settled();
  const before = await memory();

  const child = fork(new URL('./subscribers.ts', import.meta.url), [], {
    execArgv: ['--import', 'tsx'],
    stdio: 'inherit',
  });
  let delivered = 0;
  let childCpuMicros = 0;
  child.on('message', (message: FromSubscribers) => {
    if (message.kind !== 'progress') return;
    delivered = message.delivered;
    childCpuMicros = message.cpuMicros;
  });
  const subscribers: SubscriberSpec[] = await Promise.all(
    Array.from({ length: SUBSCRIBERS }, async (_, index) => {
      const partnerId = partnerIds[index % partnerIds.length]!;
      return { partnerId, connectionParams: await benchCase.connectionParams(partnerId, index) };
    }),
  );
  console.log(`${benchCase.label}: opening ${SUBSCRIBERS} subscriptions…`);
  const ready = nextMessage(child, 'ready');
  request(child, { kind: 'open', url: benchCase.url, query: benchCase.query, subscribers });
  const renewal = benchCase.renews
    ? setInterval(() => {
        void Promise.all(
          subscribers.map((spec, index) => benchCase.connectionParams(spec.partnerId, index)),
        ).then((payloads) => request(child, { kind: 'renew', payloads }));
      }, RENEW_EVERY_MS)
    : undefined;
  const { connected } = await ready;
  if (connected !== SUBSCRIBERS) console.warn(`only ${connected}/${SUBSCRIBERS} subscribers connected`);
  // Let every subscription reach its subgraph before the first event, then weigh the idle subscribers.
  await new Promise((resolve) => setTimeout(resolve, 3_000));
  const idle = await memory();

  const committedAt: Record<string, number> = {};
  const visiblePerPartner: Record<string, number> = {};
  const cpuBefore = process.cpuUsage();
  const childCpuBefore = childCpuMicros;
  let peakRss = idle.rss;
  console.log(
    `${benchCase.label}: ${RATE} events/s for ${values.warmup}s of warm-up, then ${SECONDS}s measured…`,
  );
  const started = now();
  let events = 0;
  const committed = (batch: { id: string; partnerId: string }[], step: string, tick: number) => {
    const at = now();
    // A confirmation in the first measured tick answers a warm-up submission: it is measured.
    if (tick >= WARMUP_TICKS) for (const order of batch) committedAt[`${order.id}:${step}`] = at;
    for (const order of batch)
      visiblePerPartner[order.partnerId] = (visiblePerPartner[order.partnerId] ?? 0) + 1;
    events += batch.length;
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  };
  // Each tick submits its orders and confirms the previous tick's, each in a transaction of its own, on
  // schedule: ticks overlap, as writes from many users would, instead of one writer waiting for each
  // commit. A confirmation waits only for its own orders' submission.
  const inFlight: Promise<void>[] = [];
  let previousSubmission: Promise<void> = Promise.resolve();
  for (let tick = 0; tick <= TICKS; tick += 1) {
    const due = started + tick * TICK_MS;
    if (now() < due) await new Promise((resolve) => setTimeout(resolve, due - now()));
    // Behind by more than a second: the stack sets the pace, and events/s produced says so.
    while (inFlight.length > MAX_TRANSACTIONS_IN_FLIGHT) await inFlight.shift();
    const toConfirm = tick > 0 ? orders.slice((tick - 1) * ORDERS_PER_TICK, tick * ORDERS_PER_TICK) : [];
    const toSubmit = tick < TICKS ? orders.slice(tick * ORDERS_PER_TICK, (tick + 1) * ORDERS_PER_TICK) : [];
    const confirmation = previousSubmission.then(() =>
      stack.db
        .transaction(async (tx) => {
          for (const order of toConfirm) {
            const supplier: Principal = {
              subject: 'bench-supplier',
              roles: ['partner'],
              partnerId: order.partnerId,
            };
            await confirmOrder(tx, supplier, order.id, {});
          }
        })
        .then(() => committed(toConfirm, 'CONFIRMED', tick)),
    );
    const submission = stack.db
      .transaction(async (tx) => {
        for (const order of toSubmit) await submitOrder(tx, company, order.id);
      })
      .then(() => committed(toSubmit, 'SUBMITTED', tick));
    previousSubmission = submission;
    inFlight.push(confirmation, submission);
  }
  await Promise.all(inFlight);
  const lastCommit = now();
  const produced = (lastCommit - started) / 1_000;

  const expectedPerPartner: Record<string, number> = {};
  let expectedTotal = 0;
  for (let index = 0; index < SUBSCRIBERS; index += 1) {
    const partnerId = partnerIds[index % partnerIds.length]!;
    expectedPerPartner[partnerId] = visiblePerPartner[partnerId] ?? 0;
    expectedTotal += expectedPerPartner[partnerId];
  }
  const deadline = Date.now() + DRAIN_MS;
  while (delivered < expectedTotal && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }
  const drained = (now() - started) / 1_000;
  const cpu = process.cpuUsage(cpuBefore);
  const childCpu = childCpuMicros - childCpuBefore;
  clearInterval(renewal);
  const resultsMessage = nextMessage(child, 'results');
  request(child, {
    kind: 'results',
    committedAt,
    expectedPerPartner,
    measured: { from: started + WARMUP_TICKS * TICK_MS, until: lastCommit },
  });
  const { results } = await resultsMessage;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  request(child, { kind: 'close' });
  await exited;
  await new Promise((resolve) => setTimeout(resolve, 1_000));

  return {
    label: benchCase.label,
    results,
    eventsPerSecond: events / produced,
    idleBytesPerSubscriber: {
      heap: (idle.heap - before.heap) / SUBSCRIBERS,
      gatewayHeap:
        idle.gatewayHeap === null || before.gatewayHeap === null
          ? null
          : (idle.gatewayHeap - before.gatewayHeap) / SUBSCRIBERS,
      rss: idle.rss > before.rss ? (idle.rss - before.rss) / SUBSCRIBERS : null,
    },
    cpuPercent: ((cpu.user + cpu.system) / 1_000 / (drained * 1_000)) * 100,
    subscribersCpuPercent: (childCpu / 1_000 / (drained * 1_000)) * 100,
    peakRssMb: peakRss / 1_048_576,
    deliveredPerSecond: results.delivered / drained,
  };
}

const ms = (value: number | null, digits: number) => (value === null ? '–' : value.toFixed(digits));
const ratio = (value: number | null, base: number | null) =>
  value === null || base === null ? '–' : (value / base).toFixed(2);

const outcomes: Outcome[] = [];
for (const benchCase of CASES) {
  const outcome = await run(benchCase);
  outcomes.push(outcome);
  // Printed at once too: a later case that fails does not take this one's figures with it.
  const r = outcome.results;
  console.log(
    `${outcome.label}: delivered ${r.delivered}/${r.expected}, lost ${r.lost}, duplicated ${r.duplicated}, stale ${r.stale}, errors ${r.errors}, p50 ${ms(r.latencies.p50, 0)} ms, p99 ${ms(r.latencies.p99, 0)} ms, ${outcome.deliveredPerSecond.toFixed(0)} deliveries/s (${r.sustainedPerSecond.toFixed(0)} while committing), ${outcome.eventsPerSecond.toFixed(0)} events/s produced`,
  );
  if (r.firstError) console.log(`${outcome.label}: first error: ${r.firstError}`);
}

const pad = (value: string, width: number) => value.padStart(width);
console.log(
  `\n${'case'.padEnd(38)}${pad('delivered', 18)}${pad('lost', 7)}${pad('dup', 6)}${pad('stale', 7)}${pad('newer', 9)}${pad('errors', 8)}${pad('deliv/s', 9)}${pad('sustained', 10)}${pad('p50 ms', 9)}${pad('p99 ms', 9)}${pad('max ms', 9)}`,
);
for (const o of outcomes) {
  const r = o.results;
  console.log(
    `${o.label.padEnd(38)}${pad(`${r.delivered}/${r.expected}`, 18)}${pad(String(r.lost), 7)}${pad(String(r.duplicated), 6)}${pad(String(r.stale), 7)}${pad(String(r.newer), 9)}${pad(String(r.errors), 8)}${pad(o.deliveredPerSecond.toFixed(0), 9)}${pad(r.sustainedPerSecond.toFixed(0), 10)}${pad(ms(r.latencies.p50, 1), 9)}${pad(ms(r.latencies.p99, 1), 9)}${pad(ms(r.latencies.max, 1), 9)}`,
  );
}
console.log(
  `\n${'case'.padEnd(38)}${pad('events/s', 9)}${pad('idle heap B/sub', 16)}${pad('of it gateway', 14)}${pad('idle RSS B/sub', 15)}${pad('CPU %', 7)}${pad('peak RSS MB', 12)}${pad('subscribers CPU %', 19)}`,
);
for (const o of outcomes) {
  console.log(
    `${o.label.padEnd(38)}${pad(o.eventsPerSecond.toFixed(0), 9)}${pad(o.idleBytesPerSubscriber.heap.toFixed(0), 16)}${pad(o.idleBytesPerSubscriber.gatewayHeap?.toFixed(0) ?? 'n/a', 14)}${pad(o.idleBytesPerSubscriber.rss?.toFixed(0) ?? 'n/a', 15)}${pad(o.cpuPercent.toFixed(0), 7)}${pad(o.peakRssMb.toFixed(0), 12)}${pad(o.subscribersCpuPercent.toFixed(0), 19)}`,
  );
}
console.log(`\nlatency p50/p99 ms of the events committed in each sixth of the measured run:`);
for (const o of outcomes)
  console.log(
    `${o.label.padEnd(38)}${o.results.latenciesBySixth.map((l) => pad(`${ms(l.p50, 0)}/${ms(l.p99, 0)}`, 12)).join('')}`,
  );
const [baseline, gateway] = outcomes;
if (baseline && gateway)
  console.log(
    `\ngateway/baseline: p50 ×${ratio(gateway.results.latencies.p50, baseline.results.latencies.p50)}, p99 ×${ratio(gateway.results.latencies.p99, baseline.results.latencies.p99)}`,
  );
console.log(
  `${SUBSCRIBERS} subscribers over ${PARTNERS} partners, ${RATE} visible events/s asked for ${SECONDS}s after ${values.warmup}s of warm-up; latency (of the measured events) from commit to arrival at the subscriber process; memory and CPU of the stack process (gateway, five subgraphs, and PGlite unless DATABASE_URL; the gateway in a thread of its own unless --gateway-in-main-thread; "of it gateway": the gateway thread's heap; idle RSS "n/a" when the process held more before the subscribers than after, memory an earlier case left), and the CPU of the subscribers' process (one core at most), from the first event to the last delivery; "deliv/s": all deliveries over the time from the first event to the last delivery, "sustained": those that arrived while the measured events were being committed, over that time; "newer": the nested order already shows a later step (allowed), "stale": it shows an earlier one`,
);
await stack.stopAll();
const broken = outcomes.some((o) => o.results.lost + o.results.duplicated + o.results.stale > 0);
if (broken) {
  console.error('some events were lost, repeated or stale');
  process.exitCode = 1;
}
