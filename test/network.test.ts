import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Caller } from './support/orders.ts';
import {
  bootNetworkStack,
  DOWNSTREAM,
  IMPACT,
  named,
  UPSTREAM,
  type Connection,
  type LinkView,
  type NetworkStack,
} from './support/network.ts';

let stack: NetworkStack;
let analyst: Caller;
let names: ReturnType<typeof named>;

beforeAll(async () => {
  stack = await bootNetworkStack();
  analyst = await stack.callerAs(['analyst']);
  names = named(stack.ids);
});
afterAll(async () => {
  await stack?.close();
});

interface ImpactView {
  source: { id: string };
  depth: number;
  affectedCount: number;
  items: { sku: string }[];
  companies: {
    partner: { id: string };
    distance: number;
    tier: number | null;
    path: { id: string }[];
    items: { sku: string }[];
  }[];
  pageInfo: { endCursor: string | null; hasNextPage: boolean };
}

/**
 * Cypher queries the network subgraph sends while `work` runs (it shares the test's driver), leaving out
 * the projection's background polls of its offset.
 */
async function cypherQueries(work: () => Promise<unknown>): Promise<number> {
  // Reads run as auto-commit queries in sessions of their own; the rest (the projection's position) as
  // managed transactions.
  const queries: string[] = [];
  const open = stack.driver.session.bind(stack.driver);
  const sessions = vi.spyOn(stack.driver, 'session').mockImplementation((config) => {
    const session = open(config);
    const run = session.run.bind(session);
    vi.spyOn(session, 'run').mockImplementation((query, parameters, options) => {
      queries.push(JSON.stringify(query));
      return run(query, parameters, options);
    });
    return session;
  });
  const managed = vi.spyOn(stack.driver, 'executeQuery');
  try {
    await work();
    queries.push(...managed.mock.calls.map(([query]) => JSON.stringify(query)));
    return queries.filter((query) => !query.includes('ConsumerOffset')).length;
  } finally {
    sessions.mockRestore();
    managed.mockRestore();
  }
}

