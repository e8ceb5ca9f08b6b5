import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PRINCIPAL_HEADER, signPrincipal, type Role } from '../platform/auth/principal.ts';
import type { Caller } from './support/orders.ts';
import { bootNetworkStack, named, type Connection, type NetworkStack } from './support/network.ts';
import { INTERNAL_SECRET, type GraphQLResponse } from './support/stack.ts';
import type { EventType } from '../platform/events/eventLog.ts';
import { countEvents, loggedEvents } from './support/events.ts';

/**
 * Supply links need both ends: a partner's declaration naming another partner waits for that partner
 * (or the company's staff), and grants nothing until then. Everything goes through the gateway, as a
 * partner system with its own credentials would try it.
 */

let stack: NetworkStack;
let names: ReturnType<typeof named>;
/** An active partner with no links to anyone. */
let strangerId: string;

beforeAll(async () => {
  stack = await bootNetworkStack();
  names = named(stack.ids);
  const admin = await stack.callerAs(['admin']);
  const data = await admin.ok<{ registerPartner: { id: string } }>(
    'mutation ($input: RegisterPartnerInput!) { registerPartner(input: $input) { id } }',
    {
      input: {
        name: 'Unrelated Components Ltd',
        country: 'GB',
        roles: ['SUPPLIER'],
        identifiers: [{ scheme: 'DUNS', value: '469999001' }],
      },
    },
  );
  strangerId = data.registerPartner.id;
  await stack.networkSettled();
});
afterAll(async () => {
  await stack?.close();
});

const asPartner = (key: string) => stack.callerAs(['partner'], stack.ids[key]);
const stranger = () => stack.callerAs(['partner'], strangerId);

const FIELDS = `id status rejectionReason supplier { id } customer { id } items { sku } share visibility
  declaredBy { id }`;

interface Link {
  id: string | null;
  status: string;
  rejectionReason: string | null;
  supplier: { id: string };
  customer: { id: string };
  items: { sku: string }[];
  share: number | null;
  visibility: string;
  declaredBy: { id: string } | null;
}

const DECLARE = `mutation ($input: DeclareSupplyLinkInput!) { declareSupplyLink(input: $input) { ${FIELDS} } }`;
const CONFIRM = `mutation ($id: ID!) { confirmSupplyLink(id: $id) { ${FIELDS} } }`;
const REJECT = `mutation ($id: ID!, $reason: String!) { rejectSupplyLink(id: $id, reason: $reason) { ${FIELDS} } }`;
const PENDING = `query ($filter: PendingLinkFilter) {
  pendingSupplyLinks(filter: $filter, first: 500) { nodes { ${FIELDS} } pageInfo { hasNextPage } } }`;
const UPSTREAM = `query ($of: ID, $depth: Int) { upstream(of: $of, depth: $depth, first: 500) { nodes { ${FIELDS} } } }`;
const DOWNSTREAM = `query ($of: ID, $depth: Int) {
  downstream(of: $of, depth: $depth, first: 500) { nodes { ${FIELDS} } } }`;

const link = (supplier: string, customer: string, extra: Record<string, unknown> = {}) => ({
  supplierId: stack.ids[supplier] ?? supplier,
  customerId: stack.ids[customer] ?? customer,
  items: ['PART-1'],
  ...extra,
});

/** The links a caller sees from `of`, as sorted "supplier>customer" keys. */
async function linksOf(who: Caller, query: string, of: string, depth = 1): Promise<string[]> {
  const data = await who.ok<Record<string, Connection<Link>>>(query, { of: stack.ids[of] ?? of, depth });
  return Object.values(data)[0]!.nodes.map(names.link).sort();
}

/** As `linksOf`, for a caller that may not know `of` at all: NOT_FOUND sees no links. */
async function linksSeen(who: Caller, query: string, of: string): Promise<string[]> {
  const body = await who.raw(query, { of: stack.ids[of] ?? of, depth: 1 });
  if (body.errors) {
    expect(body.errors[0]?.extensions?.code).toBe('NOT_FOUND');
    return [];
  }
  return Object.values(body.data as Record<string, Connection<Link>>)[0]!.nodes.map(names.link);
}

