import { createClient, type Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startGateway } from '../gateway/gateway.ts';
import { DEFAULT_LIMITS, type LimitsConfig } from '../gateway/limits.ts';
import type { RunningService } from '../platform/server/http.ts';
import { SUBGRAPHS, type SubgraphName } from '../platform/subgraphs.ts';
import { apiKeyFor, caller, partnerIds, type Caller } from './support/orders.ts';
import {
  bootStack,
  INTERNAL_SECRET,
  JWT_SECRET,
  type GraphQLResponse,
  type TestStack,
} from './support/stack.ts';

/**
 * The gateway's limits, tried as a hostile partner (or a careless analyst) would: every operation over
 * a limit is refused before it runs, with a code naming the limit, its value and the maximum.
 */

let stack: TestStack;
let admin: Caller;
let analyst: Caller;
/** A partner system, with its API key. */
let norte: Caller;
let norteId: string;

beforeAll(async () => {
  stack = await bootStack({ seedDemo: true });
  admin = caller(stack, await stack.as(['admin']));
  analyst = caller(stack, await stack.as(['analyst']));
  [norteId] = (await partnerIds(admin, 'Norte')) as [string];
  norte = await apiKeyFor(stack, admin, norteId);
});
afterAll(async () => {
  await stack?.close();
});

type Extensions = { code?: string; limit?: string; value?: number; max?: number };
const request = (who: Caller, query: string, variables: Record<string, unknown> = {}) =>
  stack.request(query, variables, who.headers);
const errorOf = (body: GraphQLResponse) => body.errors?.[0] as { message: string; extensions?: Extensions };

const deepSuppliers = 'self { suppliers(depth: 10) { supplier { name tier } } }';
const aliases = (count: number, selection: string) =>
  `{ ${Array.from({ length: count }, (_, i) => `a${i}: ${selection}`).join(' ')} }`;

/** A gateway of its own in front of the test stack's subgraphs, with the given limits. */
async function gatewayWith(limits: LimitsConfig): Promise<RunningService> {
  return startGateway({
    subgraphUrls: Object.fromEntries(SUBGRAPHS.map((name) => [name, stack.subgraphs[name].url])) as Record<
      SubgraphName,
      string
    >,
    jwt: { secret: JWT_SECRET, jwksUrl: undefined, issuer: undefined, audience: undefined },
    internalSecret: INTERNAL_SECRET,
    port: 0,
    limits,
  });
}

