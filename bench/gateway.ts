import { parseArgs } from 'node:util';
import { signDevToken } from '../gateway/auth.ts';
import { startGateway } from '../gateway/gateway.ts';
import { DEFAULT_LIMITS, type LimitsConfig } from '../gateway/limits.ts';
import { PRINCIPAL_HEADER, signPrincipal } from '../platform/auth/principal.ts';
import { SUBGRAPHS, type SubgraphName } from '../platform/subgraphs.ts';
import { benchStack, BENCH_SECRETS, measure, printResults, type LoadResult } from './support.ts';

/**
 * `npm run bench:gateway`: a query spanning three subgraphs (orders, partners, inventory) through the
 * gateway, against the orders part of the same data fetched from the orders subgraph directly, in one run
 * on the demo data. Load comes from this process, so both cases share the 2 cores with it alike.
 * The cost of the limits: the same query through a second gateway on the same subgraphs without them,
 * in the same run (the limited one keeps every check, with a rate high enough never to refuse).
 * `--largest` also times the largest operation each tier may send.
 */
const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '10' },
    concurrency: { type: 'string', default: '16' },
    largest: { type: 'boolean', default: false },
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
const gatewayOn = (limits: LimitsConfig | false) =>
  startGateway({
    subgraphUrls: Object.fromEntries(SUBGRAPHS.map((name) => [name, stack.subgraphs[name].url])) as Record<
      SubgraphName,
      string
    >,
    jwt: { secret: secrets.jwt, jwksUrl: undefined, issuer: undefined, audience: undefined },
    internalSecret: secrets.internal,
    port: 0,
    limits,
  });
const limited = await gatewayOn(benchLimits);
const unlimited = await gatewayOn(false);
const auth = { authorization: `Bearer ${token}` };

const results: LoadResult[] = [];
results.push(
  await measure(
    'orders subgraph directly (baseline)',
    post(stack.subgraphs.orders.url, direct, directHeaders),
    concurrency,
    seconds,
  ),
);
results.push(
  await measure('gateway without limits', post(unlimited.url, federated, auth), concurrency, seconds),
);
results.push(
  await measure(
    'gateway with limits (every check)',
    post(limited.url, federated, auth),
    concurrency,
    seconds,
  ),
);
// Twice each, interleaved, so a drift of the machine's load does not read as the limits' cost.
results.push(
  await measure('gateway without limits (again)', post(unlimited.url, federated, auth), concurrency, seconds),
);
results.push(
  await measure('gateway with limits (again)', post(limited.url, federated, auth), concurrency, seconds),
);
printResults(results);
const rate = (result: LoadResult) => result.requests / result.seconds;
const [baseline, off1, on1, off2, on2] = results;
console.log(
  `\ngateway/baseline: throughput ×${(rate(off1!) / rate(baseline!)).toFixed(2)}, p50 ×${(off1!.p50 / baseline!.p50).toFixed(2)}`,
);
const off = rate(off1!) + rate(off2!);
const on = rate(on1!) + rate(on2!);
console.log(
  `limits cost ${(((off - on) / off) * 100).toFixed(1)}% of throughput (with ${(on / 2).toFixed(0)}/s, without ${(off / 2).toFixed(0)}/s)`,
);

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
    ['staff: 49 aliases of risk', auth, risks(49)],
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
  const response = await fetch(unlimited.url, {
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
await unlimited.close();
await stack.stopAll();
