import { parseArgs } from 'node:util';
import { signDevToken } from '../gateway/auth.ts';
import { PRINCIPAL_HEADER, signPrincipal } from '../platform/auth/principal.ts';
import { benchStack, BENCH_SECRETS, measure, printResults } from './support.ts';

/**
 * `npm run bench:gateway`: a query spanning three subgraphs (orders, partners, inventory) through the
 * gateway, against the orders part of the same data fetched from the orders subgraph directly, in one run
 * on the demo data. Load comes from this process, so both cases share the 2 cores with it alike.
 */
const { values } = parseArgs({
  options: { seconds: { type: 'string', default: '10' }, concurrency: { type: 'string', default: '16' } },
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

const results = [];
results.push(
  await measure(
    'orders subgraph directly (baseline)',
    post(stack.subgraphs.orders.url, direct, directHeaders),
    concurrency,
    seconds,
  ),
);
results.push(
  await measure(
    'gateway: orders + partners + inventory',
    post(stack.gateway.url, federated, { authorization: `Bearer ${token}` }),
    concurrency,
    seconds,
  ),
);
printResults(results);
const [baseline, gateway] = results;
console.log(
  `\ngateway/baseline: throughput ×${(gateway!.requests / gateway!.seconds / (baseline!.requests / baseline!.seconds)).toFixed(2)}, p50 ×${(gateway!.p50 / baseline!.p50).toFixed(2)}`,
);
console.log(
  `concurrency ${concurrency}, ${seconds}s per case; process RSS ${(process.memoryUsage().rss / 1_048_576).toFixed(0)} MB`,
);

clearInterval(renewal);
await stack.stopAll();
