import { parseArgs } from 'node:util';
import { signDevToken } from '../gateway/auth.ts';
import type { Audience } from '../subgraphs/network/cypher.ts';
import { impact } from '../subgraphs/network/impact.ts';
import { linksFrom } from '../subgraphs/network/queries.ts';
import { percentile } from './percentile.ts';
import { generateNetwork, LOAD_BATCH, loadNetwork, prng } from './networkGraph.ts';
import { referenceImpact, referenceLinksFrom } from './networkReference.ts';
import { benchStack, BENCH_SECRETS, measure, printResults, type LoadResult } from './support.ts';

/**
 * `npm run bench:network`: a supply network generated from a seed (100,000 companies, about 408,000
 * links, 8 upstream tiers and 2 downstream; 30% of links shared with the whole network, the rest with
 * partners one tier beyond), bulk-loaded into Neo4j with UNWIND batches. Then `upstream` and
 * `downstream` (first page of 100 at depth 10) and `impact` of a tier-4 company (depth 10, first 100),
 * for the company's view (an analyst) and for a partner's (the tier-4 company for impact and downstream,
 * a tier-1 supplier for upstream), each measured in the same run:
 *   - through the gateway (HTTP, authentication, limits, federation), the figure the goal is set for; the
 *     gateway runs in a worker thread of its own, as `npm start` runs it, not beside the subgraphs and
 *     this benchmark's clients on the main thread;
 *   - the same Cypher on the driver: the baseline, what the query costs in Neo4j alone;
 *   - with `--reference-runs N`, the earlier Cypher (a shortest-path search per company reached) on the
 *     driver, N runs one after another, each abandoned after `--reference-timeout` seconds (off by default:
 *     on the full network its runs take minutes).
 * `--companies` scales the network down (links scale with it) on machines where loading is too slow.
 */
