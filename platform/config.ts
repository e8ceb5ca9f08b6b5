import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { envFlag } from './env.ts';
import { neo4jFromEnvironment } from './neo4j/connect.ts';
import { DEFAULT_PORTS, SUBGRAPHS, type SubgraphName } from './subgraphs.ts';

export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Everything the stack reads from the environment; README lists each variable. */
export interface Config {
  host: string;
  gatewayPort: number;
  dataDir: string;
  databaseUrl: string | undefined;
  neo4j: { uri: string; user: string; password: string } | undefined;
  jwt: {
    secret: string | undefined;
    jwksUrl: string | undefined;
    issuer: string | undefined;
    audience: string | undefined;
  };
  internalSecret: string;
  seedDemo: boolean;
}

function port(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0 || value > 65_535)
    throw new Error(`${name} must be a port number, got ${raw}`);
  return value;
}

interface DevSecrets {
  jwtSecret: string;
  internalSecret: string;
}

/**
 * Development secrets are generated once per data folder, so `npm start` and `npm run token` agree
 * without any secret in the repository. Production sets JWT_SECRET (or JWT_JWKS_URL) and INTERNAL_SECRET.
 */
async function devSecrets(dataDir: string): Promise<DevSecrets> {
  const file = path.join(dataDir, 'dev-secrets.json');
  if (existsSync(file)) return JSON.parse(await readFile(file, 'utf8')) as DevSecrets;
  const secrets = {
    jwtSecret: randomBytes(32).toString('base64url'),
    internalSecret: randomBytes(32).toString('base64url'),
  };
  await mkdir(dataDir, { recursive: true });
  await writeFile(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  return secrets;
}

export async function loadConfig(): Promise<Config> {
  const env = process.env;
  const dataDir = path.resolve(env.DATA_DIR ?? path.join(PROJECT_ROOT, '.data'));
  const needsDevSecrets = !env.INTERNAL_SECRET || (!env.JWT_SECRET && !env.JWT_JWKS_URL);
  const dev = needsDevSecrets ? await devSecrets(dataDir) : undefined;
  return {
    host: env.HOST ?? '127.0.0.1',
    gatewayPort: port('PORT', 4000),
    dataDir,
    databaseUrl: env.DATABASE_URL || undefined,
    neo4j: neo4jFromEnvironment(env),
    jwt: {
      secret: env.JWT_SECRET ?? (env.JWT_JWKS_URL ? undefined : dev?.jwtSecret),
      jwksUrl: env.JWT_JWKS_URL || undefined,
      issuer: env.JWT_ISSUER || undefined,
      audience: env.JWT_AUDIENCE || undefined,
    },
    internalSecret: env.INTERNAL_SECRET ?? dev!.internalSecret,
    seedDemo: envFlag('SEED_DEMO', true),
  };
}

/** Where subgraph `name` listens: `<NAME>_PORT`, else its default port. */
export function subgraphPort(name: SubgraphName): number {
  return port(`${name.toUpperCase()}_PORT`, DEFAULT_PORTS[name]);
}

/** Where every subgraph answers, for a process that runs apart from them: `<NAME>_URL`, else host and port. */
export function subgraphUrlsFromEnvironment(host: string): Record<SubgraphName, string> {
  return Object.fromEntries(
    SUBGRAPHS.map((name) => [
      name,
      process.env[`${name.toUpperCase()}_URL`] ?? `http://${host}:${subgraphPort(name)}/graphql`,
    ]),
  ) as Record<SubgraphName, string>;
}