describe('the demo network, as the company sees it', () => {
  it('lists upstream links tier by tier, each link once, with items, sources and shares', async () => {
    const data = await analyst.ok<{ upstream: Connection<LinkView> }>(UPSTREAM, { depth: 3, first: 50 });
    const byTier = (tier: number) =>
      data.upstream.nodes
        .filter((link) => link.tier === tier)
        .map(names.link)
        .sort();
    expect(byTier(1)).toEqual(['iberframe>self', 'kaohsiung>self', 'norte>self']);
    expect(byTier(2)).toEqual([
      'cantabrico>iberframe',
      'cantabrico>kaohsiung',
      'formosa>kaohsiung',
      'taiyuan>norte',
    ]);
    expect(byTier(3)).toEqual(['baotou>taiyuan', 'boke>cantabrico']);
    expect(data.upstream.nodes).toHaveLength(9);
    expect(data.upstream.pageInfo.hasNextPage).toBe(false);
    // The wheel order was confirmed: the declared wheel link also carries the tyres seen in the order.
    const wheels = data.upstream.nodes.find((link) => names.link(link) === 'kaohsiung>self')!;
    expect(wheels.items.map((item) => item.sku).sort()).toEqual(['TYRE-29', 'WHEEL-29']);
    expect(wheels.sources.sort()).toEqual(['DECLARED', 'OBSERVED']);
    expect(wheels.source).toBe('OBSERVED');
    // Norte's order is only submitted: its link is declared, not observed.
    const drives = data.upstream.nodes.find((link) => names.link(link) === 'norte>self')!;
    expect(drives).toMatchObject({
      sources: ['DECLARED'],
      source: 'DECLARED',
      share: 1,
      visibility: 'PARTNERS',
    });
    const tube = data.upstream.nodes.find((link) => names.link(link) === 'cantabrico>iberframe')!;
    expect(tube).toMatchObject({ share: 0.8, declaredBy: { id: stack.ids.iberframe } });
  });

  it('pages through upstream with cursors, without gaps or repeats', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 10; page += 1) {
      const data: { upstream: Connection<LinkView> } = await analyst.ok(UPSTREAM, {
        depth: 3,
        first: 2,
        after,
      });
      seen.push(...data.upstream.nodes.map((link) => `${link.tier}:${names.link(link)}`));
      if (!data.upstream.pageInfo.hasNextPage) break;
      after = data.upstream.pageInfo.endCursor;
    }
    expect(seen).toHaveLength(9);
    expect(new Set(seen).size).toBe(9);
    expect(seen.map((entry) => Number(entry.split(':')[0]))).toEqual([1, 1, 1, 2, 2, 2, 2, 3, 3]);
  });

  it('lists downstream links: our customers and their customers', async () => {
    const data = await analyst.ok<{ downstream: Connection<LinkView> }>(DOWNSTREAM, { depth: 2 });
    expect(data.downstream.nodes.map((link) => `${link.tier}:${names.link(link)}`)).toEqual(
      expect.arrayContaining([
        '1:self>velomarkt',
        '1:self>atlantico',
        '2:velomarkt>radhaus',
        '2:velomarkt>bavaria',
        '2:atlantico>galicia',
        '2:atlantico>lisboa',
      ]),
    );
    expect(data.downstream.nodes).toHaveLength(6);
    const depthOne = await analyst.ok<{ downstream: Connection<LinkView> }>(DOWNSTREAM, {
      of: stack.ids.velomarkt,
      depth: 1,
    });
    expect(depthOne.downstream.nodes.map(names.link).sort()).toEqual([
      'velomarkt>bavaria',
      'velomarkt>radhaus',
    ]);
  });

  it('answers impact of a tier-3 mill: every company downstream, nearest first, with path and tier', async () => {
    const data = await analyst.ok<{ impact: ImpactView }>(IMPACT, { id: stack.ids.baotou });
    const impact = data.impact;
    expect(impact.affectedCount).toBe(9);
    expect(impact.depth).toBe(10);
    const rows = impact.companies.map((row) => ({
      company: names.name(row.partner.id),
      distance: row.distance,
      tier: row.tier,
      path: row.path.map((step) => names.name(step.id)).join('>'),
    }));
    expect(rows).toEqual([
      { company: 'taiyuan', distance: 1, tier: 2, path: 'baotou>taiyuan' },
      { company: 'norte', distance: 2, tier: 1, path: 'baotou>taiyuan>norte' },
      { company: 'self', distance: 3, tier: 0, path: 'baotou>taiyuan>norte>self' },
      ...[
        { company: 'atlantico', distance: 4, tier: -1, path: 'baotou>taiyuan>norte>self>atlantico' },
        { company: 'velomarkt', distance: 4, tier: -1, path: 'baotou>taiyuan>norte>self>velomarkt' },
      ].sort((a, b) => (stack.ids[a.company]! < stack.ids[b.company]! ? -1 : 1)),
      ...[
        { company: 'bavaria', distance: 5, tier: -2, path: 'baotou>taiyuan>norte>self>velomarkt>bavaria' },
        { company: 'galicia', distance: 5, tier: -2, path: 'baotou>taiyuan>norte>self>atlantico>galicia' },
        { company: 'lisboa', distance: 5, tier: -2, path: 'baotou>taiyuan>norte>self>atlantico>lisboa' },
        { company: 'radhaus', distance: 5, tier: -2, path: 'baotou>taiyuan>norte>self>velomarkt>radhaus' },
      ].sort((a, b) => (stack.ids[a.company]! < stack.ids[b.company]! ? -1 : 1)),
    ]);
    expect(impact.items.map((item) => item.sku).sort()).toEqual([
      'BIKE-TRAIL-29',
      'DRIVE-12S',
      'STEEL-42CRMO4',
    ]);
    expect(impact.companies[0]!.items).toEqual([{ sku: 'STEEL-42CRMO4' }]);
  });

  it('pages impact and keeps the count of all affected companies', async () => {
    const first = await analyst.ok<{ impact: ImpactView }>(IMPACT, { id: stack.ids.baotou, first: 4 });
    expect(first.impact.companies).toHaveLength(4);
    expect(first.impact.pageInfo.hasNextPage).toBe(true);
    const rest = await analyst.ok<{ impact: ImpactView }>(IMPACT, {
      id: stack.ids.baotou,
      first: 10,
      after: first.impact.pageInfo.endCursor,
    });
    expect(rest.impact.companies).toHaveLength(5);
    expect(rest.impact.affectedCount).toBe(9);
    const all = [...first.impact.companies, ...rest.impact.companies].map((row) => row.partner.id);
    expect(new Set(all).size).toBe(9);
  });

  it('through the gateway, impact also brings the open orders with the affected direct partners', async () => {
    const data = await analyst.ok<{
      impact: {
        companies: {
          distance: number;
          partner: {
            id: string;
            name: string;
            tier: number | null;
            orders: { nodes: { number: string; status: string }[] };
          };
        }[];
      };
    }>(
      `query ($id: ID!) { impact(partnerId: $id) { companies { distance
          partner { id name tier orders(first: 10) { nodes { number status } } } } } }`,
      { id: stack.ids.baotou },
    );
    const direct = data.impact.companies.filter((row) => Math.abs(row.partner.tier ?? 99) === 1);
    const orders = Object.fromEntries(
      direct.map((row) => [
        names.name(row.partner.id),
        row.partner.orders.nodes.map((order) => order.status),
      ]),
    );
    expect(orders).toEqual({ norte: ['SUBMITTED'], velomarkt: ['SHIPPED'], atlantico: ['CONFIRMED'] });
    expect(data.impact.companies.find((row) => row.partner.id === stack.ids.norte)!.partner.name).toBe(
      'Norte Drivetrain GmbH',
    );
  });

  it('shows the aluminium mill behind two direct suppliers in concentration and single-source risks', async () => {
    const data = await analyst.ok<{
      bySupplier: {
        directSuppliers: number;
        upstreamCompanies: number;
        entries: {
          key: string;
          partner: { name: string } | null;
          dependentSuppliers: number;
          dependentShare: number;
        }[];
      };
      byCountry: { entries: { key: string; companies: number; share: number; dependentSuppliers: number }[] };
      singleSourceRisks: {
        customer: { id: string };
        supplier: { id: string };
        item: { sku: string };
        tier: number;
      }[];
    }>(
      `{ bySupplier: concentration(by: SUPPLIER, depth: 3) { directSuppliers upstreamCompanies
           entries { key partner { name } dependentSuppliers dependentShare } }
         byCountry: concentration(by: COUNTRY, depth: 3) { entries { key companies share dependentSuppliers } }
         singleSourceRisks(depth: 3) { customer { id } supplier { id } item { sku } tier } }`,
    );
    expect(data.bySupplier).toMatchObject({ directSuppliers: 3, upstreamCompanies: 8 });
    expect(
      data.bySupplier.entries
        .slice(0, 2)
        .map((entry) => names.name(entry.key))
        .sort(),
    ).toEqual(['boke', 'cantabrico']);
    const mill = data.bySupplier.entries.find((entry) => entry.key === stack.ids.cantabrico)!;
    expect(mill).toMatchObject({
      partner: { name: 'Aluminios del Cantábrico S.A.' },
      dependentSuppliers: 2,
      dependentShare: 2 / 3,
    });
    expect(data.byCountry.entries.slice(0, 2).map((entry) => entry.key)).toEqual(['ES', 'GN']);
    expect(data.byCountry.entries.find((entry) => entry.key === 'CN')).toEqual({
      key: 'CN',
      companies: 2,
      share: 2 / 8,
      dependentSuppliers: 1,
    });
    const tube = data.singleSourceRisks.filter((risk) => risk.item.sku === 'TUBE-AL-6061');
    expect(
      tube
        .map((risk) => `${names.name(risk.supplier.id)}>${names.name(risk.customer.id)}:${risk.tier}`)
        .sort(),
    ).toEqual(['cantabrico>iberframe:2', 'cantabrico>kaohsiung:2']);
    expect(data.singleSourceRisks).toHaveLength(10);
  });

  it('finds the supply path from the bauxite mine to a retailer', async () => {
    const data = await analyst.ok<{
      supplyPath: {
        length: number;
        companies: { id: string }[];
        links: { tier: number; items: { sku: string }[] }[];
      } | null;
      none: null;
    }>(
      `query ($from: ID!, $to: ID!) {
         supplyPath(from: $from, to: $to) { length companies { id } links { tier items { sku } } }
         none: supplyPath(from: $to, to: $from) { length } }`,
      { from: stack.ids.boke, to: stack.ids.lisboa },
    );
    // Two paths are equally short: through the frame maker or through the wheel maker.
    const path = data.supplyPath!.companies.map((company) => names.name(company.id));
    expect([path.slice(0, 2), path.slice(3)]).toEqual([
      ['boke', 'cantabrico'],
      ['self', 'atlantico', 'lisboa'],
    ]);
    expect(['iberframe', 'kaohsiung']).toContain(path[2]);
    expect(data.supplyPath!.length).toBe(5);
    expect(data.supplyPath!.links.map((link) => link.tier)).toEqual([1, 2, 3, 4, 5]);
    expect(data.none).toBeNull();
  });

  it('scores risk with named factors, propagated from suppliers', async () => {
    const data = await analyst.ok<{
      self: {
        risk: {
          score: number;
          level: string;
          factors: { kind: string; points: number; via: { id: string } | null }[];
        };
      };
    }>('{ self { risk { score level factors { kind points description via { id } } } } }');
    const factors = Object.fromEntries(data.self.risk.factors.map((factor) => [factor.kind, factor]));
    expect(factors.COUNTRY!.points).toBe(5);
    expect(factors.SINGLE_SOURCE!.points).toBe(15);
    expect(factors.UPSTREAM!.points).toBeGreaterThan(0);
    expect(data.self.risk.score).toBeCloseTo(
      data.self.risk.factors.reduce((sum, factor) => sum + factor.points, 0),
      1,
    );
  });

  it('scores a partner the same alone as in a page of partners, whose risks take one Cypher query', async () => {
    type Scored = { id: string; risk: { score: number; factors: { kind: string; points: number }[] } };
    const RISK = 'risk { score factors { kind points } }';
    let page: Scored[] = [];
    const queries = await cypherQueries(async () => {
      const data = await analyst.ok<{ partners: { nodes: Scored[] } }>(
        `{ partners(first: 100) { nodes { id ${RISK} } } }`,
      );
      page = data.partners.nodes;
    });
    expect(queries).toBe(1);
    expect(page.length).toBeGreaterThan(10);
    for (const partner of page) {
      const alone = await analyst.ok<{ partner: Scored }>(
        `query ($id: ID!) { partner(id: $id) { id ${RISK} } }`,
        {
          id: partner.id,
        },
      );
      expect(alone.partner).toEqual(partner);
    }
  });

  it('answers each field in one Cypher query whatever the depth', async () => {
    const oneTier = await cypherQueries(() => analyst.ok(UPSTREAM, { depth: 1 }));
    const tenTiers = await cypherQueries(() => analyst.ok(UPSTREAM, { depth: 10 }));
    expect(oneTier).toBe(1);
    expect(tenTiers).toBe(1);
    // Every partner's suppliers and tier: one query for all suppliers lists, one for all tiers.
    const lists = await cypherQueries(() =>
      analyst.ok(
        '{ partners(first: 100) { nodes { tier suppliers(depth: 3) { tier } customers(depth: 2) { tier } } } }',
      ),
    );
    expect(lists).toBe(3);
    expect(await cypherQueries(() => analyst.ok(IMPACT, { id: stack.ids.boke }))).toBe(2);
  });
});