async function pendingFor(who: Caller, filter = 'ALL'): Promise<Link[]> {
  const data = await who.ok<{ pendingSupplyLinks: Connection<Link> }>(PENDING, { filter });
  return data.pendingSupplyLinks.nodes;
}

async function events(type: EventType): Promise<{ payload: Record<string, unknown>; parties: string[] }[]> {
  return (await loggedEvents(stack.db, { types: [type] })).map(({ payload, parties }) => ({
    payload,
    parties,
  }));
}

const eventCount = () => countEvents(stack.db);

describe('who may ask what of the network (before any new link)', () => {
  // cantabrico is a tier-2 supplier behind iberframe: iberframe knows it, atlantico (a customer of ours)
  // and an unrelated partner do not. Staff know everyone. Finance has no network view at all.
  const principals: Record<string, () => Promise<Caller>> = {
    admin: () => stack.callerAs(['admin']),
    analyst: () => stack.callerAs(['analyst']),
    buyer: () => stack.callerAs(['buyer']),
    finance: () => stack.callerAs(['finance']),
    'supplier partner': () => asPartner('iberframe'),
    'customer partner': () => asPartner('atlantico'),
    'unrelated partner': stranger,
  };
  const OK = 'ok';
  type Outcome = typeof OK | 'NOT_FOUND' | 'FORBIDDEN';
  const staff = { admin: OK, analyst: OK, buyer: OK, finance: 'FORBIDDEN' } as const;
  const knownOnlyToItsCustomer = {
    ...staff,
    'supplier partner': OK,
    'customer partner': 'NOT_FOUND',
    'unrelated partner': 'NOT_FOUND',
  } as const;
  const queries: [string, string, () => Record<string, unknown>, Record<string, Outcome>][] = [
    [
      'upstream',
      '($of: ID) { upstream(of: $of) { nodes { supplier { id } } } }',
      () => ({ of: stack.ids.cantabrico }),
      knownOnlyToItsCustomer,
    ],
    [
      'downstream',
      '($of: ID) { downstream(of: $of) { nodes { customer { id } } } }',
      () => ({ of: stack.ids.cantabrico }),
      knownOnlyToItsCustomer,
    ],
    [
      'impact',
      '($id: ID!) { impact(partnerId: $id) { source { id } affectedCount companies { partner { id } } } }',
      () => ({ id: stack.ids.cantabrico }),
      knownOnlyToItsCustomer,
    ],
    [
      'supplyPath',
      '($from: ID!, $to: ID!) { supplyPath(from: $from, to: $to) { length companies { id } } }',
      () => ({ from: stack.ids.cantabrico, to: stack.ids.atlantico }),
      knownOnlyToItsCustomer,
    ],
    [
      'singleSourceRisks',
      '($of: ID) { singleSourceRisks(of: $of, depth: 2) { supplier { id } } }',
      () => ({ of: stack.ids.cantabrico }),
      knownOnlyToItsCustomer,
    ],
    [
      'concentration',
      '($of: ID) { concentration(by: COUNTRY, of: $of) { directSuppliers entries { key } } }',
      () => ({ of: stack.ids.cantabrico }),
      knownOnlyToItsCustomer,
    ],
    [
      'Partner.suppliers, customers and tier of oneself',
      '{ self { id tier suppliers { supplier { id } } customers { customer { id } } } }',
      () => ({}),
      { ...staff, 'supplier partner': OK, 'customer partner': OK, 'unrelated partner': OK },
    ],
    [
      'Partner.risk',
      '{ self { risk { score } } }',
      () => ({}),
      {
        ...staff,
        'supplier partner': 'FORBIDDEN',
        'customer partner': 'FORBIDDEN',
        'unrelated partner': 'FORBIDDEN',
      },
    ],
    [
      'pendingSupplyLinks',
      '{ pendingSupplyLinks { nodes { id } } }',
      () => ({}),
      { ...staff, 'supplier partner': OK, 'customer partner': OK, 'unrelated partner': OK },
    ],
  ];
  const cases = queries.flatMap(([field, query, variables, outcomes]) =>
    Object.entries(outcomes).map(([who, outcome]) => [field, who, outcome, query, variables] as const),
  );

  it.each(cases)('%s as %s: %s', async (_field, who, outcome, query, variables) => {
    const caller = await principals[who]!();
    const body = await caller.raw(`query ${query}`, variables());
    if (outcome === OK) {
      expect(body.errors, JSON.stringify(body.errors)).toBeUndefined();
    } else {
      expect(body.errors?.[0]?.extensions?.code).toBe(outcome);
    }
  });

  it('answers an unrelated partner about a company it may not know as if it did not exist', async () => {
    const unknownId = '00000000-0000-4000-8000-000000000000';
    const caller = await stranger();
    for (const id of [stack.ids.iberframe!, stack.ids.self!, unknownId]) {
      const body = await caller.raw(
        'query ($id: ID!) { impact(partnerId: $id) { source { name country roles status identifiers { value } } } }',
        { id },
      );
      expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'NOT_FOUND' });
      expect(body.errors?.[0]?.message).toBe(`partner ${id} not found`);
      expect(body.data ?? null).toBeNull();
    }
  });

  it('shows a partner only companies it may see: its links, and those shared with it', async () => {
    const atlantico = await asPartner('atlantico');
    const data = await atlantico.ok<{
      impact: { companies: { partner: { id: string }; path: { id: string }[] }[] };
      upstream: Connection<Link>;
    }>(
      `query ($of: ID!) { impact(partnerId: $of) { companies { partner { id } path { id } } }
         upstream(depth: 10, first: 500) { nodes { supplier { id } customer { id } } } }`,
      { of: stack.ids.self },
    );
    // Our suppliers' links to us are shared with our customers (PARTNERS); their own suppliers are not.
    const seen = new Set(
      data.upstream.nodes.flatMap((node) => [node.supplier.id, node.customer.id]).map(names.name),
    );
    expect([...seen].sort()).toEqual(['atlantico', 'iberframe', 'kaohsiung', 'norte', 'self']);
    const reached = data.impact.companies.flatMap((row) => row.path.map((step) => names.name(step.id)));
    expect(reached.every((key) => ['self', 'atlantico', 'galicia', 'lisboa'].includes(key))).toBe(true);
  });
});

