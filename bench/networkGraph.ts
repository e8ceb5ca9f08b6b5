import type { Driver } from 'neo4j-driver';
import { deriveAll } from '../subgraphs/network/derived.ts';
import type { Visibility } from '../subgraphs/network/model.ts';

/**
 * A supply network generated from a seed, tier by tier, for the network benchmark (100,000 companies) and
 * for the tests that compare query answers on a smaller one. Loaded straight into Neo4j in the
 * projection's shape, so no event log is needed to build it.
 */

/** mulberry32: a small seeded PRNG, so the same seed always builds the same network. */
export function prng(seed: number): () => number {
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

export interface GeneratedLink {
  s: string;
  c: string;
  items: string[];
  share: number;
  visibility: Visibility;
  /** A partner's link to a company known only by its disclosure: seen by its ends alone. */
  disclosed: boolean;
}

export interface GeneratedNetwork {
  companies: { id: string; country: string; isSelf: boolean; tier: number }[];
  links: GeneratedLink[];
  byTier: Map<number, string[]>;
}

export interface GenerateOptions {
  /** Fraction of links shared with the whole network; the rest are PARTNERS (default 0.3). */
  networkShare?: number;
  /** Fraction of links kept PRIVATE to their ends (default 0). */
  privateShare?: number;
  /** Fraction of links that are DISCLOSED (default 0). */
  disclosedShare?: number;
  /** Links added against the flow (from a downstream tier to an upstream one), closing cycles (default 0). */
  backLinks?: number;
  /** Links that skip a tier, making diamonds of unequal length (default 0). */
  skipLinks?: number;
}

/**
 * Every tier-1 company supplies us; each company of tiers 1..7 buys from 3 to 9 of the next tier (so
 * companies share suppliers: diamonds); customers buy from us, retailers from 2 to 6 customers.
 */
export function generateNetwork(
  total: number,
  seed: number,
  options: GenerateOptions = {},
): GeneratedNetwork {
  const random = prng(seed);
  // Visibility draws from a stream of its own, so the shape of a seed's network does not depend on it.
  const shareOut = prng(seed ^ 0x5bd1e995);
  const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)]!;
  const networkShare = options.networkShare ?? 0.3;
  const privateShare = options.privateShare ?? 0;
  const disclosedShare = options.disclosedShare ?? 0;
  const sizes = new Map<number, number>();
  UPSTREAM_WEIGHTS.forEach((weight, index) => sizes.set(index + 1, Math.max(2, Math.round(total * weight))));
  sizes.set(-1, Math.max(2, Math.round(total * CUSTOMER_WEIGHT)));
  const used = [...sizes.values()].reduce((sum, size) => sum + size, 1);
  sizes.set(-2, Math.max(2, total - used));
  const companies: GeneratedNetwork['companies'] = [{ id: 'c0000000', country: 'ES', isSelf: true, tier: 0 }];
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
  const links: GeneratedLink[] = [];
  const seen = new Set<string>();
  const add = (s: string, c: string, tier: number) => {
    const key = `${s}>${c}`;
    if (s === c || seen.has(key)) return;
    seen.add(key);
    const kind = shareOut();
    links.push({
      s,
      c,
      items: [`SKU-T${tier}-${Number(s.slice(1)) % 500}`],
      share: Math.round((0.1 + 0.9 * random()) * 100) / 100,
      visibility:
        kind < networkShare ? 'NETWORK' : kind < networkShare + privateShare ? 'PRIVATE' : 'PARTNERS',
      disclosed: shareOut() < disclosedShare,
    });
  };
  for (const s of byTier.get(1)!) add(s, 'c0000000', 1);
  for (let tier = 1; tier < UPSTREAM_WEIGHTS.length; tier += 1) {
    const suppliers = byTier.get(tier + 1)!;
    for (const c of byTier.get(tier)!) {
      const count = 3 + Math.floor(random() * 7);
      for (let i = 0; i < count; i += 1) add(pick(suppliers), c, tier + 1);
    }
  }
  for (const c of byTier.get(-1)!) add('c0000000', c, 0);
  const customers = byTier.get(-1)!;
  for (const c of byTier.get(-2)!) {
    const count = 2 + Math.floor(random() * 5);
    for (let i = 0; i < count; i += 1) add(pick(customers), c, -1);
  }
  const tierIds = [...byTier.keys()].sort((a, b) => a - b);
  for (let i = 0; i < (options.backLinks ?? 0); i += 1) {
    // A company further downstream supplying one further upstream: goods come back round.
    const [low, high] = [pick(tierIds), pick(tierIds)].sort((a, b) => a - b);
    add(pick(byTier.get(low!)!), pick(byTier.get(high!)!), 99);
  }
  for (let i = 0; i < (options.skipLinks ?? 0); i += 1) {
    const tier = pick(tierIds.filter((t) => t >= 2));
    add(pick(byTier.get(tier)!), pick(byTier.get(tier - 2)!), tier);
  }
  return { companies, links, byTier };
}

export const LOAD_BATCH = 10_000;

/** Creates the companies and links with UNWIND batches, then the derived properties; seconds spent on each. */
export async function loadNetwork(
  driver: Driver,
  network: GeneratedNetwork,
): Promise<{ companies: number; links: number; derived: number }> {
  const t0 = performance.now();
  for (let from = 0; from < network.companies.length; from += LOAD_BATCH) {
    await driver.executeQuery(
      `UNWIND $rows AS row
       CREATE (:Company {id: row.id, name: row.id, country: row.country, isSelf: row.isSelf, status: 'ACTIVE'})`,
      { rows: network.companies.slice(from, from + LOAD_BATCH) },
    );
  }
  const t1 = performance.now();
  for (let from = 0; from < network.links.length; from += LOAD_BATCH) {
    await driver.executeQuery(
      `UNWIND $rows AS row
       MATCH (s:Company {id: row.s}) MATCH (c:Company {id: row.c})
       CREATE (s)-[r:SUPPLIES {items: row.items, declaredItems: row.items, observedItems: [], share: row.share,
                              sources: ['DECLARED'], visibility: row.visibility, declaredBy: row.c}]->(c)
       SET r.disclosed = CASE WHEN row.disclosed THEN true END,
           r.requestId = CASE WHEN row.disclosed THEN row.s + '>' + row.c END`,
      { rows: network.links.slice(from, from + LOAD_BATCH) },
    );
  }
  const t2 = performance.now();
  // What the projection keeps beside the links it writes, built here in one pass after the bulk load.
  await deriveAll(driver);
  const t3 = performance.now();
  return { companies: (t1 - t0) / 1_000, links: (t2 - t1) / 1_000, derived: (t3 - t2) / 1_000 };
}
