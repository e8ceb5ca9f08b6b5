import { parseArgs } from 'node:util';
import type { Driver } from 'neo4j-driver';
import { signDevToken } from '../gateway/auth.ts';
import { concentration, impact, linksFrom } from '../subgraphs/network/queries.ts';
import { benchStack, BENCH_SECRETS, measure, printResults, type LoadResult } from './support.ts';

/**
 * `npm run bench:network`: a supply network generated from a seed (100,000 companies, about 400,000
 * links, 8 upstream tiers and 2 downstream), bulk-loaded into Neo4j with UNWIND batches, then three
 * questions asked through the gateway and as the same Cypher on the driver, in one run:
 *   upstream at depth 5 from us (first page of 50), impact of a tier-4 company (first 100 of everything
 *   downstream), and concentration by country (depth 3).
 * `--companies` scales the network down (links scale with it) on machines where loading is too slow.
 */
const { values } = parseArgs({
  options: {
    companies: { type: 'string', default: '100000' },
    seed: { type: 'string', default: '20260101' },
    seconds: { type: 'string', default: '10' },
    concurrency: { type: 'string', default: '4' },
  },
});
const COMPANIES = Number(values.companies);
const SEED = Number(values.seed);
const seconds = Number(values.seconds);
const concurrency = Number(values.concurrency);
const BATCH = 10_000;