describe('operation limits over HTTP', () => {
  it('refuses 300 aliases of a 10-tier supplier walk from a partner, naming the limit', async () => {
    const { status, body } = await stack.request(aliases(300, deepSuppliers), {}, norte.headers);
    expect(status).toBe(400);
    expect(body.data).toBeUndefined();
    expect(errorOf(body).extensions).toMatchObject({
      code: 'QUERY_TOO_COMPLEX',
      limit: 'aliases',
      value: 300,
      max: DEFAULT_LIMITS.partner.operation.aliases,
    });
  });

  it('refuses by estimated cost what stays under the alias limit: 25 walks of 10 tiers', async () => {
    const { status, body } = await stack.request(aliases(25, deepSuppliers), {}, norte.headers);
    expect(status).toBe(400);
    expect(errorOf(body).extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', limit: 'cost' });
    expect(errorOf(body).extensions!.value).toBeGreaterThan(DEFAULT_LIMITS.partner.operation.cost);
    // A few walks are within the partner's budget and run.
    const few = await stack.request(aliases(3, deepSuppliers), {}, norte.headers);
    expect(few.status).toBe(200);
    expect(few.body.errors).toBeUndefined();
  });

  it('counts `depth` arguments given in variables', async () => {
    const query = `query ($d: Int) { ${Array.from({ length: 25 }, (_, i) => `a${i}: self { suppliers(depth: $d) { supplier { name } } }`).join(' ')} }`;
    const shallow = await stack.request(query, { d: 1 }, norte.headers);
    expect(shallow.body.errors).toBeUndefined();
    const deep = await stack.request(query, { d: 10 }, norte.headers);
    expect(errorOf(deep.body).extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', limit: 'cost' });
  });

  it('refuses 1,000 aliases of risk from an analyst: staff limits are higher, not absent', async () => {
    const risks = `{ self { ${Array.from({ length: 1_000 }, (_, i) => `r${i}: risk { score }`).join(' ')} } }`;
    const { status, body } = await request(analyst, risks);
    expect(status).toBe(400);
    expect(errorOf(body).extensions).toMatchObject({
      code: 'QUERY_TOO_COMPLEX',
      limit: 'aliases',
      value: 1_000,
      max: DEFAULT_LIMITS.staff.operation.aliases,
    });
    // No aliases, beyond the analyst's estimated cost: a page of partners each walking ten tiers.
    const page = await request(
      analyst,
      '{ partners(first: 200) { nodes { name suppliers(depth: 10) { supplier { name } } } } }',
    );
    expect(page.status).toBe(400);
    expect(errorOf(page.body).extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', limit: 'cost' });
    // The risk of 200 partners in one page is one batched walk, priced as such, and runs.
    const scored = await request(analyst, '{ partners(first: 200) { nodes { name risk { score } } } }');
    expect(scored.status).toBe(200);
    expect(scored.body.errors).toBeUndefined();
  });

  it('gives staff more than partners: 60 aliases run for an admin and are refused for a partner', async () => {
    const query = aliases(60, 'self { name }');
    const staff = await request(admin, query);
    expect(staff.body.errors).toBeUndefined();
    const partner = await stack.request(query, {}, norte.headers);
    expect(errorOf(partner.body).extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', limit: 'aliases' });
  });

  it('answers 700-deep nesting with 400 and a code, and 20,000-deep too, instead of overflowing', async () => {
    for (const levels of [700, 20_000]) {
      const query = `{ self { ${'suppliers { supplier { '.repeat(levels)}name${' } }'.repeat(levels)} } }`;
      const { status, body } = await stack.request(query, {}, await stack.as(['admin']));
      expect(status).toBe(400);
      expect(errorOf(body).extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', limit: 'depth' });
    }
  });

  it('refuses nesting beyond a partner depth that staff may reach', async () => {
    // Pages of one: deep but cheap.
    const query = `{ self { ${'orders(first: 1) { nodes { buyer { '.repeat(5)}name${' } } }'.repeat(5)} } }`;
    const partner = await stack.request(query, {}, norte.headers);
    expect(errorOf(partner.body).extensions).toMatchObject({
      code: 'QUERY_TOO_COMPLEX',
      limit: 'depth',
      value: 17,
      max: DEFAULT_LIMITS.partner.operation.depth,
    });
    const staff = await request(admin, query);
    expect(staff.body.errors).toBeUndefined();
  });

  it('refuses a document of too many tokens before parsing it', async () => {
    const tokens = await stack.request(`{ self { ${'name '.repeat(12_000)} } }`, {}, norte.headers);
    expect(tokens.status).toBe(400);
    expect(errorOf(tokens.body).extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', limit: 'tokens' });
  });

  it('lets the queries of the README and the explorer through under the default limits', async () => {
    const readme = `{ self { name tier orders(first: 3) { nodes { number status seller { name tier } lines { item { name available } quantity } invoices { number balance { amount currency } overdue } } } openBalance { receivable { amount currency } } suppliers(depth: 3) { tier supplier { name country } items { sku } } } }`;
    const { body } = await request(admin, readme);
    expect(body.errors).toBeUndefined();
    const explorer = await request(
      norte,
      '{ upstream(depth: 10, first: 500) { nodes { tier supplier { id name } customer { id name } items { sku } } } }',
    );
    expect(explorer.body.errors).toBeUndefined();
  });
});

describe('limits over graphql-ws', () => {
  function connect(headers: Record<string, string>, url = stack.gateway.url): Client {
    return createClient({
      url: url.replace('http:', 'ws:'),
      webSocketImpl: WebSocket,
      connectionParams: headers,
      retryAttempts: 0,
    });
  }

  /** The first result or error of one operation. */
  function once(client: Client, query: string): Promise<{ data?: unknown; errors?: readonly unknown[] }> {
    return new Promise((resolve) => {
      const stop = client.subscribe(
        { query },
        {
          next: (result) => {
            stop();
            resolve(result);
          },
          error: (error) => resolve({ errors: Array.isArray(error) ? error : [error] }),
          complete: () => undefined,
        },
      );
    });
  }

  it('refuses an operation over a limit with an error for it; the connection goes on', async () => {
    const client = connect(norte.headers);
    const refused = await once(client, aliases(300, deepSuppliers));
    expect(refused.errors?.[0]).toMatchObject({
      extensions: { code: 'QUERY_TOO_COMPLEX', limit: 'aliases' },
    });
    const deep = await once(
      client,
      `{ self { ${'suppliers { supplier { '.repeat(5_000)}name${' } }'.repeat(5_000)} } }`,
    );
    expect(deep.errors?.[0]).toMatchObject({ extensions: { code: 'QUERY_TOO_COMPLEX', limit: 'depth' } });
    const fine = await once(client, '{ self { name } }');
    expect(fine.data).toEqual({ self: { name: 'Cordillera Cycles S.L.' } });
    await client.dispose();
  });

  it('accepts subscriptions on one connection up to the limit and refuses the rest (301 tried)', async () => {
    const client = connect(norte.headers);
    const max = DEFAULT_LIMITS.partner.rate.subscriptionsPerConnection;
    const refusals: unknown[] = [];
    const stops: (() => void)[] = [];
    for (let i = 0; i < 301; i += 1) {
      stops.push(
        client.subscribe(
          { query: `subscription { orderEvents { cursor type } }` },
          {
            next: () => undefined,
            error: (error) => refusals.push(Array.isArray(error) ? error[0] : error),
            complete: () => undefined,
          },
        ),
      );
    }
    const deadline = Date.now() + 30_000;
    while (refusals.length < 301 - max && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(refusals).toHaveLength(301 - max);
    expect(refusals[0]).toMatchObject({
      extensions: { code: 'RATE_LIMITED', limit: 'subscriptionsPerConnection', max },
    });
    // Ending some frees their places.
    for (const stop of stops.slice(0, 5)) stop();
    const again = await new Promise<unknown>((resolve) => {
      client.subscribe(
        { query: `subscription { orderEvents { cursor } }` },
        { next: () => undefined, error: resolve, complete: () => undefined },
      );
      setTimeout(() => resolve('open'), 1_000);
    });
    expect(again).toBe('open');
    await client.dispose();
  });

  it('closes an unauthenticated 8 MiB connection_init unread (1009), a small bad one with 4403', async () => {
    const closeCode = (message: string) =>
      new Promise<number>((resolve) => {
        const socket = new WebSocket(stack.gateway.url.replace('http:', 'ws:'), 'graphql-transport-ws');
        socket.on('open', () => socket.send(message));
        socket.on('close', (code) => resolve(code));
        socket.on('error', () => undefined);
      });
    const huge = JSON.stringify({ type: 'connection_init', payload: { junk: 'x'.repeat(8 * 1024 * 1024) } });
    expect(await closeCode(huge)).toBe(1009);
    expect(
      await closeCode(JSON.stringify({ type: 'connection_init', payload: { 'x-api-key': 'snk_nope' } })),
    ).toBe(4403);
  });
});

describe('configured limits: rate, concurrency, subscriptions per partner, introspection', () => {
  let gateway: RunningService;
  const limits: LimitsConfig = {
    ...DEFAULT_LIMITS,
    partner: {
      operation: DEFAULT_LIMITS.partner.operation,
      rate: { perMinute: 1, burst: 5, concurrent: 1, subscriptionsPerConnection: 3, subscriptions: 4 },
    },
    staff: {
      operation: DEFAULT_LIMITS.staff.operation,
      rate: { ...DEFAULT_LIMITS.staff.rate, concurrent: 1 },
    },
    partnerIntrospection: false,
  };
  beforeAll(async () => {
    gateway = await gatewayWith(limits);
  });
  afterAll(async () => {
    await gateway?.close();
  });

  it('answers 429 RATE_LIMITED with Retry-After past a partner’s burst; others are not affected', async () => {
    const statuses: number[] = [];
    let refused: { status: number; retryAfter: string | null; body: GraphQLResponse } | undefined;
    for (let i = 0; i < 7; i += 1) {
      const response = await fetch(gateway.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...norte.headers },
        body: JSON.stringify({ query: '{ self { name } }' }),
      });
      statuses.push(response.status);
      if (response.status === 429)
        refused ??= {
          status: 429,
          retryAfter: response.headers.get('retry-after'),
          body: (await response.json()) as GraphQLResponse,
        };
      else await response.body?.cancel();
    }
    expect(statuses.slice(0, 5)).toEqual([200, 200, 200, 200, 200]);
    expect(statuses.slice(5)).toEqual([429, 429]);
    expect(Number(refused!.retryAfter)).toBeGreaterThan(0);
    expect(errorOf(refused!.body).extensions).toMatchObject({ code: 'RATE_LIMITED', limit: 'rate', max: 1 });
    const other = await fetch(gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(await stack.as(['admin'])) },
      body: JSON.stringify({ query: '{ self { name } }' }),
    });
    expect(other.status).toBe(200);
  });

  it('refuses operations beyond the concurrent ones of a principal', async () => {
    const headers = { 'content-type': 'application/json', ...(await stack.as(['analyst'])) };
    const risky = `{ self { ${Array.from({ length: 20 }, (_, i) => `r${i}: risk { score }`).join(' ')} } }`;
    const responses = await Promise.all(
      Array.from({ length: 8 }, () =>
        fetch(gateway.url, { method: 'POST', headers, body: JSON.stringify({ query: risky }) }).then(
          async (response) => ({ status: response.status, body: (await response.json()) as GraphQLResponse }),
        ),
      ),
    );
    const refused = responses.filter((response) => response.status === 429);
    expect(refused.length).toBeGreaterThan(0);
    expect(responses.some((response) => response.status === 200)).toBe(true);
    expect(errorOf(refused[0]!.body).extensions).toMatchObject({ code: 'RATE_LIMITED', limit: 'concurrent' });
  });

  it('counts a partner’s subscriptions over all its connections', async () => {
    const open = (client: Client, count: number) =>
      Promise.all(
        Array.from(
          { length: count },
          () =>
            new Promise<string>((resolve) => {
              client.subscribe(
                { query: 'subscription { orderEvents { cursor } }' },
                {
                  next: () => undefined,
                  error: (error) =>
                    resolve(
                      String(
                        ((Array.isArray(error) ? error[0] : error) as { extensions?: Extensions }).extensions
                          ?.limit,
                      ),
                    ),
                  complete: () => undefined,
                },
              );
              setTimeout(() => resolve('open'), 1_500);
            }),
        ),
      );
    // Two keys of one partner: the budget is the partner's, whichever key or person spends it.
    const [iberframeId] = (await partnerIds(admin, 'Iberframe')) as [string];
    const keys = [await apiKeyFor(stack, admin, iberframeId), await apiKeyFor(stack, admin, iberframeId)];
    const [first, second] = keys.map((key) =>
      createClient({
        url: gateway.url.replace('http:', 'ws:'),
        webSocketImpl: WebSocket,
        connectionParams: key.headers,
        retryAttempts: 0,
      }),
    ) as [Client, Client];
    expect((await open(first, 4)).sort()).toEqual(['open', 'open', 'open', 'subscriptionsPerConnection']);
    expect((await open(second, 2)).sort()).toEqual(['open', 'subscriptions']);
    await first.dispose();
    await second.dispose();
  });

  it('refuses introspection and hides field suggestions from partners when configured off; staff keep both', async () => {
    const introspect = '{ __schema { queryType { name } } }';
    const [kaohsiungId] = (await partnerIds(admin, 'Kaohsiung')) as [string];
    const partnerHeaders = await stack.as(['partner'], kaohsiungId);
    const post = async (query: string, headers: Record<string, string>) => {
      const response = await fetch(gateway.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ query }),
      });
      return { status: response.status, body: (await response.json()) as GraphQLResponse };
    };
    const partner = await post(introspect, partnerHeaders);
    expect(partner.status).toBe(403);
    expect(errorOf(partner.body).extensions?.code).toBe('FORBIDDEN');
    const staff = await post(introspect, await stack.as(['admin']));
    expect(staff.body.data).toEqual({ __schema: { queryType: { name: 'Query' } } });

    const typo = '{ slef { name } }';
    const hidden = await post(typo, partnerHeaders);
    expect(errorOf(hidden.body).message).not.toMatch(/Did you mean/);
    const shown = await post(typo, await stack.as(['admin']));
    expect(errorOf(shown.body).message).toMatch(/Did you mean "self"/);
    // In development (the default stack), partners may introspect.
    const development = await stack.request(introspect, {}, partnerHeaders);
    expect(development.body.data).toEqual({ __schema: { queryType: { name: 'Query' } } });
  });
});