describe('a partner declaring itself customer of another partner', () => {
  let requestId: string;

  it('makes a PENDING declaration that changes nothing in the network', async () => {
    const atlantico = await asPartner('atlantico');
    const iberframe = await asPartner('iberframe');
    const before = await events('SupplyLinkConfirmed');
    const declared = await atlantico.ok<{ declareSupplyLink: Link }>(DECLARE, {
      input: link('iberframe', 'atlantico', { items: ['FRAME-AL-54'], visibility: 'NETWORK' }),
    });
    expect(declared.declareSupplyLink).toMatchObject({
      status: 'PENDING',
      supplier: { id: stack.ids.iberframe },
      customer: { id: stack.ids.atlantico },
      declaredBy: { id: stack.ids.atlantico },
    });
    requestId = declared.declareSupplyLink.id!;
    expect(requestId).toEqual(expect.any(String));

    // The supplier's customers are what they were.
    expect(await linksOf(iberframe, DOWNSTREAM, 'iberframe')).toEqual(['iberframe>self']);
    // The declarer learns nothing of the supplier's own suppliers (PARTNERS links one tier beyond).
    expect(await linksOf(atlantico, UPSTREAM, 'iberframe')).toEqual([]);
    expect(await linksOf(atlantico, UPSTREAM, 'atlantico', 10)).not.toContain('cantabrico>iberframe');
    // Nor does any other partner see the claim, though the declarer asked to share it with everyone.
    const velomarkt = await asPartner('velomarkt');
    expect(await linksSeen(velomarkt, DOWNSTREAM, 'iberframe')).not.toContain('iberframe>atlantico');
    // The company's views do not count it either.
    const analyst = await stack.callerAs(['analyst']);
    expect(await linksOf(analyst, UPSTREAM, 'atlantico')).toEqual(['self>atlantico']);
    expect(await events('SupplyLinkConfirmed')).toHaveLength(before.length);
  });

  it('shows the declarer its declaration and the supplier what it is asked to confirm', async () => {
    const atlantico = await asPartner('atlantico');
    const iberframe = await asPartner('iberframe');
    const asked = await pendingFor(iberframe, 'TO_CONFIRM');
    expect(asked.map((row) => [row.id, row.status])).toEqual([[requestId, 'PENDING']]);
    expect(asked[0]).toMatchObject({ items: [{ sku: 'FRAME-AL-54' }], visibility: 'NETWORK' });
    expect(await pendingFor(iberframe, 'DECLARED')).toEqual([]);
    expect((await pendingFor(atlantico, 'DECLARED')).map((row) => row.id)).toEqual([requestId]);
    expect(await pendingFor(atlantico, 'TO_CONFIRM')).toEqual([]);
    // Nobody else is told of it; the company's staff see every declaration awaiting a decision.
    expect(await pendingFor(await asPartner('velomarkt'))).toEqual([]);
    expect(await pendingFor(await stranger())).toEqual([]);
    const admin = await stack.callerAs(['admin']);
    expect((await pendingFor(admin)).map((row) => row.id)).toContain(requestId);
  });

  it('refuses its confirmation to the declarer and to anyone unrelated, changing nothing', async () => {
    const before = await eventCount();
    expect(await (await asPartner('atlantico')).refused(CONFIRM, { id: requestId })).toBe('FORBIDDEN');
    expect(await (await stranger()).refused(CONFIRM, { id: requestId })).toBe('NOT_FOUND');
    expect(await (await stranger()).refused(REJECT, { id: requestId, reason: 'no' })).toBe('NOT_FOUND');
    expect(await (await asPartner('velomarkt')).refused(CONFIRM, { id: requestId })).toBe('NOT_FOUND');
    expect(await (await stack.callerAs(['buyer'])).refused(CONFIRM, { id: requestId })).toBe('FORBIDDEN');
    expect(await eventCount()).toBe(before);
  });

  it('counts once the supplier confirms, and the visibility it carries follows', async () => {
    const iberframe = await asPartner('iberframe');
    const atlantico = await asPartner('atlantico');
    const confirmed = await iberframe.ok<{ confirmSupplyLink: Link }>(CONFIRM, { id: requestId });
    expect(confirmed.confirmSupplyLink).toMatchObject({ id: requestId, status: 'CONFIRMED' });

    expect(await linksOf(iberframe, DOWNSTREAM, 'iberframe')).toEqual([
      'iberframe>atlantico',
      'iberframe>self',
    ]);
    expect(await linksOf(atlantico, UPSTREAM, 'iberframe')).toEqual(['cantabrico>iberframe']);
    const analyst = await stack.callerAs(['analyst']);
    const up = await analyst.ok<{ upstream: Connection<Link> }>(UPSTREAM, {
      of: stack.ids.atlantico,
      depth: 1,
    });
    expect(up.upstream.nodes.find((node) => names.link(node) === 'iberframe>atlantico')).toMatchObject({
      status: 'CONFIRMED',
      id: null,
      visibility: 'NETWORK',
      declaredBy: { id: stack.ids.atlantico },
    });
    expect(await pendingFor(iberframe)).toEqual([]);

    const confirmations = await events('SupplyLinkConfirmed');
    expect(confirmations[confirmations.length - 1]).toEqual({
      payload: { linkId: requestId, supplierId: stack.ids.iberframe, customerId: stack.ids.atlantico },
      parties: [stack.ids.iberframe, stack.ids.atlantico],
    });
    // Deciding twice is a conflict.
    expect(await iberframe.refused(CONFIRM, { id: requestId })).toBe('CONFLICT');
    expect(await iberframe.refused(REJECT, { id: requestId, reason: 'changed my mind' })).toBe('CONFLICT');
  });
});

