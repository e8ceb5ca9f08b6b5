import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../platform/auth/principal.ts';
import { readEvents } from '../platform/events/eventLog.ts';
import { bootStack, countStatements, type GraphQLResponse, type TestStack } from './support/stack.ts';

let stack: TestStack;
/** Demo partners by name. */
let ids: Record<string, string>;

beforeAll(async () => {
  stack = await bootStack({ seedDemo: true });
  const { body } = await stack.request<{ partners: { nodes: { id: string; name: string }[] } }>(
    '{ partners(first: 100) { nodes { id name } } }',
    {},
    await stack.as(['admin']),
  );
  ids = Object.fromEntries(body.data!.partners.nodes.map((partner) => [partner.name, partner.id]));
});
afterAll(async () => {
  await stack?.close();
});

const SELF = 'Cordillera Cycles S.L.';
const IBERFRAME = 'Iberframe Componentes Lda.';
const KAOHSIUNG = 'Kaohsiung Wheel Co., Ltd.';
const CANTABRICO = 'Aluminios del Cantábrico S.A.';
const VELOMARKT = 'VeloMarkt Handels GmbH';

interface Contact {
  id: string;
  name: string;
  email: string | null;
  phone: string | null;
  function: string | null;
}

interface Certification {
  id: string;
  kind: string;
  issuer: string;
  validUntil: string;
  valid: boolean;
}

const ADD_CONTACT = `mutation ($partnerId: ID!, $input: PartnerContactInput!) {
  addPartnerContact(partnerId: $partnerId, input: $input) { id name email phone function } }`;
const REMOVE_CONTACT = 'mutation ($id: ID!) { removePartnerContact(id: $id) }';
const ADD_CERTIFICATION = `mutation ($partnerId: ID!, $input: CertificationInput!) {
  addCertification(partnerId: $partnerId, input: $input) { id kind issuer validUntil valid } }`;
const REMOVE_CERTIFICATION = 'mutation ($id: ID!) { removeCertification(id: $id) }';
const DETAILS = `query ($id: ID!) { partner(id: $id) {
  contacts { id name email phone function } certifications { id kind issuer validUntil valid } } }`;

const admin = () => stack.as(['admin']);
const codeOf = (body: GraphQLResponse) => body.errors?.[0]?.extensions?.code;

async function details(
  partnerName: string,
  headers?: Record<string, string>,
): Promise<{ contacts: Contact[]; certifications: Certification[] } | null> {
  const { body } = await stack.request<{
    partner: { contacts: Contact[]; certifications: Certification[] } | null;
  }>(DETAILS, { id: ids[partnerName] }, headers ?? (await admin()));
  expect(body.errors).toBeUndefined();
  return body.data!.partner;
}

async function addContact(partnerName: string, input: Record<string, unknown>): Promise<Contact> {
  const { body } = await stack.request<{ addPartnerContact: Contact }>(
    ADD_CONTACT,
    { partnerId: ids[partnerName], input },
    await admin(),
  );
  expect(body.errors).toBeUndefined();
  return body.data!.addPartnerContact;
}

async function addCertification(partnerName: string, input: Record<string, unknown>): Promise<Certification> {
  const { body } = await stack.request<{ addCertification: Certification }>(
    ADD_CERTIFICATION,
    { partnerId: ids[partnerName], input },
    await admin(),
  );
  expect(body.errors).toBeUndefined();
  return body.data!.addCertification;
}