describe('bad input', () => {
  it.each([
    ['depth 0', `{ upstream(depth: 0) { nodes { tier } } }`, 'BAD_USER_INPUT'],
    ['depth 50', `{ downstream(depth: 50) { nodes { tier } } }`, 'BAD_USER_INPUT'],
    ['suppliers depth 11', `{ self { suppliers(depth: 11) { tier } } }`, 'BAD_USER_INPUT'],
    ['impact depth 0', `{ impact(partnerId: "x", depth: 0) { affectedCount } }`, 'BAD_USER_INPUT'],
    ['concentration depth 50', `{ concentration(by: COUNTRY, depth: 50) { depth } }`, 'BAD_USER_INPUT'],
    ['single source depth -1', `{ singleSourceRisks(depth: -1) { tier } }`, 'BAD_USER_INPUT'],
    ['unknown partner upstream', `{ upstream(of: "no-such-partner") { nodes { tier } } }`, 'NOT_FOUND'],
    ['unknown partner impact', `{ impact(partnerId: "no-such-partner") { affectedCount } }`, 'NOT_FOUND'],
    ['unknown path end', `{ supplyPath(from: "no-such-partner", to: "other") { length } }`, 'NOT_FOUND'],
    ['a path to itself', `{ supplyPath(from: "a", to: "a") { length } }`, 'BAD_USER_INPUT'],
    ['a forged cursor', `{ upstream(after: "bm9wZQ") { nodes { tier } } }`, 'BAD_USER_INPUT'],
    ['page size 0', `{ upstream(first: 0) { nodes { tier } } }`, 'BAD_USER_INPUT'],
  ])('%s is refused', async (_case, query, code) => {
    expect(await analyst.refused(query)).toBe(code);
  });

  it('refuses finance, which has no use for the network', async () => {
    const finance = await stack.callerAs(['finance']);
    expect(await finance.refused('{ upstream { nodes { tier } } }')).toBe('FORBIDDEN');
  });
});
