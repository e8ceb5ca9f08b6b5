import { parseArgs } from 'node:util';
import { signDevToken } from '../gateway/auth.ts';
import { DEFAULT_LIMITS, type LimitsConfig } from '../gateway/limits.ts';
import { PRINCIPAL_HEADER, signPrincipal } from '../platform/auth/principal.ts';
import { SUBGRAPHS, type SubgraphName } from '../platform/subgraphs.ts';
import { startThreadService } from '../platform/server/thread.ts';
import { startGatewayThread } from '../app/stack.ts';
import { PEER_THREAD, type PeerThreadData } from './peerThread.ts';
import { benchStack, BENCH_SECRETS, combine, measure, printResults, type LoadResult } from './support.ts';

/**
 * `npm run bench:gateway`: a query spanning three subgraphs (orders, partners, inventory) through this
 * gateway, with authentication and every limit (a rate high enough never to refuse), beside plain
 * @apollo/gateway and Hive Gateway on the same running subgraphs, and the orders part of the same data
 * fetched from the orders subgraph directly, in one run on the demo data. Each gateway runs in a worker
 * thread of its own, as `npm start` runs this one; the subgraphs, PGlite and the load share the main
 * thread alike for every case. `--without-limits` adds this gateway without its limits, to read their
 * cost; `--largest` also times the largest operation each tier may send.
 */
const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '10' },
    concurrency: { type: 'string', default: '10' },
    largest: { type: 'boolean', default: false },
    'without-limits': { type: 'boolean', default: false },
  },
});
const seconds = Number(values.seconds);
const concurrency = Number(values.concurrency);

const secrets = BENCH_SECRETS;
const stack = await benchStack({ seedDemo: true });

const federated = `{ orders(first: 5) { nodes { number status total { amount currency }
  buyer { name } seller { name } lines { quantity item { sku name available } } } } }`;
const direct = `{ orders(first: 5) { nodes { number status total { amount currency }
  buyer { id } seller { id } lines { quantity item { sku } } } } }`;

const token = await signDevToken(secrets.jwt, { subject: 'bench', roles: ['admin'] });
const post = (url: string, query: string, headers: Record<string, string>) => async () => {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query }),
  });
  const body = (await response.json()) as { errors?: unknown[] };
  return response.ok && !body.errors;
};
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

const unlimitedRate = {
  perMinute: 1e12,
  burst: 1e12,
  concurrent: 1e6,
  subscriptionsPerConnection: 1e6,
  subscriptions: 1e6,
};
const benchLimits: LimitsConfig = {
  ...DEFAULT_LIMITS,
  partner: { ...DEFAULT_LIMITS.partner, rate: unlimitedRate },
  staff: { ...DEFAULT_LIMITS.staff, rate: unlimitedRate },
};
const subgraphUrls = Object.fromEntries(SUBGRAPHS.map((name) => [name, stack.subgraphs[name].url])) as Record<
  SubgraphName,
  string
>;
const gatewayOn = (limits: LimitsConfig | false) =>
  startGatewayThread({
    subgraphUrls,
    jwt: { secret: secrets.jwt, jwksUrl: undefined, issuer: undefined, audience: undefined },
    internalSecret: secrets.internal,
    port: 0,
    limits,
  });
const limited = await gatewayOn(benchLimits);
const unlimited = values['without-limits'] ? await gatewayOn(false) : undefined;
const peer = (name: PeerThreadData['peer']) =>
  startThreadService(name, PEER_THREAD, {
    peer: name,
    subgraphUrls,
    internalSecret: secrets.internal,
  } satisfies PeerThreadData);
const apollo = await peer('apollo');
const hive = await peer('hive');
const auth = { authorization: `Bearer ${token}` };

// Every gateway answers the query alike before any is timed: a peer that fails is not "fast".
const answers = await Promise.all(
  [limited.url, apollo.url, hive.url].map(async (url) => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...auth },
      body: JSON.stringify({ query: federated }),
    });
    return JSON.stringify(await response.json());
  }),
);
if (new Set(answers).size !== 1 || answers[0]!.includes('"errors"'))
  throw new Error(`the gateways answer differently:\n${answers.join('\n')}`);