describe('partner contacts', () => {
  it('are added, listed by name and removed', async () => {
    const rui = await addContact(IBERFRAME, {
      name: 'Rui Costa',
      phone: '+351 22 000 0000',
      function: 'logistics',
    });
    const ana = await addContact(IBERFRAME, {
      name: '  Ana Sousa ',
      email: 'ana.sousa@iberframe.example',
      function: 'sales',
    });
    expect(ana).toMatchObject({ name: 'Ana Sousa', phone: null, function: 'sales' });

    expect((await details(IBERFRAME))!.contacts).toEqual([ana, rui]);

    const { body } = await stack.request(REMOVE_CONTACT, { id: ana.id }, await admin());
    expect(body).toEqual({ data: { removePartnerContact: true } });
    expect((await details(IBERFRAME))!.contacts).toEqual([rui]);

    const { body: again } = await stack.request(REMOVE_CONTACT, { id: ana.id }, await admin());
    expect(codeOf(again)).toBe('NOT_FOUND');
    await stack.request(REMOVE_CONTACT, { id: rui.id }, await admin());
  });

  it.each([
    ['an empty name', { name: '  ', email: 'someone@example.com' }],
    ['an email without a domain', { name: 'Someone', email: 'someone@example' }],
    ['an email with spaces', { name: 'Someone', email: 'some one@example.com' }],
    ['neither email nor phone', { name: 'Someone', function: 'sales' }],
    ['a blank email and phone', { name: 'Someone', email: ' ', phone: '' }],
  ])('refuse %s with BAD_USER_INPUT and change nothing', async (_label, input) => {
    const before = (await details(KAOHSIUNG))!.contacts;
    const { body } = await stack.request(ADD_CONTACT, { partnerId: ids[KAOHSIUNG], input }, await admin());
    expect(codeOf(body)).toBe('BAD_USER_INPUT');
    expect(body.data ?? null).toBeNull();
    expect((await details(KAOHSIUNG))!.contacts).toEqual(before);
  });

  it('cannot be added to an unknown partner', async () => {
    const { body } = await stack.request(
      ADD_CONTACT,
      { partnerId: 'no-such-partner', input: { name: 'Someone', email: 'someone@example.com' } },
      await admin(),
    );
    expect(codeOf(body)).toBe('NOT_FOUND');
  });

  it('are read by finance and analysts, and by a partner only for itself and us', async () => {
    const own = await addContact(IBERFRAME, { name: 'Marta Lima', email: 'marta@iberframe.example' });
    const ours = await addContact(SELF, { name: 'Laura Gil', email: 'laura@cordillera.example' });
    const theirs = await addContact(CANTABRICO, { name: 'Iker Ruiz', email: 'iker@cantabrico.example' });
    await addCertification(CANTABRICO, { kind: 'ISO 9001', issuer: 'AENOR', validUntil: '2099-01-01' });

    for (const role of ['finance', 'analyst'] as const) {
      const seen = await details(CANTABRICO, await stack.as([role]));
      expect(seen!.contacts).toEqual([theirs]);
    }

    const asIberframe = await stack.as(['partner'], ids[IBERFRAME]);
    expect((await details(IBERFRAME, asIberframe))!.contacts).toEqual([own]);
    expect((await details(SELF, asIberframe))!.contacts).toEqual([ours]);
    // A partner it has no dealings with stays invisible: not found, as if it did not exist
    // (test/directoryAccess.test.ts covers the references other subgraphs resolve).
    await addContact(VELOMARKT, { name: 'Jonas Weber', email: 'jonas@velomarkt.example' });
    const { body } = await stack.request(DETAILS, { id: ids[VELOMARKT] }, asIberframe);
    expect(codeOf(body)).toBe('NOT_FOUND');
    expect(JSON.stringify(body)).not.toContain('Jonas');
    // A counterparty (a confirmed supply link) shows its public fields, never its contacts.
    const counterparty = await details(CANTABRICO, asIberframe);
    expect(counterparty!.contacts).toEqual([]);
    expect(JSON.stringify(counterparty)).not.toContain('Iker');
  });
});

