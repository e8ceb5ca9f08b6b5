import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../platform/auth/principal.ts';
import { appendEvent } from '../platform/events/eventLog.ts';
import { apiKeyFor, caller, partnerIds, type Caller } from './support/orders.ts';
import { bootStack, type GraphQLResponse, type TestStack } from './support/stack.ts';

/**
 * Who reads what of the directory, tried as a hostile partner would: with a valid API key of its own,
 * guessing other partners' identifiers and ids.
 */

let stack: TestStack;
let admin: Caller;
let kaohsiung: string;
let velomarkt: string;
let atlantico: string;
let norte: string;
let iberframe: string;

const KAOHSIUNG = 'Kaohsiung Wheel Co., Ltd.';
const VELOMARKT = 'VeloMarkt Handels GmbH';
const VELOMARKT_DUNS = '460000010';

beforeAll(async () => {
  stack = await bootStack({ seedDemo: true });
  admin = caller(stack, await stack.as(['admin']));
  [kaohsiung, velomarkt, atlantico, norte, iberframe] = (await partnerIds(
    admin,
    'Kaohsiung',
    'VeloMarkt',
    'Atlántico',
    'Norte',
    'Iberframe',
  )) as [string, string, string, string, string];
});
afterAll(async () => {
  await stack?.close();
});

const asPartner = async (partnerId: string, roles: Role[] = ['partner']) =>
  caller(stack, await stack.as(roles, partnerId));
const codeOf = (body: GraphQLResponse) => body.errors?.[0]?.extensions?.code;

const REGISTER = `mutation ($input: RegisterPartnerInput!) {
  registerPartner(input: $input) { id name country roles status isSelf identifiers { scheme value } } }`;
const DIRECTORY_ENTRY = `query ($id: ID!) { partner(id: $id) { id name country roles identifiers { scheme value } } }`;

interface Registered {
  id: string;
  name: string;
  country: string;
  roles: string[];
  status: string;
  isSelf: boolean;
  identifiers: { scheme: string; value: string }[];
}

async function entry(id: string) {
  return (await admin.ok<{ partner: Omit<Registered, 'status' | 'isSelf'> }>(DIRECTORY_ENTRY, { id }))
    .partner;
}

describe('registering by identifier (finding 1)', () => {
  it("answers another partner's identifier like an unknown one: no name, no id, no conflict", async () => {
    const attacker = await apiKeyFor(stack, admin, norte);
    const probe = await attacker.raw(REGISTER, {
      input: {
        name: 'Probe GmbH',
        country: 'DE',
        roles: ['CUSTOMER'],
        identifiers: [{ scheme: 'DUNS', value: VELOMARKT_DUNS }],
      },
    });
    const unknown = await attacker.raw(REGISTER, {
      input: {
        name: 'Probe GmbH',
        country: 'DE',
        roles: ['CUSTOMER'],
        identifiers: [{ scheme: 'DUNS', value: '469999991' }],
      },
    });
    expect(probe.errors).toBeUndefined();
    expect(JSON.stringify(probe)).not.toContain('VeloMarkt');
    expect(JSON.stringify(probe)).not.toContain(velomarkt);
    const known = probe.data!.registerPartner as Registered;
    const fresh = unknown.data!.registerPartner as Registered;
    // The same answer, field for field, whether the identifier was in the directory or not.
    const { id: knownId, identifiers: knownIdentifiers, ...knownRest } = known;
    const { id: freshId, identifiers: freshIdentifiers, ...freshRest } = fresh;
    expect(knownRest).toEqual(freshRest);
    expect(knownRest).toMatchObject({ name: 'Probe GmbH', status: 'INVITED', isSelf: false });
    expect(knownIdentifiers).toEqual([{ scheme: 'DUNS', value: VELOMARKT_DUNS }]);
    expect(freshIdentifiers).toEqual([{ scheme: 'DUNS', value: '469999991' }]);
    expect(knownId).not.toBe(velomarkt);
    expect(freshId).not.toBe(knownId);
  });

  it('never changes the partner that holds the identifier, even given its exact name and country', async () => {
    const before = await entry(velomarkt);
    const attacker = await apiKeyFor(stack, admin, atlantico);
    const { registerPartner } = await attacker.ok<{ registerPartner: Registered }>(REGISTER, {
      input: {
        name: VELOMARKT,
        country: 'DE',
        roles: ['SUPPLIER'],
        identifiers: [
          { scheme: 'DUNS', value: VELOMARKT_DUNS },
          { scheme: 'VAT', value: 'DE999999999' },
        ],
      },
    });
    expect(registerPartner.id).not.toBe(velomarkt);
    expect(registerPartner.status).toBe('INVITED');
    expect(await entry(velomarkt)).toEqual(before);
    expect(before).toMatchObject({
      roles: ['CUSTOMER'],
      identifiers: [{ scheme: 'DUNS', value: VELOMARKT_DUNS }],
    });
  });

  it("creates the discloser's own INVITED company, which it reads and its competitors do not", async () => {
    const discloser = await asPartner(iberframe);
    const input = {
      name: 'Extrusões do Norte Lda.',
      country: 'PT',
      roles: ['SUPPLIER'],
      identifiers: [{ scheme: 'DUNS', value: '469999992' }],
    };
    const { registerPartner: created } = await discloser.ok<{ registerPartner: Registered }>(REGISTER, {
      input,
    });
    expect(created).toMatchObject({ name: input.name, status: 'INVITED' });
    // Registering it again is the same company, not a second one.
    const { registerPartner: again } = await discloser.ok<{ registerPartner: Registered }>(REGISTER, {
      input,
    });
    expect(again.id).toBe(created.id);

    expect(await discloser.ok(DIRECTORY_ENTRY, { id: created.id })).toMatchObject({
      partner: { name: input.name },
    });
    const other = await asPartner(norte);
    expect(await other.refused(DIRECTORY_ENTRY, { id: created.id })).toBe('NOT_FOUND');
    const search = await other.ok<{ partners: { nodes: unknown[] } }>(
      '{ partners(search: "469999992") { nodes { id } } }',
    );
    expect(search.partners.nodes).toEqual([]);
  });

  it('a partner may register others only as INVITED', async () => {
    const partner = await asPartner(norte);
    const code = await partner.refused(REGISTER, {
      input: {
        name: 'Active Co',
        country: 'ES',
        roles: ['CUSTOMER'],
        identifiers: [{ scheme: 'DUNS', value: '469999993' }],
        status: 'ACTIVE',
      },
    });
    expect(code).toBe('FORBIDDEN');
  });

  it('staff keep deduplication: the known identifier is the known partner, a different name a conflict', async () => {
    const input = {
      name: VELOMARKT,
      country: 'DE',
      roles: ['CUSTOMER'],
      identifiers: [{ scheme: 'DUNS', value: VELOMARKT_DUNS }],
    };
    const { registerPartner } = await admin.ok<{ registerPartner: Registered }>(REGISTER, { input });
    expect(registerPartner.id).toBe(velomarkt);
    expect(await admin.refused(REGISTER, { input: { ...input, name: 'Someone Else GmbH' } })).toBe(
      'CONFLICT',
    );
  });
});

