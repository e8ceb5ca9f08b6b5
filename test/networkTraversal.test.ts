import { ManagedTransaction, type Driver } from 'neo4j-driver';
import { afterAll, beforeAll, describe, expect, it, inject, vi } from 'vitest';
import { openNeo4jDriver } from '../app/stack.ts';
import { generateNetwork, loadNetwork, type GeneratedNetwork } from '../bench/networkGraph.ts';
import { referenceImpact, referenceLinksFrom, referenceTiers } from '../bench/networkReference.ts';
import type { LoggedEvent } from '../platform/events/eventLog.ts';
import type { Audience } from '../subgraphs/network/cypher.ts';
import type { SupplyLinkRow } from '../subgraphs/network/model.ts';
import { impact } from '../subgraphs/network/impact.ts';
import { networkProjectionSink } from '../subgraphs/network/projection.ts';
import {
  linkCursor,
  linksFrom,
  tiers,
  type Direction,
  type LinkCursor,
} from '../subgraphs/network/queries.ts';
import { clearNetwork, prepareNetworkGraph, prepareNetworkSchema } from '../subgraphs/network/store.ts';

/**
 * The network's traversals (`upstream`, `downstream`, `impact`) against the earlier queries they
 * replaced, on a generated network of a few hundred companies over ten tiers, with shared suppliers
 * (diamonds), links that skip a tier, links against the flow (cycles) and every kind of visibility:
 * the same links, tiers, counts, items and pages for the company and for partners. Last, the items
 * derived onto companies stay equal to their links as the projection adds and removes links.
 */

let driver: Driver;
let network: GeneratedNetwork;