describe('partner certifications', () => {
  it('are added, listed, marked invalid once expired, removed, and logged for the network', async () => {
    const current = await addCertification(KAOHSIUNG, {
      kind: 'ISO 9001',
      issuer: 'TÜV Rheinland',
      validUntil: '2099-12-31',
    });
    const expired = await addCertification(KAOHSIUNG, {
      kind: 'ISO 14001',
      issuer: 'SGS',
      validUntil: '2020-02-29',
    });
    expect(current).toMatchObject({ kind: 'ISO 9001', validUntil: '2099-12-31', valid: true });
    expect(expired).toMatchObject({ kind: 'ISO 14001', validUntil: '2020-02-29', valid: false });
    expect((await details(KAOHSIUNG))!.certifications).toEqual([expired, current]);

    const { body } = await stack.request(REMOVE_CERTIFICATION, { id: expired.id }, await admin());
    expect(body).toEqual({ data: { removeCertification: true } });
    expect((await details(KAOHSIUNG))!.certifications).toEqual([current]);

    const events = await readEvents(stack.db, '0', 1000, {
      types: ['PartnerCertificationAdded', 'PartnerCertificationRemoved'],
      aggregateId: ids[KAOHSIUNG],
    });
    const payload = (certification: Certification) => ({
      partnerId: ids[KAOHSIUNG],
      certificationId: certification.id,
      kind: certification.kind,
      issuer: certification.issuer,
      validUntil: certification.validUntil,
    });
    expect(events.map((event) => [event.type, event.payload])).toEqual([
      ['PartnerCertificationAdded', payload(current)],
      ['PartnerCertificationAdded', payload(expired)],
      ['PartnerCertificationRemoved', payload(expired)],
    ]);
    await stack.request(REMOVE_CERTIFICATION, { id: current.id }, await admin());
  });

  it('a certification valid until today is still valid', async () => {
    const today = new Date().toISOString().slice(0, 10);
    const certification = await addCertification(KAOHSIUNG, {
      kind: 'IATF 16949',
      issuer: 'DEKRA',
      validUntil: today,
    });
    expect(certification.valid).toBe(true);
    await stack.request(REMOVE_CERTIFICATION, { id: certification.id }, await admin());
  });

  it.each([
    ['an empty kind', { kind: ' ', issuer: 'SGS', validUntil: '2030-01-01' }],
    ['an empty issuer', { kind: 'ISO 9001', issuer: '', validUntil: '2030-01-01' }],
    ['a day that does not exist', { kind: 'ISO 9001', issuer: 'SGS', validUntil: '2030-02-30' }],
    ['a non-ISO date', { kind: 'ISO 9001', issuer: 'SGS', validUntil: '31/12/2030' }],
    [
      'a timestamp instead of a date',
      { kind: 'ISO 9001', issuer: 'SGS', validUntil: '2030-12-31T00:00:00Z' },
    ],
  ])('refuse %s with BAD_USER_INPUT and change nothing', async (_label, input) => {
    const eventsBefore = await readEvents(stack.db, '0', 1000, { types: ['PartnerCertificationAdded'] });
    const before = (await details(KAOHSIUNG))!.certifications;
    const { body } = await stack.request(
      ADD_CERTIFICATION,
      { partnerId: ids[KAOHSIUNG], input },
      await admin(),
    );
    expect(codeOf(body)).toBe('BAD_USER_INPUT');
    expect((await details(KAOHSIUNG))!.certifications).toEqual(before);
    expect(await readEvents(stack.db, '0', 1000, { types: ['PartnerCertificationAdded'] })).toEqual(
      eventsBefore,
    );
  });

  it('cannot be added to an unknown partner, nor removed when unknown', async () => {
    const { body } = await stack.request(
      ADD_CERTIFICATION,
      { partnerId: 'no-such-partner', input: { kind: 'ISO 9001', issuer: 'SGS', validUntil: '2030-01-01' } },
      await admin(),
    );
    expect(codeOf(body)).toBe('NOT_FOUND');
    const { body: removed } = await stack.request(REMOVE_CERTIFICATION, { id: 'no-such-id' }, await admin());
    expect(codeOf(removed)).toBe('NOT_FOUND');
  });
});

