import { parseArgs } from 'node:util';
import { signDevToken } from '../gateway/auth.ts';
import type { Audience } from '../subgraphs/network/cypher.ts';
import { impact, linksFrom } from '../subgraphs/network/queries.ts';
import { generateNetwork, LOAD_BATCH, loadNetwork, prng } from './networkGraph.ts';
import { referenceImpact, referenceLinksFrom } from './networkReference.ts';
import { benchStack, BENCH_SECRETS, measure, printResults, type LoadResult } from './support.ts';

/**
 * `npm run bench:network`: a supply network generated from a seed (100,000 companies, about 408,000
 * links, 8 upstream tiers and 2 downstream; 30% of links shared with the whole network, the rest with
 * partners one tier beyond), bulk-loaded into Neo4j with UNWIND batches. Then `upstream` and
 * `downstream` (first page of 100 at depth 10) and `impact` of a tier-4 company (depth 10, first 100),
 * for the company's view and for a partner's (the tier-4 company for impact and downstream, a tier-1
 * supplier for upstream), each three ways in the same run:
 *   - the earlier Cypher (a shortest-path search per company reached) on the driver: the baseline, run
 *     `--reference-runs` times one after another, each abandoned after `--reference-timeout` seconds;
 *   - the current Cypher (breadth-first by tier) on the driver;
 *   - the company's view through the gateway as well (HTTP, authentication, limits, federation).
 * `--companies` scales the network down (links scale with it) on machines where loading is too slow.
 */
const { values } = parseArgs({
  options: {
    companies: { type: 'string', default: '100000' },
    seed: { type: 'string', default: '20260101' },
    seconds: { type: 'string', default: '10' },
    concurrency: { type: 'string', default: '4' },
    'reference-runs': { type: 'string', default: '3' },
    'reference-timeout': { type: 'string', default: '60' },
  },
});
const COMPANIES = Number(values.companies);
const SEED = Number(values.seed);
const seconds = Number(values.seconds);
const concurrency = Number(values.concurrency);
const referenceRuns = Number(values['reference-runs']);
const referenceTimeout = Number(values['reference-timeout']) * 1_000;

/** The baseline: `runs` requests one after another; one that times out counts as an error at its timeout. */
async function measureRuns(label: string, send: () => Promise<unknown>, runs: number): Promise<LoadResult> {
  const latencies: number[] = [];
  let errors = 0;
  const started = performance.now();
  for (let run = 0; run < runs; run += 1) {
    const t0 = performance.now();
    try {
      await send();
    } catch (error) {
      errors += 1;
      console.error(`${label}: ${String(error).slice(0, 160)}`);
    }
    latencies.push(performance.now() - t0);
  }
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!;
  return {
    label,
    requests: runs,
    errors,
    seconds: (performance.now() - started) / 1_000,
    p50: at(0.5),
    p99: at(0.99),
  };
}

const secrets = BENCH_SECRETS;
const stack = await benchStack({ seedDemo: false });

const generatedAt = performance.now();
const network = generateNetwork(COMPANIES, SEED);
const generation = (performance.now() - generatedAt) / 1_000;
const loaded = await loadNetwork(stack.driver, network);
const tiers = [...network.byTier].sort(([a], [b]) => b - a).map(([tier, ids]) => `${tier}:${ids.length}`);
console.log(
  `generated ${network.companies.length} companies and ${network.links.length} links (seed ${SEED}) in ${generation.toFixed(1)} s; tiers ${tiers.join(' ')}`,
);
console.log(
  `loaded in batches of ${LOAD_BATCH}: companies ${loaded.companies.toFixed(1)} s, links ${loaded.links.toFixed(1)} s (${Math.round(network.links.length / loaded.links)} links/s)`,
);

const random = prng(SEED + 1);
const pickIn = (tier: number) => {
  const ids = network.byTier.get(tier)!;
  return ids[Math.floor(random() * ids.length)]!;
};
const disrupted = pickIn(4);
const supplier = pickIn(1);
const company: Audience = { kind: 'company' };
const token = await signDevToken(secrets.jwt, { subject: 'bench', roles: ['analyst'] });