describe('rejecting, withdrawing and staff decisions', () => {
  it('lets the named partner reject a declaration, which then counts for nothing', async () => {
    const velomarkt = await asPartner('velomarkt');
    const norte = await asPartner('norte');
    const { declareSupplyLink } = await velomarkt.ok<{ declareSupplyLink: Link }>(DECLARE, {
      input: link('norte', 'velomarkt', { items: ['DRIVE-12S'] }),
    });
    expect(await norte.refused(REJECT, { id: declareSupplyLink.id, reason: '   ' })).toBe('BAD_USER_INPUT');
    const rejected = await norte.ok<{ rejectSupplyLink: Link }>(REJECT, {
      id: declareSupplyLink.id,
      reason: 'We do not supply VeloMarkt',
    });
    expect(rejected.rejectSupplyLink).toMatchObject({
      status: 'REJECTED',
      rejectionReason: 'We do not supply VeloMarkt',
    });
    expect(await linksOf(norte, DOWNSTREAM, 'norte')).toEqual(['norte>self']);
    expect(await pendingFor(velomarkt)).toEqual([]);
    expect(await norte.refused(CONFIRM, { id: declareSupplyLink.id })).toBe('CONFLICT');
    const rejections = await events('SupplyLinkRejected');
    expect(rejections[rejections.length - 1]!.payload).toEqual({
      linkId: declareSupplyLink.id,
      supplierId: stack.ids.norte,
      customerId: stack.ids.velomarkt,
      reason: 'We do not supply VeloMarkt',
    });
  });

  it('replaces a pending declaration with a later one of the same pair', async () => {
    const velomarkt = await asPartner('velomarkt');
    const first = await velomarkt.ok<{ declareSupplyLink: Link }>(DECLARE, {
      input: link('kaohsiung', 'velomarkt', { items: ['WHEEL-29'] }),
    });
    const second = await velomarkt.ok<{ declareSupplyLink: Link }>(DECLARE, {
      input: link('kaohsiung', 'velomarkt', { items: ['WHEEL-29', 'TYRE-29'] }),
    });
    const kaohsiung = await asPartner('kaohsiung');
    expect((await pendingFor(kaohsiung, 'TO_CONFIRM')).map((row) => row.id)).toEqual([
      second.declareSupplyLink.id,
    ]);
    expect(await kaohsiung.refused(CONFIRM, { id: first.declareSupplyLink.id })).toBe('CONFLICT');
    // The declarer may withdraw its own.
    const withdrawn = await velomarkt.ok<{ rejectSupplyLink: Link }>(REJECT, {
      id: second.declareSupplyLink.id,
      reason: 'declared by mistake',
    });
    expect(withdrawn.rejectSupplyLink.status).toBe('REJECTED');
    expect(await pendingFor(kaohsiung)).toEqual([]);
  });

  it.each([
    ['an admin', ['admin'], 'ok'],
    ['an analyst', ['analyst'], 'ok'],
    ['a buyer (we are not an end)', ['buyer'], 'FORBIDDEN'],
    ['sales staff (we are not an end)', ['sales'], 'FORBIDDEN'],
    ['finance', ['finance'], 'FORBIDDEN'],
  ] as const)('lets the company decide between two partners: %s → %s', async (_case, roles, outcome) => {
    const kaohsiung = await asPartner('kaohsiung');
    const { declareSupplyLink } = await kaohsiung.ok<{ declareSupplyLink: Link }>(DECLARE, {
      input: link('kaohsiung', 'velomarkt', { items: ['WHEEL-29'] }),
    });
    const staff = await stack.callerAs([...roles] as Role[]);
    if (outcome === 'ok') {
      const data = await staff.ok<{ confirmSupplyLink: Link }>(CONFIRM, { id: declareSupplyLink.id });
      expect(data.confirmSupplyLink.status).toBe('CONFIRMED');
      expect(await linksOf(await asPartner('velomarkt'), UPSTREAM, 'velomarkt')).toContain(
        'kaohsiung>velomarkt',
      );
    } else {
      expect(await staff.refused(CONFIRM, { id: declareSupplyLink.id })).toBe(outcome);
      await kaohsiung.ok(REJECT, { id: declareSupplyLink.id, reason: 'test over' });
    }
  });

  it('lets buyers decide on our suppliers’ declarations, and sales staff on our customers’', async () => {
    const norte = await asPartner('norte');
    const toUs = await norte.ok<{ declareSupplyLink: Link }>(DECLARE, {
      input: link('norte', 'self', { items: ['DRIVE-12S', 'DRIVE-11S'] }),
    });
    expect(await (await stack.callerAs(['sales'])).refused(CONFIRM, { id: toUs.declareSupplyLink.id })).toBe(
      'FORBIDDEN',
    );
    const buyer = await stack.callerAs(['buyer']);
    await buyer.ok(CONFIRM, { id: toUs.declareSupplyLink.id });
    const up = await buyer.ok<{ upstream: Connection<Link> }>(UPSTREAM, { of: stack.ids.self, depth: 1 });
    const norteLink = up.upstream.nodes.find((node) => names.link(node) === 'norte>self')!;
    expect(norteLink.items.map((item) => item.sku).sort()).toEqual(['DRIVE-11S', 'DRIVE-12S']);

    const velomarkt = await asPartner('velomarkt');
    const fromUs = await velomarkt.ok<{ declareSupplyLink: Link }>(DECLARE, {
      input: link('self', 'velomarkt', { items: ['BIKE-TRAIL-29'] }),
    });
    expect(await buyer.refused(CONFIRM, { id: fromUs.declareSupplyLink.id })).toBe('FORBIDDEN');
    const sales = await stack.callerAs(['sales']);
    const rejected = await sales.ok<{ rejectSupplyLink: Link }>(REJECT, {
      id: fromUs.declareSupplyLink.id,
      reason: 'already known from orders',
    });
    expect(rejected.rejectSupplyLink.status).toBe('REJECTED');
  });

  it('confirms at once what the company’s staff declare, and tells consumers so', async () => {
    const admin = await stack.callerAs(['admin']);
    const data = await admin.ok<{ declareSupplyLink: Link }>(DECLARE, {
      input: link('norte', 'atlantico', { items: ['DRIVE-12S'] }),
    });
    expect(data.declareSupplyLink).toMatchObject({ status: 'CONFIRMED', id: null, declaredBy: null });
    const confirmations = await events('SupplyLinkConfirmed');
    expect(confirmations[confirmations.length - 1]!.payload).toMatchObject({
      supplierId: stack.ids.norte,
      customerId: stack.ids.atlantico,
    });
  });
});