describe('who may manage contacts and certifications', () => {
  type Operation = 'addContact' | 'removeContact' | 'addCertification' | 'removeCertification';
  type Actor = [label: string, roles: Role[], target: string, partner?: string];

  // Partner principals act for Iberframe; the staff act on another partner to show they are not limited.
  const actors: [Actor, boolean][] = [
    [['admin', ['admin'], KAOHSIUNG], true],
    [['buyer', ['buyer'], KAOHSIUNG], true],
    [['sales', ['sales'], KAOHSIUNG], true],
    [['finance', ['finance'], KAOHSIUNG], false],
    [['analyst', ['analyst'], KAOHSIUNG], false],
    [['partner on its own partner', ['partner'], IBERFRAME, IBERFRAME], true],
    [['partner on another partner', ['partner'], KAOHSIUNG, IBERFRAME], false],
  ];
  const operations: Operation[] = ['addContact', 'removeContact', 'addCertification', 'removeCertification'];
  const cases = actors.flatMap(([actor, allowed]) =>
    operations.map((operation) => [actor[0], operation, allowed ? 'allowed' : 'FORBIDDEN', actor] as const),
  );

  const count = async (target: string, operation: Operation) => {
    const seen = (await details(target))!;
    return operation.endsWith('Contact') ? seen.contacts.length : seen.certifications.length;
  };

  /** Sends the operation as the actor; a removal first has the admin create what it removes. */
  async function perform(operation: Operation, target: string, headers: Record<string, string>) {
    const partnerId = ids[target];
    switch (operation) {
      case 'addContact':
        return stack.request(
          ADD_CONTACT,
          { partnerId, input: { name: 'Eva', email: 'eva@example.com' } },
          headers,
        );
      case 'addCertification':
        return stack.request(
          ADD_CERTIFICATION,
          { partnerId, input: { kind: 'ISO 45001', issuer: 'BSI', validUntil: '2031-06-30' } },
          headers,
        );
      case 'removeContact': {
        const { id } = await addContact(target, { name: 'Eva', email: 'eva@example.com' });
        return stack.request(REMOVE_CONTACT, { id }, headers);
      }
      case 'removeCertification': {
        const { id } = await addCertification(target, {
          kind: 'ISO 45001',
          issuer: 'BSI',
          validUntil: '2031-06-30',
        });
        return stack.request(REMOVE_CERTIFICATION, { id }, headers);
      }
    }
  }

  it.each(cases)('%s: %s is %s', async (_label, operation, expected, [, roles, target, partner]) => {
    const headers = await stack.as(roles, partner ? ids[partner] : undefined);
    const before = await count(target, operation);
    const { body } = await perform(operation, target, headers);
    const after = await count(target, operation);
    if (expected === 'allowed') {
      expect(body.errors).toBeUndefined();
      expect(after - before).toBe(operation.startsWith('add') ? 1 : 0);
    } else {
      expect(codeOf(body)).toBe('FORBIDDEN');
      // A refused addition adds nothing; a refused removal leaves what the admin created.
      expect(after - before).toBe(operation.startsWith('add') ? 0 : 1);
    }
  });
});

describe('loading contacts and certifications for a page of partners', () => {
  beforeAll(async () => {
    for (const name of [IBERFRAME, KAOHSIUNG, SELF]) {
      await addContact(name, { name: 'Pat Doe', phone: '+34 900 000 000', function: 'accounts payable' });
      await addCertification(name, { kind: 'ISO 9001', issuer: 'AENOR', validUntil: '2030-01-01' });
    }
    // The event log's consumers query after every write; let them finish before counting.
    await stack.settled();
  });

  // A page of one is the company itself, whose contacts and certifications every principal reads.
  const query = `query ($first: Int, $search: String) { partners(first: $first, search: $search) {
    nodes { name contacts { name } certifications { kind } } } }`;

  /** Reads of the partners subgraph's own tables: the event log's background readers are not the request's. */
  const statementsFor = (first: number, headers: Record<string, string>) =>
    countStatements(
      stack,
      async () => {
        const { body } = await stack.request<{
          partners: { nodes: { contacts: unknown[]; certifications: unknown[] }[] };
        }>(query, { first, search: first === 1 ? 'Cordillera' : null }, headers);
        expect(body.errors).toBeUndefined();
        const nodes = body.data!.partners.nodes;
        expect(nodes.length).toBeLessThanOrEqual(first);
        // A page of many reads the contacts and certifications of several partners at once.
        if (first > 1)
          expect(nodes.filter((node) => node.certifications.length > 0).length).toBeGreaterThan(1);
      },
      { matching: /\bpartners\./ },
    );

  it.each([
    // The page, then one statement for all contacts and one for all certifications.
    ['an admin', ['admin'] as Role[], undefined, 3],
    // Looking up which partners it may see costs a partner principal one more, once per request.
    ['a partner', ['partner'] as Role[], IBERFRAME, 4],
  ])(
    'costs %s the same number of SQL statements for 1 partner as for 50',
    async (_label, roles, partner, most) => {
      const headers = await stack.as(roles, partner ? ids[partner] : undefined);
      const forMany = await statementsFor(50, headers);
      expect(forMany).toBe(await statementsFor(1, headers));
      expect(forMany).toBeLessThanOrEqual(most);
    },
  );
});