/** mulberry32: a small seeded PRNG, so the same seed always builds the same network. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

// Upstream tiers 1..8 grow towards raw materials; two downstream tiers of customers and retailers.
const UPSTREAM_WEIGHTS = [0.0005, 0.003, 0.015, 0.05, 0.1, 0.15, 0.17, 0.2];
const CUSTOMER_WEIGHT = 0.03;
const COUNTRIES = [
  'CN',
  'CN',
  'CN',
  'DE',
  'US',
  'TW',
  'IN',
  'VN',
  'MX',
  'ES',
  'IT',
  'PL',
  'TR',
  'BR',
  'JP',
  'KR',
];

interface Network {
  companies: { id: string; country: string; isSelf: boolean; tier: number }[];
  links: { s: string; c: string; items: string[]; share: number }[];
  byTier: Map<number, string[]>;
}

function generate(total: number, seed: number): Network {
  const random = prng(seed);
  const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)]!;
  const sizes = new Map<number, number>();
  UPSTREAM_WEIGHTS.forEach((weight, index) => sizes.set(index + 1, Math.max(2, Math.round(total * weight))));
  sizes.set(-1, Math.max(2, Math.round(total * CUSTOMER_WEIGHT)));
  const used = [...sizes.values()].reduce((sum, size) => sum + size, 1);
  sizes.set(-2, Math.max(2, total - used));
  const companies: Network['companies'] = [{ id: 'c0000000', country: 'ES', isSelf: true, tier: 0 }];
  const byTier = new Map<number, string[]>([[0, ['c0000000']]]);
  for (const [tier, size] of [...sizes].sort(([a], [b]) => a - b)) {
    const ids: string[] = [];
    for (let i = 0; i < size; i += 1) {
      const id = `c${String(companies.length).padStart(7, '0')}`;
      companies.push({ id, country: pick(COUNTRIES), isSelf: false, tier });
      ids.push(id);
    }
    byTier.set(tier, ids);
  }
  const links: Network['links'] = [];
  const seen = new Set<string>();
  const add = (s: string, c: string, tier: number) => {
    const key = `${s}>${c}`;
    if (seen.has(key)) return;
    seen.add(key);
    links.push({
      s,
      c,
      items: [`SKU-T${tier}-${Number(s.slice(1)) % 500}`],
      share: Math.round((0.1 + 0.9 * random()) * 100) / 100,
    });
  };
  // Every tier-1 company supplies us; each company of tiers 1..7 buys from 3 to 9 of the next tier.
  for (const s of byTier.get(1)!) add(s, 'c0000000', 1);
  for (let tier = 1; tier < UPSTREAM_WEIGHTS.length; tier += 1) {
    const suppliers = byTier.get(tier + 1)!;
    for (const c of byTier.get(tier)!) {
      const count = 3 + Math.floor(random() * 7);
      for (let i = 0; i < count; i += 1) add(pick(suppliers), c, tier + 1);
    }
  }
  // Customers buy from us; retailers from 2 to 6 customers.
  for (const c of byTier.get(-1)!) add('c0000000', c, 0);
  const customers = byTier.get(-1)!;
  for (const c of byTier.get(-2)!) {
    const count = 2 + Math.floor(random() * 5);
    for (let i = 0; i < count; i += 1) add(pick(customers), c, -1);
  }
  return { companies, links, byTier };
}

async function load(driver: Driver, network: Network): Promise<{ companies: number; links: number }> {
  const t0 = performance.now();
  for (let from = 0; from < network.companies.length; from += BATCH) {
    await driver.executeQuery(
      `UNWIND $rows AS row
       CREATE (:Company {id: row.id, name: row.id, country: row.country, isSelf: row.isSelf, status: 'ACTIVE'})`,
      { rows: network.companies.slice(from, from + BATCH) },
    );
  }
  const t1 = performance.now();
  for (let from = 0; from < network.links.length; from += BATCH) {
    await driver.executeQuery(
      `UNWIND $rows AS row
       MATCH (s:Company {id: row.s}) MATCH (c:Company {id: row.c})
       CREATE (s)-[:SUPPLIES {items: row.items, declaredItems: row.items, observedItems: [], share: row.share,
                              sources: ['DECLARED'], visibility: 'PARTNERS', declaredBy: row.c}]->(c)`,
      { rows: network.links.slice(from, from + BATCH) },
    );
  }
  const t2 = performance.now();
  return { companies: (t1 - t0) / 1_000, links: (t2 - t1) / 1_000 };
}

const secrets = BENCH_SECRETS;
const stack = await benchStack({ seedDemo: false });

const generatedAt = performance.now();
const network = generate(COMPANIES, SEED);
const generation = (performance.now() - generatedAt) / 1_000;
const loaded = await load(stack.driver, network);
const tiers = [...network.byTier].sort(([a], [b]) => b - a).map(([tier, ids]) => `${tier}:${ids.length}`);
console.log(
  `generated ${network.companies.length} companies and ${network.links.length} links (seed ${SEED}) in ${generation.toFixed(1)} s; tiers ${tiers.join(' ')}`,
);
console.log(
  `loaded in batches of ${BATCH}: companies ${loaded.companies.toFixed(1)} s, links ${loaded.links.toFixed(1)} s (${Math.round(network.links.length / loaded.links)} links/s)`,
);

const random = prng(SEED + 1);
const tier4 = network.byTier.get(4)!;
const disrupted = tier4[Math.floor(random() * tier4.length)]!;
const company = { kind: 'company' } as const;
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

const cases: [string, () => Promise<boolean>, () => Promise<boolean>][] = [
  [
    'upstream depth 5 from us (first 50)',
    direct(() => linksFrom(stack.driver, company, 'upstream', [null], 5, 51)),
    viaGateway(
      `{ upstream(depth: 5, first: 50) { nodes { tier supplier { id } customer { id } items { sku } share }
         pageInfo { endCursor hasNextPage } } }`,
      {},
    ),
  ],
  [
    'impact of a tier-4 company (first 100)',
    direct(() => impact(stack.driver, company, disrupted, 10, 101, null)),
    viaGateway(
      `query ($id: ID!) { impact(partnerId: $id, first: 100) { affectedCount items { sku }
         companies { partner { id } distance path { id } items { sku } } pageInfo { hasNextPage } } }`,
      { id: disrupted },
    ),
  ],
  [
    'concentration by country (depth 3)',
    direct(() => concentration(stack.driver, company, 'COUNTRY', null, 3, 20)),
    viaGateway(
      `{ concentration(by: COUNTRY) { directSuppliers upstreamCompanies
         entries { key companies share dependentSuppliers dependentShare } } }`,
      {},
    ),
  ],
];

const affected = await impact(stack.driver, company, disrupted, 10, 1, null);
console.log(`impact of ${disrupted} (tier 4) reaches ${affected.affectedCount} companies`);

// One untimed round of every case first, so no case pays for warming Neo4j's page cache for the others.
for (const [, cypher, gateway] of cases) {
  await cypher();
  await gateway();
}
const results: LoadResult[] = [];
for (const [label, cypher, gateway] of cases) {
  results.push(await measure(`${label}: Cypher on the driver`, cypher, concurrency, seconds));
  results.push(await measure(`${label}: gateway`, gateway, concurrency, seconds));
}
printResults(results);
console.log('\ngateway / driver:');
for (let i = 0; i < results.length; i += 2) {
  const [cypher, gateway] = [results[i]!, results[i + 1]!];
  console.log(
    `  ${cases[i / 2]![0].padEnd(42)} p50 ×${(gateway.p50 / cypher.p50).toFixed(2)}  p99 ×${(gateway.p99 / cypher.p99).toFixed(2)}`,
  );
}
console.log(`concurrency ${concurrency}, ${seconds}s per case`);

await stack.stopAll();
