import { SignJWT } from 'jose';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PRINCIPAL_AUDIENCE, PRINCIPAL_HEADER, signPrincipal } from '../platform/auth/principal.ts';
import { SUBGRAPHS } from '../platform/subgraphs.ts';
import { bootStack, INTERNAL_SECRET, JWT_SECRET, type TestStack } from './support/stack.ts';

let stack: TestStack;
beforeAll(async () => {
  stack = await bootStack({ seedDemo: true });
});
afterAll(async () => {
  await stack?.close();
});

const secretOf = (text: string) => new TextEncoder().encode(text);
const ADMIN = { subject: 'tester', roles: ['admin' as const] };

async function expiredSignature(secret: string, audience?: string) {
  const token = new SignJWT({ roles: ['admin'] }).setProtectedHeader({ alg: 'HS256' }).setSubject('tester');
  if (audience) token.setAudience(audience);
  return token
    .setIssuedAt(Math.floor(Date.now() / 1000) - 600)
    .setExpirationTime(Math.floor(Date.now() / 1000) - 300)
    .sign(secretOf(secret));
}

describe('going around the gateway', () => {
  const signatures: [string, () => Promise<Record<string, string>>][] = [
    ['no signature', async () => ({})],
    [
      'a signature made with another secret',
      async () => ({ [PRINCIPAL_HEADER]: await signPrincipal(ADMIN, 'not-the-internal-secret') }),
    ],
    [
      'an expired signature',
      async () => ({ [PRINCIPAL_HEADER]: await expiredSignature(INTERNAL_SECRET, PRINCIPAL_AUDIENCE) }),
    ],
    [
      'a user token instead of a gateway signature',
      async () => ({ [PRINCIPAL_HEADER]: await expiredSignature(JWT_SECRET) }),
    ],
  ];

  it.each(SUBGRAPHS.flatMap((name) => signatures.map(([label, headers]) => [name, label, headers] as const)))(
    '%s refuses a request with %s and returns no data',
    async (name, _label, headers) => {
      const { body } = await stack.request(
        '{ _service { sdl } }',
        {},
        await headers(),
        stack.subgraphs[name].url,
      );
      expect(body.data ?? null).toBeNull();
      expect(body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    },
  );

  it('a subgraph answers the same request when the gateway signed it', async () => {
    const { body } = await stack.request(
      '{ self { name } }',
      {},
      { [PRINCIPAL_HEADER]: await signPrincipal(ADMIN, INTERNAL_SECRET) },
      stack.subgraphs.partners.url,
    );
    expect(body.data).toEqual({ self: { name: 'Cordillera Cycles S.L.' } });
  });

  it('a subgraph refuses a graphql-ws connection without a signed principal', async () => {
    const client = createClient({
      url: stack.subgraphs.partners.url.replace('http', 'ws'),
      webSocketImpl: WebSocket,
      retryAttempts: 0,
      lazy: false,
    });
    const outcome = await new Promise<string>((resolve) => {
      client.on('closed', (event) => resolve(`closed ${(event as { code: number }).code}`));
      client.on('connected', () => resolve('connected'));
    });
    await client.dispose();
    expect(outcome).toBe('closed 4403');
  });
});

describe('authentication at the gateway', () => {
  const badCredentials: [string, () => Promise<Record<string, string>>][] = [
    ['no credentials', async () => ({})],
    ['a malformed Authorization header', async () => ({ authorization: 'Token abc' })],
    ['a token that is not a JWT', async () => ({ authorization: 'Bearer not-a-jwt' })],
    ['an expired token', async () => ({ authorization: `Bearer ${await expiredSignature(JWT_SECRET)}` })],
    [
      'a token signed with another secret',
      async () => ({
        authorization: `Bearer ${await new SignJWT({ roles: ['admin'] }).setProtectedHeader({ alg: 'HS256' }).setSubject('x').setExpirationTime('1h').sign(secretOf('another-secret-0123456789abcdef'))}`,
      }),
    ],
    [
      'a token without a known role',
      async () => ({
        authorization: `Bearer ${await new SignJWT({ roles: ['superuser'] }).setProtectedHeader({ alg: 'HS256' }).setSubject('x').setExpirationTime('1h').sign(secretOf(JWT_SECRET))}`,
      }),
    ],
    ['an unknown API key', async () => ({ 'x-api-key': 'snk_unknown' })],
  ];

  it.each(badCredentials)('%s gets UNAUTHENTICATED and no data', async (_label, headers) => {
    const { status, body } = await stack.request('{ self { name } }', {}, await headers());
    expect(status).toBe(401);
    expect(body.data ?? null).toBeNull();
    expect(body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });
});

describe('partner systems with API keys', () => {
  it('act for their partner only, and stop working the moment the partner is suspended', async () => {
    const admin = await stack.as(['admin']);
    const { body: partners } = await stack.request<{ partners: { nodes: { id: string; name: string }[] } }>(
      '{ partners(search: "Norte") { nodes { id name } } }',
      {},
      admin,
    );
    const norte = partners.data!.partners.nodes[0]!;
    const { body: created } = await stack.request<{
      createApiKey: { secret: string; apiKey: { partner: { name: string } } };
    }>(
      'mutation ($id: ID!) { createApiKey(partnerId: $id, name: "ERP integration") { secret apiKey { partner { name } } } }',
      { id: norte.id },
      admin,
    );
    const secret = created.data!.createApiKey.secret;
    expect(created.data!.createApiKey.apiKey.partner.name).toBe('Norte Drivetrain GmbH');

    const asNorte = { 'x-api-key': secret };
    const { body: seen } = await stack.request<{
      orders: { nodes: { seller: { name: string } }[] };
      partners: { nodes: { name: string }[] };
    }>('{ orders { nodes { seller { name } } } partners { nodes { name } } }', {}, asNorte);
    expect(seen.errors).toBeUndefined();
    expect(seen.data!.orders.nodes).toEqual([{ seller: { name: 'Norte Drivetrain GmbH' } }]);
    // Itself, the company, and its own counterparties (its suppliers in the network); no other customer.
    const names = seen.data!.partners.nodes.map((p) => p.name);
    expect(names).toEqual(expect.arrayContaining(['Cordillera Cycles S.L.', 'Norte Drivetrain GmbH']));
    expect(names).not.toContain('VeloMarkt Handels GmbH');

    const { body: suspended } = await stack.request(
      'mutation ($id: ID!) { updatePartner(id: $id, input: { status: SUSPENDED }) { status } }',
      { id: norte.id },
      admin,
    );
    expect(suspended.data).toEqual({ updatePartner: { status: 'SUSPENDED' } });
    const { status, body: refused } = await stack.request('{ orders { nodes { id } } }', {}, asNorte);
    expect(status).toBe(401);
    expect(refused.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('the internal API-key lookup is not part of the public graph', async () => {
    const { body } = await stack.request(
      '{ apiKeyPrincipal(secret: "x") { partnerId } }',
      {},
      await stack.as(['admin']),
    );
    expect(body.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });
});

describe('graphql-ws at the gateway', () => {
  const connect = (connectionParams: Record<string, string>) =>
    createClient({
      url: stack.gateway.url.replace('http', 'ws'),
      webSocketImpl: WebSocket,
      retryAttempts: 0,
      connectionParams,
    });

  it('authenticates at connection init and runs operations through federated execution', async () => {
    const client = connect(await stack.as(['admin']));
    try {
      const result = await new Promise<unknown>((resolve, reject) => {
        client.subscribe(
          { query: '{ self { name tier orders(first: 1) { nodes { seller { name } } } } }' },
          { next: resolve, error: reject, complete: () => undefined },
        );
      });
      expect(result).toMatchObject({ data: { self: { name: 'Cordillera Cycles S.L.', tier: 0 } } });
    } finally {
      await client.dispose();
    }
  });

  it('refuses a connection without valid credentials', async () => {
    const client = connect({ authorization: 'Bearer not-a-jwt' });
    const outcome = await new Promise<unknown>((resolve) => {
      client.subscribe(
        { query: '{ self { name } }' },
        { next: resolve, error: resolve, complete: () => undefined },
      );
    });
    await client.dispose();
    expect((outcome as { code?: number }).code).toBe(4403);
  });
});