describe('what a partner reads of the directory (findings 3 and 1)', () => {
  it('learns relationships from confirmed supply links in the event log', async () => {
    const asNorte = await asPartner(norte);
    expect(await asNorte.refused(DIRECTORY_ENTRY, { id: iberframe })).toBe('NOT_FOUND');
    await stack.db.transaction((tx) =>
      appendEvent(tx, {
        type: 'SupplyLinkConfirmed',
        aggregateType: 'SupplyLink',
        aggregateId: randomUUID(),
        parties: [iberframe, norte],
        actor: 'test-staff',
        payload: { linkId: randomUUID(), supplierId: iberframe, customerId: norte },
      }),
    );
    await stack.settled();
    expect(await asNorte.ok(DIRECTORY_ENTRY, { id: iberframe })).toMatchObject({
      partner: { id: iberframe, name: 'Iberframe Componentes Lda.' },
    });
    // Both ways: the supplier reads its customer too.
    const asIberframe = await asPartner(iberframe);
    expect(await asIberframe.ok(DIRECTORY_ENTRY, { id: norte })).toMatchObject({
      partner: { name: 'Norte Drivetrain GmbH' },
    });
  });

  it('gives no directory data of an unrelated partner through impact, upstream, downstream or supplyPath', async () => {
    // Four tiers up from the customer: outside every link the network shares with it (its own, and one
    // tier beyond each). Kaohsiung, which supplies the customer's supplier, is inside: the network shows it.
    const [boke] = (await partnerIds(admin, 'Boké')) as [string];
    const attacker = await apiKeyFor(stack, admin, atlantico);
    const probes = [
      `{ impact(partnerId: "${boke}") { source { id name country roles status identifiers { value } } } }`,
      `{ upstream(of: "${boke}", depth: 1) { nodes { supplier { name country } customer { name } } } }`,
      `{ downstream(of: "${boke}", depth: 1) { nodes { supplier { name } customer { name country } } } }`,
      `{ supplyPath(from: "${boke}", to: "${atlantico}") { length } }`,
      `{ partners(search: "460000009") { nodes { name } } }`,
      `{ partners(search: "Boké") { nodes { name } } }`,
    ];
    for (const query of probes) {
      const body = await attacker.raw(query);
      const text = JSON.stringify(body);
      expect(text, query).not.toContain('Boké');
      expect(text, query).not.toContain('460000009');
      expect(text, query).not.toContain('"GN"');
    }
    const { body } = await stack.request(
      `{ impact(partnerId: "${boke}") { source { name } } }`,
      {},
      attacker.headers,
    );
    expect(codeOf(body)).toMatch(/NOT_FOUND|FORBIDDEN/);
  });

  it('resolves the counterparty of a link the company declared, for both its parties', async () => {
    await admin.ok(
      `mutation ($input: DeclareSupplyLinkInput!) { declareSupplyLink(input: $input) { tier } }`,
      { input: { supplierId: kaohsiung, customerId: velomarkt, items: ['WHEEL-29'], share: 0.2 } },
    );
    await stack.settled();
    const customer = await asPartner(velomarkt);
    const { upstream } = await customer.ok<{ upstream: { nodes: { supplier: { name: string } }[] } }>(
      `{ upstream(of: "${velomarkt}", depth: 1) { nodes { supplier { name } } } }`,
    );
    expect(upstream.nodes.map((node) => node.supplier.name)).toContain(KAOHSIUNG);
    const { partners } = await customer.ok<{ partners: { nodes: { name: string }[] } }>(
      '{ partners(first: 100) { nodes { name } } }',
    );
    expect(partners.nodes.map((partner) => partner.name)).toContain(KAOHSIUNG);
  });
});