describe('text inputs (finding 8)', () => {
  const REGISTER = `mutation ($input: RegisterPartnerInput!) { registerPartner(input: $input) { id name } }`;
  const registration = (name: string, duns: string) => ({
    input: { name, country: 'DE', roles: ['SUPPLIER'], identifiers: [{ scheme: 'DUNS', value: duns }] },
  });
  const count = async () =>
    (
      await stack.request<{ partners: { nodes: unknown[] } }>(
        '{ partners(first: 500) { nodes { id } } }',
        {},
        await admin(),
      )
    ).body.data!.partners.nodes.length;

  it.each([
    ['a 100,000-character name', 'A'.repeat(100_000)],
    ['a name of 201 characters', 'B'.repeat(201)],
    ['zero-width characters', 'Acme\u200BSteel'],
    ['a zero-width joiner', 'Acme\u200DSteel'],
    ['a terminal escape', 'Acme \u001b[2J\u001b[31mSteel'],
    ['a right-to-left override', 'Acme \u202Eexe.lairav'],
    ['a bidi isolate', 'Acme \u2066Steel\u2069'],
    ['a NUL character', 'Acme\u0000Steel'],
    ['a line break', 'Acme\nSteel'],
  ])(
    "a partner's registration with %s is BAD_USER_INPUT naming the field, and creates nothing",
    async (_l, name) => {
      const attacker = await stack.as(['partner'], ids[IBERFRAME]);
      const before = await count();
      const { body } = await stack.request(REGISTER, registration(name, '469000001'), attacker);
      expect(codeOf(body)).toBe('BAD_USER_INPUT');
      expect(body.errors?.[0]?.extensions).toMatchObject({ field: 'name' });
      expect(body.data ?? null).toBeNull();
      expect(await count()).toBe(before);
    },
  );

  it('names are stored in NFC, and 200 characters are accepted', async () => {
    const partner = await stack.as(['partner'], ids[IBERFRAME]);
    const { body } = await stack.request<{ registerPartner: { name: string } }>(
      REGISTER,
      registration('Cafe\u0301 Componentes S.L.', '469000002'),
      partner,
    );
    expect(body.data!.registerPartner.name).toBe('Caf\u00e9 Componentes S.L.');
    const long = `${'Ä'.repeat(199)}x`;
    const { body: longest } = await stack.request<{ registerPartner: { name: string } }>(
      REGISTER,
      registration(long, '469000003'),
      partner,
    );
    expect(longest.data!.registerPartner.name).toBe(long);
  });

  it('a 200,000-character contact name, and escapes in certifications, are refused', async () => {
    const own = await stack.as(['partner'], ids[IBERFRAME]);
    const before = (await details(IBERFRAME))!;
    const contact = await stack.request(
      ADD_CONTACT,
      { partnerId: ids[IBERFRAME], input: { name: 'C'.repeat(200_000), email: 'c@iberframe.example' } },
      own,
    );
    expect(codeOf(contact.body)).toBe('BAD_USER_INPUT');
    expect(contact.body.errors?.[0]?.extensions).toMatchObject({ field: 'name' });
    const certification = await stack.request(
      ADD_CERTIFICATION,
      {
        partnerId: ids[IBERFRAME],
        input: { kind: 'ISO 9001', issuer: 'TÜV\u001b]0;owned\u0007', validUntil: '2099-01-01' },
      },
      own,
    );
    expect(codeOf(certification.body)).toBe('BAD_USER_INPUT');
    expect(certification.body.errors?.[0]?.extensions).toMatchObject({ field: 'issuer' });
    expect(await details(IBERFRAME)).toEqual(before);
  });

  it('staff renaming a partner with a right-to-left override is refused and changes nothing', async () => {
    const { body } = await stack.request(
      'mutation ($id: ID!, $name: String!) { updatePartner(id: $id, input: { name: $name }) { name } }',
      { id: ids[KAOHSIUNG], name: 'Kaohsiung \u202EdtL ,.oC' },
      await admin(),
    );
    expect(codeOf(body)).toBe('BAD_USER_INPUT');
    const { body: after } = await stack.request<{ partner: { name: string } }>(
      'query ($id: ID!) { partner(id: $id) { name } }',
      { id: ids[KAOHSIUNG] },
      await admin(),
    );
    expect(after.data!.partner.name).toBe(KAOHSIUNG);
  });
});
