import { createClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { PRINCIPAL_HEADER, signPrincipal, type Principal } from '../platform/auth/principal.ts';
import { importLinks, linksFromCsv } from '../scripts/importSupplyLinks.ts';
import type { Caller } from './support/orders.ts';
import {
  bootNetworkStack,
  DECLARE,
  IMPACT,
  IMPORT,
  named,
  REPORT,
  UPSTREAM,
  type Connection,
  type LinkView,
  type NetworkStack,
} from './support/network.ts';
import { INTERNAL_SECRET } from './support/stack.ts';
import { latestCursor, type EventType } from '../platform/events/eventLog.ts';
import { countEvents } from './support/events.ts';

let stack: NetworkStack;
let admin: Caller;
let analyst: Caller;
let names: ReturnType<typeof named>;

beforeAll(async () => {
  stack = await bootNetworkStack();
  admin = await stack.callerAs(['admin']);
  analyst = await stack.callerAs(['analyst']);
  names = named(stack.ids);
});
afterAll(async () => {
  await stack?.close();
});

const asPartner = (key: string) => stack.callerAs(['partner'], stack.ids[key]);

const eventCount = (type: EventType) => countEvents(stack.db, { types: [type] });

/** The stored link between two demo companies, as the company sees it; undefined when there is none. */
async function linkBetween(supplier: string, customer: string): Promise<LinkView | undefined> {
  const data = await analyst.ok<{ upstream: Connection<LinkView> }>(UPSTREAM, {
    of: stack.ids[customer] ?? customer,
    depth: 1,
    first: 500,
  });
  return data.upstream.nodes.find((link) => link.supplier.id === (stack.ids[supplier] ?? supplier));
}

const link = (supplier: string, customer: string, extra: Record<string, unknown> = {}) => ({
  supplierId: stack.ids[supplier] ?? supplier,
  customerId: stack.ids[customer] ?? customer,
  items: ['PART-1'],
  ...extra,
});

describe('declaring links', () => {
  it('lets a partner declare its own supplier, and shows it with who declared it', async () => {
    const iberframe = await asPartner('iberframe');
    const data = await iberframe.ok<{ declareSupplyLink: LinkView }>(DECLARE, {
      input: link('formosa', 'iberframe', {
        items: ['GRIP-01', 'GRIP-01'],
        share: 0.25,
        since: '2023-04-01',
      }),
    });
    expect(data.declareSupplyLink).toMatchObject({
      tier: 1,
      items: [{ sku: 'GRIP-01' }],
      share: 0.25,
      source: 'DECLARED',
      declaredBy: { id: stack.ids.iberframe },
      since: '2023-04-01',
      visibility: 'PARTNERS',
    });
    expect(await linkBetween('formosa', 'iberframe')).toMatchObject({ share: 0.25 });
  });

  it('keeps a sub-supplier two suppliers disclose apart for them, and shows staff it is one company', async () => {
    const mill = {
      name: 'Ferrerías del Norte S.A.',
      country: 'ES',
      roles: ['SUPPLIER'],
      identifiers: [{ scheme: 'DUNS', value: '460000099' }],
    };
    const register =
      'mutation ($input: RegisterPartnerInput!) { registerPartner(input: $input) { id status } }';
    const ids: string[] = [];
    for (const supplier of ['iberframe', 'norte']) {
      const partner = await asPartner(supplier);
      const data = await partner.ok<{ registerPartner: { id: string; status: string } }>(register, {
        input: mill,
      });
      expect(data.registerPartner.status).toBe('INVITED');
      ids.push(data.registerPartner.id);
      await partner.ok(DECLARE, {
        input: link(data.registerPartner.id, supplier, { items: ['BILLET-S355'] }),
      });
    }
    // The second discloser is not told that the first one knew the mill (the identifier is no oracle)…
    expect(ids[0]).not.toBe(ids[1]);
    // …and the company's staff see that both records are the same company, to reconcile.
    const staff = await analyst.ok<{ partner: { duplicateOf: { id: string } | null } }>(
      'query ($id: ID!) { partner(id: $id) { duplicateOf { id } } }',
      { id: ids[1] },
    );
    expect(staff.partner.duplicateOf).toEqual({ id: ids[0] });
    const asNorte = await asPartner('norte');
    const own = await asNorte.ok<{ partner: { duplicateOf: { id: string } | null } }>(
      'query ($id: ID!) { partner(id: $id) { duplicateOf { id } } }',
      { id: ids[1] },
    );
    expect(own.partner.duplicateOf).toBeNull();

    // Until reconciled, each disclosure is a single source of billets for the supplier that made it.
    const data = await analyst.ok<{
      singleSourceRisks: { customer: { id: string }; supplier: { id: string }; item: { sku: string } }[];
    }>(`{ singleSourceRisks(depth: 2) { customer { id } supplier { id } item { sku } } }`);
    const billets = data.singleSourceRisks.filter((risk) => risk.item.sku === 'BILLET-S355');
    expect(billets.map((risk) => names.name(risk.customer.id)).sort()).toEqual(['iberframe', 'norte']);
    expect(new Set(billets.map((risk) => risk.supplier.id))).toEqual(new Set(ids));
  });

  it.each([
    ['a link to itself', () => link('norte', 'norte'), 'BAD_USER_INPUT', 'customerId'],
    ['no items', () => link('formosa', 'norte', { items: [] }), 'BAD_USER_INPUT', 'items'],
    ['a share above 1', () => link('formosa', 'norte', { share: 1.5 }), 'BAD_USER_INPUT', 'share'],
    ['a share of 0', () => link('formosa', 'norte', { share: 0 }), 'BAD_USER_INPUT', 'share'],
    [
      'a date that does not exist',
      () => link('formosa', 'norte', { since: '2024-02-30' }),
      'BAD_USER_INPUT',
      'since',
    ],
    ['an SKU with spaces', () => link('formosa', 'norte', { items: ['A B'] }), 'BAD_USER_INPUT', 'items'],
    ['an unknown supplier', () => link('no-such-partner', 'norte'), 'NOT_FOUND', 'supplierId'],
    ['an unknown customer', () => link('norte', 'no-such-partner'), 'NOT_FOUND', 'customerId'],
  ])('refuses %s and changes nothing', async (_case, input, code, field) => {
    const before = await eventCount('SupplyLinkDeclared');
    const body = await admin.raw(DECLARE, { input: input() });
    expect(body.errors?.[0]?.extensions).toMatchObject({ code, field });
    expect(await eventCount('SupplyLinkDeclared')).toBe(before);
    expect(await linkBetween('formosa', 'norte')).toBeUndefined();
  });

  it.each([
    ['a partner, about two other companies', ['partner'], 'velomarkt'],
    ['finance', ['finance'], undefined],
    ['a buyer', ['buyer'], undefined],
  ] as const)('forbids %s to declare', async (_case, roles, partner) => {
    const who = await stack.callerAs([...roles], partner ? stack.ids[partner] : undefined);
    expect(await who.refused(DECLARE, { input: link('formosa', 'norte') })).toBe('FORBIDDEN');
    expect(await linkBetween('formosa', 'norte')).toBeUndefined();
  });
});

describe('importing links', () => {
  const rows = () => [
    link('taiyuan', 'kaohsiung', { items: ['SPOKE-2'] }),
    link('taiyuan', 'taiyuan'),
    link('boke', 'taiyuan', { items: ['ORE-1'], visibility: 'NETWORK' }),
  ];
  interface ImportView {
    importSupplyLinks: {
      imported: number;
      failed: number;
      rows: { index: number; link: LinkView | null; error: { code: string; field: string | null } | null }[];
    };
  }

  it('imports nothing when all-or-nothing and a row is bad, reporting every row', async () => {
    const before = await eventCount('SupplyLinkDeclared');
    const data = await admin.ok<ImportView>(IMPORT, { input: { links: rows(), allOrNothing: true } });
    expect(data.importSupplyLinks).toMatchObject({ imported: 0, failed: 1 });
    expect(data.importSupplyLinks.rows.map((row) => row.error?.code ?? null)).toEqual([
      null,
      'BAD_USER_INPUT',
      null,
    ]);
    expect(data.importSupplyLinks.rows.every((row) => row.link === null)).toBe(true);
    expect(await eventCount('SupplyLinkDeclared')).toBe(before);
  });

  it('imports the good rows otherwise, with per-row errors', async () => {
    const before = await eventCount('SupplyLinkDeclared');
    const data = await admin.ok<ImportView>(IMPORT, { input: { links: rows() } });
    const result = data.importSupplyLinks;
    expect(result).toMatchObject({ imported: 2, failed: 1 });
    expect(result.rows[1]).toMatchObject({
      index: 1,
      link: null,
      error: { code: 'BAD_USER_INPUT', field: 'customerId' },
    });
    expect(result.rows[2]!.link).toMatchObject({ items: [{ sku: 'ORE-1' }], visibility: 'NETWORK' });
    expect(await eventCount('SupplyLinkDeclared')).toBe(before + 2);
  });

  it('refuses more than 5,000 rows', async () => {
    const many = Array.from({ length: 5_001 }, () => link('taiyuan', 'kaohsiung'));
    expect(await admin.refused(IMPORT, { input: { links: many } })).toBe('BAD_USER_INPUT');
  });
});

describe('visibility', () => {
  beforeAll(async () => {
    // The mine keeps its link to the mill private; the tyre maker shares its link with everyone.
    await admin.ok(DECLARE, {
      input: link('boke', 'cantabrico', { items: ['BAUXITE'], visibility: 'PRIVATE' }),
    });
    await admin.ok(DECLARE, {
      input: link('formosa', 'kaohsiung', { items: ['TYRE-29'], visibility: 'NETWORK' }),
    });
  });

  const LINKS = {
    'cantabrico>iberframe': 'PARTNERS',
    'boke>cantabrico': 'PRIVATE',
    'formosa>kaohsiung': 'NETWORK',
    'taiyuan>norte': 'PARTNERS',
    'iberframe>self': 'PARTNERS',
    'self>velomarkt': 'PARTNERS',
    'velomarkt>radhaus': 'PARTNERS',
  } as const;
  type LinkKey = keyof typeof LINKS;
  // Who sees which link: its own, one tier beyond each way when PARTNERS, all when NETWORK.
  const SEES: Record<string, LinkKey[] | 'all'> = {
    analyst: 'all',
    admin: 'all',
    buyer: 'all',
    iberframe: ['cantabrico>iberframe', 'formosa>kaohsiung', 'iberframe>self', 'self>velomarkt'],
    cantabrico: ['cantabrico>iberframe', 'boke>cantabrico', 'formosa>kaohsiung', 'iberframe>self'],
    // The import above made the mine a supplier of taiyuan too: it sees taiyuan's customers.
    boke: ['cantabrico>iberframe', 'boke>cantabrico', 'formosa>kaohsiung', 'taiyuan>norte'],
    velomarkt: ['formosa>kaohsiung', 'iberframe>self', 'self>velomarkt', 'velomarkt>radhaus'],
    radhaus: ['formosa>kaohsiung', 'self>velomarkt', 'velomarkt>radhaus'],
    norte: ['formosa>kaohsiung', 'taiyuan>norte', 'self>velomarkt'],
  };
  const cases = Object.entries(SEES).flatMap(([viewer, seen]) =>
    (Object.keys(LINKS) as LinkKey[]).map(
      (key) => [viewer, key, seen === 'all' || seen.includes(key)] as const,
    ),
  );

  it.each(cases)('%s sees %s: %s', async (viewer, key, expected) => {
    const who = ['analyst', 'admin', 'buyer'].includes(viewer)
      ? await stack.callerAs([viewer as 'analyst'])
      : await asPartner(viewer);
    const [supplier, customer] = key.split('>') as [string, string];
    const body = await who.raw(UPSTREAM, { of: stack.ids[customer], depth: 1, first: 500 });
    // A company the viewer may not know at all is answered NOT_FOUND, which also means the link is unseen.
    if (body.errors) {
      expect(body.errors[0]?.extensions?.code).toBe('NOT_FOUND');
      expect(expected).toBe(false);
      return;
    }
    const data = body.data as { upstream: Connection<LinkView> };
    const seen = data.upstream.nodes.some((found) => found.supplier.id === stack.ids[supplier]);
    expect(seen).toBe(expected);
  });

  it('walks only visible links: a partner cannot see past a private one', async () => {
    const iberframe = await asPartner('iberframe');
    const data = await iberframe.ok<{ upstream: Connection<LinkView> }>(UPSTREAM, { depth: 10, first: 500 });
    // Its own suppliers (one disclosed above), and not boke → cantabrico: private between those two.
    expect(data.upstream.nodes).toHaveLength(3);
    expect(data.upstream.nodes.map(names.link)).toEqual(
      expect.arrayContaining(['cantabrico>iberframe', 'formosa>iberframe']),
    );
    expect(data.upstream.nodes.map(names.link)).not.toContain('boke>cantabrico');
  });

  it('keeps risk scores internal', async () => {
    const iberframe = await asPartner('iberframe');
    expect(await iberframe.refused('{ self { risk { score } } }')).toBe('FORBIDDEN');
  });
});

describe('disruptions', () => {
  interface ReportView {
    reportDisruption: {
      disruption: {
        id: string;
        severity: string;
        active: boolean;
        alertCount: number;
        partner: { id: string } | null;
      };
      alerts: { cursor: string; company: { id: string }; distance: number; path: { id: string }[] }[];
    };
  }
  /** How many companies impact() finds downstream: what a report must alert. */
  const downstreamCount = async (key: string) =>
    (await analyst.ok<{ impact: { affectedCount: number } }>(IMPACT, { id: stack.ids[key] })).impact
      .affectedCount;
  let upstreamBefore = 0;
  beforeAll(async () => {
    const data = await analyst.ok<{ self: { risk: { factors: { kind: string; points: number }[] } } }>(
      '{ self { risk { factors { kind points } } } }',
    );
    upstreamBefore = data.self.risk.factors.find((factor) => factor.kind === 'UPSTREAM')!.points;
  });
  const input = (extra: Record<string, unknown> = {}) => ({
    partnerId: stack.ids.baotou,
    severity: 'CRITICAL',
    description: 'Blast furnace fire; shipments halted',
    expectedRecovery: '2099-01-31',
    ...extra,
  });

  it('stores a disruption and alerts every company downstream once, and a retry appends nothing', async () => {
    const before = await eventCount('DisruptionAlert');
    const expected = await downstreamCount('baotou');
    const first = await analyst.ok<ReportView>(REPORT, { input: input(), key: 'fire-1' });
    const report = first.reportDisruption;
    expect(report.disruption).toMatchObject({ severity: 'CRITICAL', active: true, alertCount: expected });
    expect(report.alerts).toHaveLength(expected);
    expect(new Set(report.alerts.map((alert) => alert.company.id)).size).toBe(expected);
    expect(names.name(report.alerts[0]!.company.id)).toBe('taiyuan');
    const retailer = report.alerts.find((alert) => alert.company.id === stack.ids.radhaus)!;
    expect(retailer.distance).toBe(5);
    expect(retailer.path.map((step) => names.name(step.id))).toEqual([
      'baotou',
      'taiyuan',
      expect.any(String),
      'self',
      'velomarkt',
      'radhaus',
    ]);
    expect(await eventCount('DisruptionAlert')).toBe(before + expected);

    const retry = await analyst.ok<ReportView>(REPORT, { input: input(), key: 'fire-1' });
    expect(retry.reportDisruption.disruption.id).toBe(report.disruption.id);
    expect(retry.reportDisruption.alerts.map((alert) => alert.cursor)).toEqual(
      report.alerts.map((alert) => alert.cursor),
    );
    expect(await eventCount('DisruptionAlert')).toBe(before + expected);
    expect(await analyst.refused(REPORT, { input: input({ severity: 'LOW' }), key: 'fire-1' })).toBe(
      'CONFLICT',
    );
  });

  it('raises the risk of the mill and of everyone it supplies', async () => {
    const data = await analyst.ok<{
      baotou: { risk: { factors: { kind: string; points: number }[] } };
      self: { risk: { factors: { kind: string; points: number; via: { id: string } | null }[] } };
    }>(
      `query ($baotou: ID!) { baotou: partner(id: $baotou) { risk { factors { kind points } } }
         self { risk { factors { kind points via { id } } } } }`,
      { baotou: stack.ids.baotou },
    );
    expect(data.baotou.risk.factors).toContainEqual({ kind: 'ACTIVE_DISRUPTION', points: 50 });
    const upstream = data.self.risk.factors.find((factor) => factor.kind === 'UPSTREAM')!;
    expect(upstream.points).toBeGreaterThan(upstreamBefore);
    expect(upstream.via).not.toBeNull();
  });

  it('alerts a whole country: every company downstream of any company there', async () => {
    const data = await analyst.ok<ReportView>(REPORT, {
      input: { country: 'TW', severity: 'HIGH', description: 'Typhoon closes Kaohsiung port' },
    });
    const alerted = data.reportDisruption.alerts.map((alert) => names.name(alert.company.id));
    expect(alerted).not.toContain('kaohsiung');
    expect(alerted).not.toContain('formosa');
    expect(alerted).toContain('self');
    expect(data.reportDisruption.disruption.partner).toBeNull();
  });

  it.each([
    ['both a partner and a country', () => input({ country: 'CN' }), 'BAD_USER_INPUT'],
    ['neither', () => input({ partnerId: null }), 'BAD_USER_INPUT'],
    ['an unknown country', () => input({ partnerId: null, country: 'XX' }), 'BAD_USER_INPUT'],
    ['an empty description', () => input({ description: '  ' }), 'BAD_USER_INPUT'],
    ['a bad recovery date', () => input({ expectedRecovery: 'soon' }), 'BAD_USER_INPUT'],
    ['an unknown partner', () => input({ partnerId: 'no-such-partner' }), 'NOT_FOUND'],
  ])('refuses %s and appends nothing', async (_case, bad, code) => {
    const before = await eventCount('DisruptionReported');
    expect(await analyst.refused(REPORT, { input: bad() })).toBe(code);
    expect(await eventCount('DisruptionReported')).toBe(before);
  });

  it('lets a partner report only its own disruption, and tells it only of its direct customers', async () => {
    const taiyuan = await asPartner('taiyuan');
    expect(await taiyuan.refused(REPORT, { input: input() })).toBe('FORBIDDEN');
    const expected = await downstreamCount('taiyuan');
    const data = await taiyuan.ok<ReportView>(REPORT, {
      input: input({ partnerId: stack.ids.taiyuan, severity: 'LOW', description: 'Gear line maintenance' }),
    });
    expect(data.reportDisruption.disruption.alertCount).toBe(expected);
    const direct = data.reportDisruption.alerts.map((alert) => names.name(alert.company.id)).sort();
    expect(direct).toEqual(['kaohsiung', 'norte']);
    expect(data.reportDisruption.alerts.every((alert) => alert.distance === 1)).toBe(true);
  });

  it('delivers alerts at the subgraph: a partner only its own, the company all, resumable', async () => {
    const after = await latestCursor(stack.db);
    const collect = async (principal: Principal, count: number) => {
      const client = createClient({
        url: stack.subgraphs.network.url.replace('http:', 'ws:'),
        webSocketImpl: WebSocket,
        connectionParams: { [PRINCIPAL_HEADER]: await signPrincipal(principal, INTERNAL_SECRET) },
        retryAttempts: 0,
      });
      const received: {
        company: { id: string };
        path: { id: string }[];
        disruption: { partner: { id: string } | null };
      }[] = [];
      await new Promise<void>((resolve, reject) => {
        const stop = client.subscribe<{ disruptionAlerts: (typeof received)[number] }>(
          {
            query: `subscription ($after: String) { disruptionAlerts(after: $after) {
              company { id } path { id } disruption { partner { id } } } }`,
            variables: { after },
          },
          {
            next: (result) => {
              if (result.data) received.push(result.data.disruptionAlerts);
              if (received.length === count) {
                stop();
                resolve();
              }
            },
            error: reject,
            complete: resolve,
          },
        );
      });
      await client.dispose();
      return received;
    };
    const expected = await downstreamCount('boke');
    await analyst.ok(REPORT, {
      input: input({
        partnerId: stack.ids.boke,
        severity: 'MEDIUM',
        description: 'Rains flood the mine road',
      }),
    });
    const all = await collect({ subject: 'test-analyst', roles: ['analyst'] }, expected);
    expect(new Set(all.map((alert) => alert.company.id)).size).toBe(expected);
    const radhaus = await collect({ subject: 'erp', roles: ['partner'], partnerId: stack.ids.radhaus }, 1);
    expect(radhaus[0]!.company.id).toBe(stack.ids.radhaus);
    // A retailer five tiers down learns through whom it is hit, not who is upstream of that.
    expect(radhaus[0]!.path.map((step) => names.name(step.id))).toEqual(['velomarkt', 'radhaus']);
    expect(radhaus[0]!.disruption.partner).toBeNull();
  });
});

describe('cycles', () => {
  it('accepts a link that closes a cycle, and every query still ends with each link once', async () => {
    // We sell scrap back to the steel mill: self → baotou closes baotou → taiyuan → norte → self.
    await admin.ok(DECLARE, { input: link('self', 'baotou', { items: ['SCRAP-AL'] }) });
    const up = await analyst.ok<{ upstream: Connection<LinkView> }>(UPSTREAM, { depth: 10, first: 500 });
    const keys = up.upstream.nodes.map(names.link);
    expect(new Set(keys).size).toBe(keys.length);
    expect(up.upstream.nodes.find((found) => names.link(found) === 'self>baotou')!.tier).toBe(4);
    const impact = await analyst.ok<{
      impact: { companies: { partner: { id: string }; tier: number | null }[] };
    }>(IMPACT, {
      id: stack.ids.baotou,
    });
    const affected = impact.impact.companies.map((row) => names.name(row.partner.id));
    expect(new Set(affected).size).toBe(affected.length);
    expect(affected).not.toContain('baotou');
    const tiers = await analyst.ok<{ partner: { tier: number } }>(
      'query ($id: ID!) { partner(id: $id) { tier } }',
      {
        id: stack.ids.baotou,
      },
    );
    expect(tiers.partner.tier).toBe(3);
  });
});

describe('the CSV import command', () => {
  it('reads a CSV file and imports it through the API, reporting bad lines by number', async () => {
    const csv = [
      'supplierId,customerId,items,share,since,visibility',
      `${stack.ids.formosa},${stack.ids.norte},"GRIP-02; TAPE-9",0.5,2024-01-15,network`,
      `${stack.ids.norte},${stack.ids.norte},X-1,,,`,
      `"${stack.ids.taiyuan}",${stack.ids.formosa},GEAR-7,,,`,
    ].join('\r\n');
    const links = linksFromCsv(csv);
    expect(links[0]).toEqual({
      supplierId: stack.ids.formosa,
      customerId: stack.ids.norte,
      items: ['GRIP-02', 'TAPE-9'],
      share: 0.5,
      since: '2024-01-15',
      visibility: 'NETWORK',
    });
    const report = await importLinks(stack.gateway.url, admin.headers, links, false);
    expect(report.imported).toBe(2);
    expect(report.failed).toEqual([
      expect.objectContaining({ line: 3, code: 'BAD_USER_INPUT', field: 'customerId' }),
    ]);
    expect(await linkBetween('formosa', 'norte')).toMatchObject({ share: 0.5, visibility: 'NETWORK' });
  });

  it('refuses a file without the required columns', () => {
    expect(() => linksFromCsv('supplier,customer\na,b')).toThrow(/supplierId/);
  });
});

describe('who decides how widely a link is shared', () => {
  it('a partner narrows a link the company declared, but never shares it more widely', async () => {
    await admin.ok(DECLARE, {
      input: link('cantabrico', 'kaohsiung', { items: ['RIM-AL'], visibility: 'PRIVATE' }),
    });
    const kaohsiung = await asPartner('kaohsiung');
    await kaohsiung.ok(DECLARE, {
      input: link('cantabrico', 'kaohsiung', { items: ['RIM-AL'], visibility: 'NETWORK' }),
    });
    expect((await linkBetween('cantabrico', 'kaohsiung'))?.visibility).toBe('PRIVATE');

    await admin.ok(DECLARE, {
      input: link('cantabrico', 'kaohsiung', { items: ['RIM-AL'], visibility: 'NETWORK' }),
    });
    await kaohsiung.ok(DECLARE, {
      input: link('cantabrico', 'kaohsiung', { items: ['RIM-AL'], visibility: 'PARTNERS' }),
    });
    expect((await linkBetween('cantabrico', 'kaohsiung'))?.visibility).toBe('PARTNERS');
  });
});