const { values } = parseArgs({
  options: {
    companies: { type: 'string', default: '100000' },
    seed: { type: 'string', default: '20260101' },
    seconds: { type: 'string', default: '10' },
    concurrency: { type: 'string', default: '4' },
    'reference-runs': { type: 'string', default: '0' },
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
  const at = (q: number) => percentile(latencies, q) ?? NaN;
  return {
    label,
    requests: runs,
    errors,
    seconds: (performance.now() - started) / 1_000,
    p50: at(0.5),
    p99: at(0.99),
  };
}

// Latency is measured here, not the rate limits (1,200 operations a minute for a partner, 6,000 for
// staff), which 4 clients pass.
for (const tier of ['PARTNER', 'STAFF']) {
  process.env[`LIMIT_${tier}_RATE_PER_MINUTE`] = '1000000';
  process.env[`LIMIT_${tier}_RATE_BURST`] = '1000000';
}
const secrets = BENCH_SECRETS;
const stack = await benchStack({ seedDemo: false, gatewayThread: true });

const generatedAt = performance.now();
const network = generateNetwork(COMPANIES, SEED);
const generation = (performance.now() - generatedAt) / 1_000;
const loaded = await loadNetwork(stack.driver, network);
const tiers = [...network.byTier].sort(([a], [b]) => b - a).map(([tier, ids]) => `${tier}:${ids.length}`);
console.log(
  `generated ${network.companies.length} companies and ${network.links.length} links (seed ${SEED}) in ${generation.toFixed(1)} s; tiers ${tiers.join(' ')}`,
);
console.log(
  `loaded in batches of ${LOAD_BATCH}: companies ${loaded.companies.toFixed(1)} s, links ${loaded.links.toFixed(1)} s (${Math.round(network.links.length / loaded.links)} links/s), derived items ${loaded.derived.toFixed(1)} s`,
);

const random = prng(SEED + 1);
const pickIn = (tier: number) => {
  const ids = network.byTier.get(tier)!;
  return ids[Math.floor(random() * ids.length)]!;
};
const disrupted = pickIn(4);
const supplier = pickIn(1);
const company: Audience = { kind: 'company' };
// The generated companies live in Neo4j only. The two that act as partners get an active row in the
// partners directory, as a registered partner has, or the gateway refuses their people's tokens.
const actingPartners = network.companies.filter((c) => c.id === disrupted || c.id === supplier);
await stack.db.query(
  `INSERT INTO partners.partner (id, name, country, roles, status)
   SELECT c.id, c.id, c.country, ARRAY['SUPPLIER'], 'ACTIVE'
     FROM jsonb_to_recordset($1::jsonb) AS c(id text, country text)
   ON CONFLICT (id) DO NOTHING`,
  [JSON.stringify(actingPartners)],
);
const token = await signDevToken(secrets.jwt, { subject: 'bench', roles: ['analyst'] });

const viaGateway = (bearer: string, query: string, variables: Record<string, unknown>) => async () => {
  const response = await fetch(stack.gateway.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${bearer}` },
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
const IMPACT = `query ($id: ID!, $first: Int) { impact(partnerId: $id, first: $first) { affectedCount items { sku }
  companies { partner { id } distance path { id } items { sku } } pageInfo { hasNextPage } } }`;

type Role = 'upstream' | 'downstream' | 'impact';

interface Case {
  label: string;
  view: 'company' | 'partner';
  reference: () => Promise<unknown>;
  driver: () => Promise<unknown>;
  gateway: () => Promise<boolean>;
}

/** The three queries for one view; `viewer` names the partner acting for each, null for the company. */
async function cases(view: 'company' | 'partner', viewer: (role: Role) => string | null): Promise<Case[]> {
  const audienceFor = (role: Role): Audience => {
    const partnerId = viewer(role);
    return partnerId === null ? company : { kind: 'partner', partnerId };
  };
  const tokenFor = (role: Role) => {
    const partnerId = viewer(role);
    return partnerId === null
      ? token
      : signDevToken(secrets.jwt, { subject: `bench-${partnerId}`, roles: ['partner'], partnerId });
  };
  const links = async (direction: 'upstream' | 'downstream'): Promise<Case> => ({
    label: `${direction} d${DEPTH} first ${PAGE}, ${view}`,
    view,
    reference: () =>
      referenceLinksFrom(
        stack.driver,
        audienceFor(direction),
        direction,
        [viewer(direction)],
        DEPTH,
        PAGE + 1,
        null,
        referenceTimeout,
      ),
    driver: () =>
      linksFrom(stack.driver, audienceFor(direction), direction, [viewer(direction)], DEPTH, PAGE + 1),
    gateway: viaGateway(
      await tokenFor(direction),
      `query ($depth: Int, $first: Int) { ${direction}(depth: $depth, first: $first) { ${LINKS} } }`,
      { depth: DEPTH, first: PAGE },
    ),
  });
  return [
    await links('upstream'),
    await links('downstream'),
    {
      label: `impact of tier 4 d${DEPTH} first ${PAGE}, ${view}`,
      view,
      reference: () =>
        referenceImpact(
          stack.driver,
          audienceFor('impact'),
          disrupted,
          DEPTH,
          PAGE + 1,
          null,
          referenceTimeout,
        ),
      driver: () => impact(stack.driver, audienceFor('impact'), disrupted, DEPTH, PAGE + 1, null),
      gateway: viaGateway(await tokenFor('impact'), IMPACT, { id: disrupted, first: PAGE }),
    },
  ];
}

const all = [
  ...(await cases('company', () => null)),
  ...(await cases('partner', (role) => (role === 'upstream' ? supplier : disrupted))),
];

const reached = await impact(stack.driver, company, disrupted, DEPTH, 1, null);
const seen = await impact(stack.driver, { kind: 'partner', partnerId: disrupted }, disrupted, DEPTH, 1, null);
console.log(
  `impact of ${disrupted} (tier 4) reaches ${reached.affectedCount} companies (${seen.affectedCount} in its own view); partner views: ${disrupted} (impact, downstream), ${supplier} (tier 1, upstream)`,
);

// One untimed round first, so no case pays for warming Neo4j's page cache.
for (const entry of all) {
  await entry.driver();
  await entry.gateway();
}
const results: LoadResult[] = [];
const rows: [Case, LoadResult, LoadResult, LoadResult | undefined][] = [];
for (const entry of all) {
  const driver = await measure(`${entry.label}: driver`, direct(entry.driver), concurrency, seconds);
  const gateway = await measure(`${entry.label}: gateway`, entry.gateway, concurrency, seconds);
  const reference =
    referenceRuns > 0
      ? await measureRuns(`${entry.label}: earlier`, entry.reference, referenceRuns)
      : undefined;
  results.push(driver, gateway, ...(reference ? [reference] : []));
  rows.push([entry, driver, gateway, reference]);
}
printResults(results);
// The goal: p50 <= 100 ms and p99 <= 300 ms for the company's view, twice that for a partner's.
console.log(
  '\ndepth 10, gateway against the same Cypher on the driver (baseline); goal for the gateway figures:',
);
for (const [entry, driver, gateway, reference] of rows) {
  const [p50Goal, p99Goal] = entry.view === 'company' ? [100, 300] : [200, 600];
  const met = gateway.errors === 0 && gateway.p50 <= p50Goal && gateway.p99 <= p99Goal;
  const earlier = reference
    ? `  earlier p50 ${reference.p50.toFixed(0)} p99 ${reference.p99.toFixed(0)} ms (${reference.errors} abandoned)`
    : '';
  console.log(
    `  ${entry.label.padEnd(40)} gateway p50 ${gateway.p50.toFixed(1).padStart(6)} p99 ${gateway.p99.toFixed(1).padStart(6)} ms | driver p50 ${driver.p50.toFixed(1).padStart(6)} p99 ${driver.p99.toFixed(1).padStart(6)} ms | goal ${p50Goal}/${p99Goal}: ${met ? 'met' : 'NOT met'}${earlier}`,
  );
}
console.log(
  `concurrency ${concurrency}, ${seconds}s per case${referenceRuns > 0 ? `; earlier: ${referenceRuns} runs one at a time, ${referenceTimeout / 1_000}s timeout` : ''}`,
);

await stack.stopAll();