beforeAll(async () => {
  driver = await openNeo4jDriver(inject('neo4j'));
  await clearNetwork(driver);
  await prepareNetworkSchema(driver);
  network = generateNetwork(400, 7, {
    networkShare: 0.3,
    privateShare: 0.2,
    disclosedShare: 0.1,
    backLinks: 25,
    skipLinks: 40,
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

describe('Partner.tier gives the same tiers as before', () => {
  const sample = () => [...network.byTier.values()].flatMap((ids) => ids.slice(0, 4));

  it(
    'for the company and for partners, for companies of every tier',
    async () => {
      const ids = sample();
      expect(await tiers(driver, company, ids)).toEqual(await referenceTiers(driver, company, ids));
      for (const viewer of [tier(4)[0]!, tier(1)[0]!, tier(-1)[3]!]) {
        const expected = await referenceTiers(driver, partner(viewer), ids);
        expect(await tiers(driver, partner(viewer), ids)).toEqual(expected);
        // The comparison means something: a partner sees some tiers and not others.
        expect(expected.some((t) => t === null) && expected.some((t) => t !== null)).toBe(true);
      }
    },
    SLOW,
  );
});

describe('the items derived onto companies follow their links', () => {
  /** Companies whose derived items differ from what their links say now. */
  async function stale(): Promise<string[]> {
    const { records } = await driver.executeQuery(
      `MATCH (s:Company)
       WITH s,
         COLLECT { MATCH (s)-[r:SUPPLIES]->() UNWIND coalesce(r.items, []) AS sku
                   RETURN DISTINCT sku ORDER BY sku } AS all,
         COLLECT { MATCH (s)-[r:SUPPLIES]->() WHERE r.disclosed IS NULL AND r.visibility = 'NETWORK'
                   UNWIND coalesce(r.items, []) AS sku RETURN DISTINCT sku ORDER BY sku } AS shared
       WITH s, all, shared,
         COLLECT { UNWIND coalesce(s.outItems, []) AS sku RETURN sku ORDER BY sku } AS outItems,
         COLLECT { UNWIND coalesce(s.sharedOutItems, []) AS sku RETURN sku ORDER BY sku } AS sharedOutItems
       WHERE all <> outItems OR shared <> sharedOutItems OR s:Supplying <> EXISTS { (s)-[:SUPPLIES]->() }
       RETURN s.id AS id`,
    );
    return records.map((record) => record.get('id') as string);
  }

  async function supplying(id: string): Promise<boolean> {
    const query = 'MATCH (s:Company {id: $id}) RETURN s:Supplying AS supplying';
    const { records } = await driver.executeQuery(query, { id });
    return records[0]?.get('supplying') as boolean;
  }

  /** Impact's count and items against the earlier query's (its rows are compared above). */
  async function expectImpactTotals(audience: Audience, source: string) {
    const expected = await referenceImpact(driver, audience, source, 10, 1, null);
    const result = await impact(driver, audience, source, 10, 1, null);
    expect(result).toMatchObject({
      found: expected.found,
      affectedCount: expected.affectedCount,
      items: expected.items,
    });
  }

  let cursor = 0;
  const event = <T extends LoggedEvent['type']>(
    type: T,
    payload: Extract<LoggedEvent, { type: T }>['payload'],
  ): LoggedEvent => {
    cursor += 1;
    return {
      cursor: String(cursor),
      type,
      aggregateType: 'SupplyLink',
      aggregateId: 'test',
      parties: [],
      actor: null,
      payload,
      occurredAt: new Date('2026-01-01T00:00:00Z'),
    } as LoggedEvent;
  };
  const declared = (
    supplierId: string,
    customerId: string,
    items: string[],
    visibility: 'PRIVATE' | 'PARTNERS' | 'NETWORK',
    status: 'CONFIRMED' | 'DISCLOSED' = 'CONFIRMED',
    linkId?: string,
  ) =>
    event('SupplyLinkDeclared', {
      supplierId,
      customerId,
      items,
      share: 0.5,
      since: null,
      visibility,
      declaredBy: status === 'DISCLOSED' ? customerId : null,
      status,
      ...(linkId ? { linkId } : {}),
    });

  /** A sales order from `sellerId` to `buyerId` confirmed in full on `day`. */
  const confirmed = (sellerId: string, buyerId: string, skus: string[], day: string): LoggedEvent => ({
    ...event('OrderConfirmed', {
      orderId: `o-${cursor + 1}`,
      number: `SO-${cursor + 1}`,
      kind: 'SALES',
      status: 'CONFIRMED',
      buyerId,
      sellerId,
      currency: 'EUR',
      actorPartnerId: null,
      externalRef: null,
      lines: skus.map((sku, index) => ({
        lineNo: index + 1,
        sku,
        unit: 'EA',
        quantity: '1',
        requestedDate: null,
        confirmedQuantity: '1',
        confirmedDate: null,
      })),
    }),
    occurredAt: new Date(`${day}T12:00:00Z`),
  });

  it(
    'after the bulk load, and after links are added, changed, observed and removed',
    async () => {
      expect(await stale()).toEqual([]);
      const sink = networkProjectionSink(driver, 'derived-test');
      const [a, b] = [tier(3)[0]!, tier(2)[0]!];
      // A company `a` does not supply yet, so the disclosure makes a new link that its rejection removes.
      const c = tier(-1).find((id) => !network.links.some((l) => l.s === a && l.c === id))!;
      const existing = network.links.find((link) => !link.disclosed && tier(4).includes(link.s))!;
      // A retailer supplies nobody: its one link, disclosed then rejected, makes it a supplier and undoes it.
      const [lone, loneCustomer] = tier(-2).filter((id) => !network.links.some((l) => l.s === id));
      await sink.applyBatch([
        // A new link shared with the network, and an existing one narrowed to PRIVATE with new items.
        declared(a, b, ['SKU-NEW-1', 'SKU-NEW-2'], 'NETWORK'),
        declared(existing.s, existing.c, ['SKU-NEW-3'], 'PRIVATE'),
        // A disclosure, seen by its ends only, then an order observing another item on the first link.
        declared(a, c, ['SKU-NEW-4'], 'NETWORK', 'DISCLOSED', 'disclosure-1'),
        declared(lone!, loneCustomer!, ['SKU-NEW-6'], 'NETWORK', 'DISCLOSED', 'disclosure-2'),
        confirmed(a, b, ['SKU-NEW-5'], '2026-01-01'),
      ]);
      expect(await stale()).toEqual([]);
      expect(await supplying(lone!)).toBe(true);
      const [row] = (
        await driver.executeQuery('MATCH (s:Company {id: $a}) RETURN s.sharedOutItems AS shared', { a })
      ).records;
      expect(row?.get('shared') as string[]).toEqual(expect.arrayContaining(['SKU-NEW-1', 'SKU-NEW-5']));
      expect(row?.get('shared') as string[]).not.toContain('SKU-NEW-4');
      // Rejecting the disclosure removes its link, and its item from the supplier.
      await sink.applyBatch([
        event('SupplyLinkRejected', { linkId: 'disclosure-1', supplierId: a, customerId: c, reason: 'no' }),
        event('SupplyLinkRejected', {
          linkId: 'disclosure-2',
          supplierId: lone!,
          customerId: loneCustomer!,
          reason: 'no',
        }),
      ]);
      expect(await stale()).toEqual([]);
      expect(await supplying(lone!)).toBe(false);
      const [after] = (
        await driver.executeQuery('MATCH (s:Company {id: $a}) RETURN s.outItems AS items', { a })
      ).records;
      expect(after?.get('items') as string[]).not.toContain('SKU-NEW-4');
      // The traversals read the derived items: impact still answers as before on the changed network.
      await expectImpactTotals(company, existing.s);
      await expectImpactTotals(partner(a), a);
    },
    SLOW,
  );

  it('a start on a prepared graph asks Neo4j one question; one that finds the derived items missing rebuilds them', async () => {
    await prepareNetworkGraph(driver);
    const questions = vi.spyOn(driver, 'executeQuery');
    const sessions = vi.spyOn(driver, 'session');
    try {
      await prepareNetworkGraph(driver);
      expect(questions).toHaveBeenCalledTimes(1);
      expect(sessions).not.toHaveBeenCalled();
    } finally {
      questions.mockRestore();
      sessions.mockRestore();
    }
    // As a graph written before the derived items existed.
    await driver.executeQuery('MATCH (m:DerivedData) DELETE m');
    await driver.executeQuery('MATCH (s:Company) REMOVE s.outItems, s.sharedOutItems, s:Supplying');
    expect((await stale()).length).toBeGreaterThan(0);
    await prepareNetworkGraph(driver);
    expect(await stale()).toEqual([]);
  });

  it('applies a burst of confirmations in one statement, each link as if they came one by one', async () => {
    const sink = networkProjectionSink(driver, 'derived-test');
    const [x, y] = tier(5) as [string, string];
    const newCustomer = (supplier: string, other?: string) =>
      tier(-1).find((id) => id !== other && !network.links.some((l) => l.s === supplier && l.c === id))!;
    const [cx, cy] = [newCustomer(x), newCustomer(y)];
    const cz = newCustomer(x, cx);
    const day = (n: number) => `2026-02-${String(n).padStart(2, '0')}`;
    const burst = Array.from({ length: 20 }, (_, i) =>
      i % 2 === 0
        ? confirmed(x, cx, [`SKU-BURST-${i % 4}`], day(i + 1))
        : confirmed(y, cy, ['SKU-BURST-1'], day(i + 1)),
    );
    const statements = vi.spyOn(ManagedTransaction.prototype, 'run');
    try {
      await sink.applyBatch([
        ...burst,
        declared(x, cz, ['SKU-BURST-8'], 'NETWORK'),
        confirmed(x, cz, ['SKU-BURST-9'], '2026-03-01'),
      ]);
      // Claiming and reading the offset, the burst, the declaration's two, the last confirmation, the
      // offset: one statement per order would make it 26.
      expect(statements).toHaveBeenCalledTimes(7);
    } finally {
      statements.mockRestore();
    }
    expect(await stale()).toEqual([]);
    const { records } = await driver.executeQuery(
      `UNWIND $pairs AS pair
       MATCH (:Company {id: pair[0]})-[r:SUPPLIES]->(:Company {id: pair[1]})
       RETURN r {.items, .sources, .since, .observedAt, .visibility} AS link`,
      {
        pairs: [
          [x, cx],
          [y, cy],
          [x, cz],
        ],
      },
    );
    const links = records.map((record) => record.get('link') as Record<string, unknown>);
    expect(links).toEqual([
      {
        items: ['SKU-BURST-0', 'SKU-BURST-2'],
        sources: ['OBSERVED'],
        since: day(1),
        observedAt: day(19),
        visibility: 'PRIVATE',
      },
      {
        items: ['SKU-BURST-1'],
        sources: ['OBSERVED'],
        since: day(2),
        observedAt: day(20),
        visibility: 'PRIVATE',
      },
      {
        items: ['SKU-BURST-8', 'SKU-BURST-9'],
        sources: ['DECLARED', 'OBSERVED'],
        // The declaration's day: the declared link came first.
        since: '2026-01-01',
        observedAt: '2026-03-01',
        visibility: 'NETWORK',
      },
    ]);
    const [shared] = (
      await driver.executeQuery('MATCH (s:Company {id: $x}) RETURN s.sharedOutItems AS shared', { x })
    ).records;
    expect(shared?.get('shared') as string[]).toEqual(expect.arrayContaining(['SKU-BURST-8', 'SKU-BURST-9']));
    expect(shared?.get('shared') as string[]).not.toContain('SKU-BURST-0');
  });
});