const cases: [string, () => Promise<boolean>][] = [
  ['orders subgraph directly (baseline)', post(stack.subgraphs.orders.url, direct, directHeaders)],
  ['this gateway (authentication, limits)', post(limited.url, federated, auth)],
  ...(unlimited
    ? [
        ['this gateway without limits', post(unlimited.url, federated, auth)] as [
          string,
          () => Promise<boolean>,
        ],
      ]
    : []),
  ['@apollo/gateway (no auth, no limits)', post(apollo.url, federated, {})],
  ['Hive Gateway (no auth, no limits)', post(hive.url, federated, {})],
];
// Every case twice, interleaved, so a drift of the machine's load does not read as one gateway's cost.
const rounds = cases.map(() => [] as LoadResult[]);
for (let round = 0; round < 2; round += 1) {
  for (const [i, [label, send]] of cases.entries())
    rounds[i]!.push(await measure(label, send, concurrency, seconds));
}
const results = rounds.map(combine);
printResults(results);
const rate = (result: LoadResult) => result.requests / result.seconds;
const byLabel = (prefix: string) => results.find((result) => result.label.startsWith(prefix))!;
const baseline = byLabel('orders subgraph');
const ours = byLabel('this gateway (');
const hiveResult = byLabel('Hive');
const apolloResult = byLabel('@apollo');
console.log(`
this gateway / Hive Gateway:      throughput ×${(rate(ours) / rate(hiveResult)).toFixed(2)}, p50 ×${(ours.p50 / hiveResult.p50).toFixed(2)}
this gateway / @apollo/gateway:   throughput ×${(rate(ours) / rate(apolloResult)).toFixed(2)}, p50 ×${(ours.p50 / apolloResult.p50).toFixed(2)}
this gateway / orders directly:   throughput ×${(rate(ours) / rate(baseline)).toFixed(2)}, p50 ×${(ours.p50 / baseline.p50).toFixed(2)}
Hive Gateway / orders directly:   throughput ×${(rate(hiveResult) / rate(baseline)).toFixed(2)}, p50 ×${(hiveResult.p50 / baseline.p50).toFixed(2)}`);
if (unlimited) {
  const off = rate(byLabel('this gateway without'));
  console.log(
    `limits cost ${(((off - rate(ours)) / off) * 100).toFixed(1)}% of throughput (with ${rate(ours).toFixed(0)}/s, without ${off.toFixed(0)}/s)`,
  );
}

if (values.largest) {
  // The largest operations each tier may send, and what they take.
  const partnerKey = await signDevToken(secrets.jwt, {
    subject: 'bench-partner',
    roles: ['partner'],
    partnerId: await selfPartnerId(),
  });
  const walks = (count: number) =>
    `{ ${Array.from({ length: count }, (_, i) => `a${i}: self { suppliers(depth: 10) { supplier { name tier } } }`).join(' ')} }`;
  const risks = (count: number) =>
    `{ self { ${Array.from({ length: count }, (_, i) => `r${i}: risk { score }`).join(' ')} } }`;
  for (const [who, headers, query] of [
    ['partner: 24 aliases of suppliers(depth: 10)', { authorization: `Bearer ${partnerKey}` }, walks(24)],
    ['staff: 62 aliases of suppliers(depth: 10)', auth, walks(62)],
    ['staff: 100 aliases of risk', auth, risks(100)],
  ] as const) {
    const started = performance.now();
    const response = await fetch(limited.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ query }),
    });
    const body = (await response.json()) as { errors?: { message: string }[] };
    console.log(
      `${who}: ${response.status} ${body.errors ? body.errors[0]!.message : 'ok'} in ${(performance.now() - started).toFixed(0)} ms`,
    );
  }
}

async function selfPartnerId(): Promise<string> {
  const response = await fetch(limited.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...auth },
    body: JSON.stringify({ query: '{ partners(first: 5, search: "Norte") { nodes { id } } }' }),
  });
  const body = (await response.json()) as { data: { partners: { nodes: { id: string }[] } } };
  return body.data.partners.nodes[0]!.id;
}
console.log(
  `concurrency ${concurrency}, ${seconds}s per case; process RSS ${(process.memoryUsage().rss / 1_048_576).toFixed(0)} MB`,
);

clearInterval(renewal);
await limited.close();
await unlimited?.close();
await apollo.close();
await hive.close();
await stack.stopAll();