const viaGateway = (query: string, variables: Record<string, unknown>) => async () => {
  const response = await fetch(stack.gateway.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { errors?: unknown[] };
  if (body.errors) console.error(JSON.stringify(body.errors).slice(0, 300));
  return response.ok && !body.errors;
};
const direct = (run: () => Promise<unknown>) => async () => {
  await run();
  return true;
};

const DEPTH = 10;
const PAGE = 100;
const LINKS = `nodes { tier supplier { id } customer { id } items { sku } share } pageInfo { endCursor hasNextPage }`;

interface Case {
  label: string;
  reference: () => Promise<unknown>;
  current: () => Promise<unknown>;
  gateway?: () => Promise<boolean>;
}

function cases(
  audience: Audience,
  viewer: (role: 'upstream' | 'downstream' | 'impact') => string | null,
): Case[] {
  const view = audience.kind === 'company' ? 'company' : 'partner';
  const asViewer = (role: 'upstream' | 'downstream' | 'impact'): Audience => {
    const partnerId = viewer(role);
    return partnerId === null ? audience : { kind: 'partner', partnerId };
  };
  const root = (role: 'upstream' | 'downstream') => viewer(role);
  const links = (direction: 'upstream' | 'downstream'): Case => ({
    label: `${direction} d${DEPTH} first ${PAGE}, ${view}`,
    reference: () =>
      referenceLinksFrom(
        stack.driver,
        asViewer(direction),
        direction,
        [root(direction)],
        DEPTH,
        PAGE + 1,
        null,
        referenceTimeout,
      ),
    current: () =>
      linksFrom(stack.driver, asViewer(direction), direction, [root(direction)], DEPTH, PAGE + 1),
    gateway:
      audience.kind === 'company'
        ? viaGateway(
            `query ($depth: Int, $first: Int) { ${direction}(depth: $depth, first: $first) { ${LINKS} } }`,
            {
              depth: DEPTH,
              first: PAGE,
            },
          )
        : undefined,
  });
  return [
    links('upstream'),
    links('downstream'),
    {
      label: `impact of tier 4 d${DEPTH} first ${PAGE}, ${view}`,
      reference: () =>
        referenceImpact(stack.driver, asViewer('impact'), disrupted, DEPTH, PAGE + 1, null, referenceTimeout),
      current: () => impact(stack.driver, asViewer('impact'), disrupted, DEPTH, PAGE + 1, null),
      gateway:
        audience.kind === 'company'
          ? viaGateway(
              `query ($id: ID!, $first: Int) { impact(partnerId: $id, first: $first) { affectedCount items { sku }
                 companies { partner { id } distance path { id } items { sku } } pageInfo { hasNextPage } } }`,
              { id: disrupted, first: PAGE },
            )
          : undefined,
    },
  ];
}

const all = [
  ...cases(company, () => null),
  ...cases({ kind: 'partner', partnerId: disrupted }, (role) => (role === 'upstream' ? supplier : disrupted)),
];

const reached = await impact(stack.driver, company, disrupted, DEPTH, 1, null);
const seen = await impact(stack.driver, { kind: 'partner', partnerId: disrupted }, disrupted, DEPTH, 1, null);
console.log(
  `impact of ${disrupted} (tier 4) reaches ${reached.affectedCount} companies (${seen.affectedCount} in its own view); partner views: ${disrupted} (impact, downstream), ${supplier} (tier 1, upstream)`,
);

// One untimed round of the current queries first, so no case pays for warming Neo4j's page cache.
for (const entry of all) {
  await entry.current();
  await entry.gateway?.();
}
const results: LoadResult[] = [];
const rows: [string, LoadResult, LoadResult, LoadResult | undefined][] = [];
for (const entry of all) {
  const current = await measure(`${entry.label}: current`, direct(entry.current), concurrency, seconds);
  const gateway = entry.gateway
    ? await measure(`${entry.label}: gateway`, entry.gateway, concurrency, seconds)
    : undefined;
  const reference = await measureRuns(`${entry.label}: earlier`, entry.reference, referenceRuns);
  results.push(reference, current, ...(gateway ? [gateway] : []));
  rows.push([entry.label, reference, current, gateway]);
}
printResults(results);
console.log(
  '\nearlier Cypher (baseline) / current Cypher, both on the driver (errors: abandoned after the timeout):',
);
for (const [label, reference, current, gateway] of rows) {
  const through = gateway
    ? `  gateway p50 ${gateway.p50.toFixed(1)} ms p99 ${gateway.p99.toFixed(1)} ms`
    : '';
  console.log(
    `  ${label.padEnd(40)} p50 ${reference.p50.toFixed(0)} → ${current.p50.toFixed(1)} ms (×${(reference.p50 / current.p50).toFixed(0)})  p99 ${reference.p99.toFixed(0)} → ${current.p99.toFixed(1)} ms${through}`,
  );
}
console.log(
  `current: concurrency ${concurrency}, ${seconds}s per case; earlier: ${referenceRuns} runs one at a time, ${referenceTimeout / 1_000}s timeout`,
);

await stack.stopAll();