describe('a partner disclosing a company known only by its disclosure', () => {
  let requestId: string;

  it('keeps the disclosure the declarer’s own account: no view into anyone else', async () => {
    // bavaria (INVITED) is velomarkt's customer; atlantico claims bavaria supplies it, shared with all.
    const atlantico = await asPartner('atlantico');
    const data = await atlantico.ok<{ declareSupplyLink: Link }>(DECLARE, {
      input: link('bavaria', 'atlantico', { items: ['BIKE-TRAIL-29'], visibility: 'NETWORK' }),
    });
    expect(data.declareSupplyLink).toMatchObject({ status: 'DISCLOSED', visibility: 'NETWORK' });
    requestId = data.declareSupplyLink.id!;

    // The declarer sees its own disclosure, and nothing behind it (velomarkt>bavaria is PARTNERS).
    expect(await linksOf(atlantico, UPSTREAM, 'atlantico')).toContain('bavaria>atlantico');
    expect(await linksOf(atlantico, UPSTREAM, 'bavaria')).toEqual([]);
    // Nobody else sees it, NETWORK or not.
    for (const key of ['velomarkt', 'kaohsiung', 'iberframe']) {
      expect(await linksSeen(await asPartner(key), UPSTREAM, 'atlantico')).not.toContain('bavaria>atlantico');
    }
    // The company sees it, marked as a disclosure.
    const analyst = await stack.callerAs(['analyst']);
    const up = await analyst.ok<{ upstream: Connection<Link> }>(UPSTREAM, {
      of: stack.ids.atlantico,
      depth: 1,
    });
    expect(up.upstream.nodes.find((node) => names.link(node) === 'bavaria>atlantico')).toMatchObject({
      status: 'DISCLOSED',
      id: requestId,
    });
  });

  it('becomes a link like any other once the company’s staff confirm it', async () => {
    const admin = await stack.callerAs(['admin']);
    expect((await pendingFor(admin)).map((row) => row.id)).toContain(requestId);
    await admin.ok(CONFIRM, { id: requestId });
    const atlantico = await asPartner('atlantico');
    expect(await linksOf(atlantico, UPSTREAM, 'bavaria')).toEqual(['velomarkt>bavaria']);
    expect(await linksOf(await asPartner('kaohsiung'), UPSTREAM, 'atlantico')).toContain('bavaria>atlantico');
  });

  it('is removed when rejected before anything else confirms it', async () => {
    const atlantico = await asPartner('atlantico');
    const data = await atlantico.ok<{ declareSupplyLink: Link }>(DECLARE, {
      input: link('lisboa', 'atlantico', { items: ['RETURNS-1'] }),
    });
    expect(data.declareSupplyLink.status).toBe('DISCLOSED');
    await (await stack.callerAs(['analyst'])).ok(REJECT, { id: data.declareSupplyLink.id, reason: 'no' });
    expect(await linksOf(atlantico, UPSTREAM, 'atlantico')).not.toContain('lisboa>atlantico');
  });
});

