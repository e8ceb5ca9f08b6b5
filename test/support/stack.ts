import { inject } from 'vitest';
import { startStack, openNeo4jDriver, type Stack } from '../../app/stack.ts';
import { signDevToken } from '../../gateway/auth.ts';
import type { Role } from '../../platform/auth/principal.ts';
import { createTestDatabase } from './databases.ts';
import { clearNetwork } from '../../subgraphs/network/store.ts';

export const JWT_SECRET = 'test-jwt-secret-0123456789abcdef';
export const INTERNAL_SECRET = 'test-internal-secret-0123456789';

export interface GraphQLResponse<Data = Record<string, unknown>> {
  data?: Data | null;
  errors?: { message: string; path?: (string | number)[]; extensions?: { code?: string } }[];
}

export interface TestStack extends Stack {
  /** POSTs a GraphQL request to `url` (the gateway by default) with the given headers. */
  request<Data = Record<string, unknown>>(
    query: string,
    variables?: Record<string, unknown>,
    headers?: Record<string, string>,
    url?: string,
  ): Promise<{ status: number; body: GraphQLResponse<Data> }>;
  /** Headers of a person with these roles, acting for `partnerId` when given. */
  as(roles: Role[], partnerId?: string): Promise<Record<string, string>>;
  close(): Promise<void>;
}

/** Clears the shared Neo4j so each test file starts from an empty graph. */
async function clearNeo4j(): Promise<void> {
  const driver = await openNeo4jDriver(inject('neo4j'));
  await clearNetwork(driver).finally(() => driver.close());
}

/** The real stack (real PostgreSQL engine, real Neo4j, real HTTP) on free ports. */
export async function bootStack(options: { seedDemo?: boolean } = {}): Promise<TestStack> {
  await clearNeo4j();
  const database = await createTestDatabase();
  const stack = await startStack({
    databaseUrl: database.url,
    neo4j: inject('neo4j'),
    jwt: { secret: JWT_SECRET, jwksUrl: undefined, issuer: undefined, audience: undefined },
    internalSecret: INTERNAL_SECRET,
    gatewayPort: 0,
    seedDemo: options.seedDemo ?? true,
    devSignIn: true,
  });
  return {
    ...stack,
    async request(query, variables = {}, headers = {}, url = stack.gateway.url) {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ query, variables }),
      });
      return { status: response.status, body: (await response.json()) as GraphQLResponse<never> };
    },
    async as(roles, partnerId) {
      const token = await signDevToken(JWT_SECRET, { subject: `test-${roles.join('-')}`, roles, partnerId });
      return { authorization: `Bearer ${token}` };
    },
    async close() {
      await stack.stop();
      await database.drop();
    },
  };
}

/**
 * SQL statements `work` issues. Event consumers, the inbox, the outbound worker and the dispatcher poll the
 * same database on their own timers, so the count is taken once everything is applied, five times, keeping
 * the fewest: background polls do not land in every run.
 */
export async function countStatements(
  stack: TestStack,
  work: () => Promise<void>,
  options: { matching?: RegExp } = {},
): Promise<number> {
  const once = async () => {
    await stack.settled();
    let counted = 0;
    const stop = stack.db.watchStatements((sql) => {
      if (!options.matching || options.matching.test(sql)) counted += 1;
    });
    try {
      await work();
    } finally {
      stop();
    }
    return counted;
  };
  let fewest = Number.POSITIVE_INFINITY;
  for (let run = 0; run < 5; run += 1) fewest = Math.min(fewest, await once());
  return fewest;
}
