import type { Driver } from 'neo4j-driver';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { openNeo4jDriver } from '../app/stack.ts';
import { generateNetwork, loadNetwork, type GeneratedNetwork } from '../bench/networkGraph.ts';
import { referenceImpact, referenceLinksFrom } from '../bench/networkReference.ts';
import type { Audience } from '../subgraphs/network/cypher.ts';
import type { SupplyLinkRow } from '../subgraphs/network/model.ts';
import {
  impact,
  linkCursor,
  linksFrom,
  type Direction,
  type LinkCursor,
} from '../subgraphs/network/queries.ts';
import { clearNetwork, prepareNetworkSchema } from '../subgraphs/network/store.ts';

/**
 * The network's traversals (`upstream`, `downstream`, `impact`) against the earlier queries they
 * replaced, on a generated network of a few hundred companies over ten tiers, with shared suppliers
 * (diamonds), links that skip a tier, links against the flow (cycles) and every kind of visibility:
 * the same links, tiers, counts, items and pages for the company and for partners.
 */

let driver: Driver;
let network: GeneratedNetwork;

beforeAll(async () => {
  driver = await openNeo4jDriver(inject('neo4j'));
  await clearNetwork(driver);
  await prepareNetworkSchema(driver);
  // Small: the earlier queries enumerate every path, which grows fast with the links.
  network = generateNetwork(150, 6, {
    networkShare: 0.3,
    privateShare: 0.2,
    disclosedShare: 0.1,
    backLinks: 10,
    skipLinks: 15,
  });
  await loadNetwork(driver, network);
});
afterAll(async () => {
  await driver?.close();
});

// Each comparison runs the earlier queries too, which take their time even on a small network.
const SLOW = 600_000;

const company: Audience = { kind: 'company' };
const partner = (partnerId: string): Audience => ({ kind: 'partner', partnerId });
const tier = (t: number) => network.byTier.get(t)!;
const SELF = 'c0000000';

/** Every page of a link list, following the cursors, with the given page size. */
async function allLinks(
  find: typeof linksFrom,
  audience: Audience,
  direction: Direction,
  root: string | null,
  depth: number,
  size: number,
): Promise<{ found: boolean; links: SupplyLinkRow[] }> {
  const links: SupplyLinkRow[] = [];
  let after: LinkCursor | null = null;
  for (let page = 0; page < 1_000; page += 1) {
    const [result] = await find(driver, audience, direction, [root], depth, size + 1, after);
    if (!result?.rootId) return { found: false, links };
    links.push(...result.links.slice(0, size));
    if (result.links.length <= size) return { found: true, links };
    const [t, a, b] = linkCursor(direction, result.links[size - 1]!);
    after = { tier: Number(t), a, b };
  }
  throw new Error('paging did not end');
}

async function expectSameLinks(audience: Audience, direction: Direction, root: string | null, depth: number) {
  const expected = await allLinks(referenceLinksFrom, audience, direction, root, depth, 10_000);
  const paged = await allLinks(linksFrom, audience, direction, root, depth, 40);
  expect(paged).toEqual(expected);
  return expected.links.length;
}

describe('upstream and downstream give the same links as before', () => {
  it(
    'for the company, from us and from companies up- and downstream, at several depths',
    async () => {
      let links = 0;
      for (const depth of [1, 3, 10]) {
        for (const root of [null, tier(4)[1]!, tier(-1)[0]!]) {
          links += await expectSameLinks(company, 'upstream', root, depth);
          links += await expectSameLinks(company, 'downstream', root, depth);
        }
      }
      // The comparison means something: the network reaches far in both directions.
      expect(links).toBeGreaterThan(1_000);
    },
    SLOW,
  );

  it(
    'for partners, from their own company and from companies they know, at depth 10',
    async () => {
      let links = 0;
      for (const viewer of [tier(1)[0]!, tier(5)[1]!, tier(-1)[3]!]) {
        for (const root of [viewer, SELF]) {
          links += await expectSameLinks(partner(viewer), 'upstream', root, 10);
          links += await expectSameLinks(partner(viewer), 'downstream', root, 10);
        }
      }
      expect(links).toBeGreaterThan(100);
    },
    SLOW,
  );

  it('answers a company a partner may not know as not found, as before', async () => {
    const viewer = tier(5)[1]!;
    const stranger = tier(-2)[10]!;
    const [now] = await linksFrom(driver, partner(viewer), 'upstream', [stranger], 10, 10);
    const [before] = await referenceLinksFrom(driver, partner(viewer), 'upstream', [stranger], 10, 10);
    expect(now).toEqual(before);
  });
});

describe('impact gives the same answers as before', () => {
  /** The links an audience sees downstream of `source`, by supplier and customer. */
  async function visibleLinks(audience: Audience, source: string): Promise<Map<string, SupplyLinkRow>> {
    const { links } = await allLinks(referenceLinksFrom, audience, 'downstream', source, 10, 10_000);
    return new Map(links.map((link) => [`${link.supplierId}>${link.customerId}`, link]));
  }

  async function expectSameImpact(audience: Audience, source: string, depth: number) {
    const expected = await referenceImpact(driver, audience, source, depth, 100_000, null);
    const links = await visibleLinks(audience, source);
    const rows: Awaited<ReturnType<typeof impact>>['page'] = [];
    let after: { distance: number; id: string } | null = null;
    for (let page = 0; page < 1_000; page += 1) {
      const result = await impact(driver, audience, source, depth, 31, after);
      expect(result).toMatchObject({
        found: expected.found,
        affectedCount: expected.affectedCount,
        items: expected.items,
      });
      rows.push(...result.page.slice(0, 30));
      if (result.page.length <= 30) break;
      const last = result.page[29]!;
      after = { distance: last.distance, id: last.companyId };
    }
    // The same companies at the same distances, in the same order.
    const position = (row: { companyId: string; distance: number }) => `${row.distance}:${row.companyId}`;
    expect(rows.map(position)).toEqual(expected.page.map(position));
    // Either query may pick any of several shortest paths: each must be one, through links the audience
    // sees, ending with the link whose items it names.
    for (const row of rows) {
      expect(row.path).toHaveLength(row.distance + 1);
      expect(row.path[0]).toBe(source);
      expect(row.path.at(-1)).toBe(row.companyId);
      const steps = row.path.slice(1).map((to, index) => links.get(`${row.path[index]}>${to}`));
      expect(steps.every((link) => link !== undefined)).toBe(true);
      expect([...row.items].sort()).toEqual([...steps.at(-1)!.items].sort());
    }
    return expected.affectedCount;
  }

  it(
    'for the company, from companies of every tier and at several depths',
    async () => {
      let affected = 0;
      for (const source of [tier(4)[0]!, tier(7)[3]!, SELF, tier(-1)[2]!]) {
        for (const depth of [2, 10]) affected += await expectSameImpact(company, source, depth);
      }
      expect(affected).toBeGreaterThan(500);
    },
    SLOW,
  );

  it(
    'for partners, about themselves and about companies they know',
    async () => {
      let affected = 0;
      for (const viewer of [tier(4)[0]!, tier(1)[0]!, tier(-1)[3]!]) {
        for (const source of [viewer, SELF]) affected += await expectSameImpact(partner(viewer), source, 10);
      }
      expect(affected).toBeGreaterThan(20);
      const unknown = await impact(driver, partner(tier(5)[1]!), tier(-2)[10]!, 10, 10, null);
      expect(unknown.found).toBe(false);
    },
    SLOW,
  );
});