describe('numbers the network refuses', () => {
  /** Posts a raw body to the network subgraph itself, as the gateway would forward it, for a partner. */
  async function atNetworkSubgraph(body: string): Promise<GraphQLResponse<Record<string, unknown>>> {
    const principal = await signPrincipal(
      { subject: 'partner-system', roles: ['partner'], partnerId: stack.ids.iberframe! },
      INTERNAL_SECRET,
    );
    const response = await fetch(stack.subgraphs.network.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [PRINCIPAL_HEADER]: principal },
      body,
    });
    return (await response.json()) as GraphQLResponse<Record<string, unknown>>;
  }
  const declaration = (share: string) =>
    `mutation ${share.startsWith('$') ? '($share: Float)' : ''} {
       declareSupplyLink(input: { supplierId: "${stack.ids.cantabrico}",
       customerId: "${stack.ids.iberframe}", items: ["TUBE-AL-6061"], share: ${share} }) { status } }`;
  // JSON.stringify cannot write a number beyond a double; the bodies carry the literal text instead.
  const withShare = (query: string, share: string) =>
    JSON.stringify({ query, variables: { share: 0.5 } }).replace('"share":0.5', `"share":${share}`);
  const literal = (share: string) => JSON.stringify({ query: declaration(share) });

  it.each([
    ['a share too large for a number, in the query', () => literal('1e400')],
    ['a negative one too large for a number, in the query', () => literal('-1e400')],
    ['a share too large for a number, as a variable', () => withShare(declaration('$share'), '1e400')],
  ])('refuses %s as BAD_USER_INPUT at the network subgraph, changing nothing', async (_case, body) => {
    const before = await eventCount();
    const answer = await atNetworkSubgraph(body());
    expect(answer.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
    expect(await eventCount()).toBe(before);
  });

  it.each([
    ['a negative share', 'share: -0.5'],
    ['a share of zero', 'share: 0'],
    ['a share above one', 'share: 1.0000001'],
  ])('refuses %s as BAD_USER_INPUT and changes nothing', async (_case, share) => {
    const before = await eventCount();
    const iberframe = await asPartner('iberframe');
    const body = await iberframe.raw(
      `mutation { declareSupplyLink(input: { supplierId: "${stack.ids.cantabrico}",
         customerId: "${stack.ids.iberframe}", items: ["TUBE-AL-6061"], ${share} }) { status } }`,
    );
    expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'share' });
    expect(await eventCount()).toBe(before);
  });

  it.each([
    ['upstream', '{ upstream(depth: 11) { nodes { tier } } }'],
    ['downstream', '{ downstream(depth: 0) { nodes { tier } } }'],
    ['impact', `{ impact(partnerId: "PLACEHOLDER", depth: -1) { affectedCount } }`],
    ['singleSourceRisks', '{ singleSourceRisks(depth: 100) { tier } }'],
    ['concentration', '{ concentration(by: COUNTRY, depth: 11) { depth } }'],
    ['Partner.suppliers', '{ self { suppliers(depth: 11) { tier } } }'],
    ['Partner.customers', '{ self { customers(depth: 0) { tier } } }'],
  ])('refuses a depth out of range in %s as BAD_USER_INPUT', async (_field, query) => {
    const iberframe = await asPartner('iberframe');
    const body = await iberframe.raw(query.replace('PLACEHOLDER', stack.ids.iberframe!));
    expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'depth' });
  });
});