describe('authorization matrix of every Partner field', () => {
  type Outcome = 'OK' | 'EMPTY' | 'FORBIDDEN' | 'NOT_FOUND';
  const FIELDS: Record<string, string> = {
    id: 'id',
    name: 'name',
    country: 'country',
    roles: 'roles',
    identifiers: 'identifiers { scheme value }',
    isSelf: 'isSelf',
    status: 'status',
    contacts: 'contacts { name email }',
    certifications: 'certifications { kind }',
    apiKeys: 'apiKeys { id name createdAt lastUsedAt revokedAt }',
  };
  const WHO = ['admin', 'buyer', 'analyst', 'related', 'unrelated', 'itself', 'its admin'] as const;
  const PUBLIC: Outcome[] = ['OK', 'OK', 'OK', 'OK', 'NOT_FOUND', 'OK', 'OK'];
  const EXPECTED: Record<string, Outcome[]> = {
    id: PUBLIC,
    name: PUBLIC,
    country: PUBLIC,
    roles: PUBLIC,
    identifiers: PUBLIC,
    isSelf: PUBLIC,
    status: ['OK', 'OK', 'OK', 'FORBIDDEN', 'NOT_FOUND', 'OK', 'OK'],
    contacts: ['OK', 'OK', 'OK', 'EMPTY', 'NOT_FOUND', 'OK', 'OK'],
    certifications: ['OK', 'OK', 'OK', 'EMPTY', 'NOT_FOUND', 'OK', 'OK'],
    apiKeys: ['OK', 'FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN', 'NOT_FOUND', 'FORBIDDEN', 'OK'],
  };

  it('gives each principal exactly what its role allows', async () => {
    // Kaohsiung is the partner read; VeloMarkt is related to it by a link the company declared (above).
    await admin.ok(
      `mutation ($input: DeclareSupplyLinkInput!) { declareSupplyLink(input: $input) { tier } }`,
      { input: { supplierId: kaohsiung, customerId: velomarkt, items: ['WHEEL-29'], share: 0.2 } },
    );
    await admin.ok(
      `mutation ($id: ID!) { addPartnerContact(partnerId: $id, input: { name: "Mei Lin", email: "mei@kw.example" }) { id } }`,
      { id: kaohsiung },
    );
    await admin.ok(
      `mutation ($id: ID!) { addCertification(partnerId: $id, input: { kind: "ISO 9001", issuer: "TÜV", validUntil: "2099-01-01" }) { id } }`,
      { id: kaohsiung },
    );
    await admin.ok(`mutation ($id: ID!) { createApiKey(partnerId: $id, name: "ERP") { secret } }`, {
      id: kaohsiung,
    });
    await stack.settled();
    const principals: Record<(typeof WHO)[number], Caller> = {
      admin,
      buyer: caller(stack, await stack.as(['buyer'])),
      analyst: caller(stack, await stack.as(['analyst'])),
      related: await apiKeyFor(stack, admin, velomarkt),
      unrelated: await apiKeyFor(stack, admin, atlantico),
      itself: await asPartner(kaohsiung),
      'its admin': await asPartner(kaohsiung, ['partner', 'admin']),
    };
    const seen: Record<string, Outcome[]> = {};
    for (const [field, selection] of Object.entries(FIELDS)) {
      seen[field] = [];
      for (const who of WHO) {
        const body = await principals[who].raw(`query ($id: ID!) { partner(id: $id) { ${selection} } }`, {
          id: kaohsiung,
        });
        const code = codeOf(body) as Outcome | undefined;
        const value = (body.data?.partner as Record<string, unknown> | null | undefined)?.[field];
        seen[field].push(code ?? (Array.isArray(value) && value.length === 0 ? 'EMPTY' : 'OK'));
        if (code === 'NOT_FOUND') expect(JSON.stringify(body)).not.toContain('Kaohsiung');
      }
    }
    expect(seen).toEqual(EXPECTED);
  });
});
