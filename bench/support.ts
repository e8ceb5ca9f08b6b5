import path from 'node:path';
import { openNeo4jDriver, startStack, type Stack } from '../app/stack.ts';
import { PROJECT_ROOT } from '../platform/config.ts';
import { clearNetwork } from '../subgraphs/network/store.ts';
import { neo4jFromEnvironment, useNeo4j, type Neo4jHandle } from '../platform/neo4j/connect.ts';
import { percentile } from './percentile.ts';

/** The Neo4j in NEO4J_URI, or an embedded one under .data/bench-neo4j; emptied, since every run seeds anew. */
export async function benchNeo4j(): Promise<Neo4jHandle> {
  const neo4j = await useNeo4j(neo4jFromEnvironment(), path.join(PROJECT_ROOT, '.data', 'bench-neo4j'));
  const driver = await openNeo4jDriver(neo4j.connection);
  await clearNetwork(driver).finally(() => driver.close());
  return neo4j;
}

/** Fixed secrets: a benchmark's tokens and signatures need not be secret, only consistent. */
export const BENCH_SECRETS = {
  jwt: 'bench-jwt-secret-0123456789abcdef',
  internal: 'bench-internal-secret-0123456789',
};

/**
 * The whole stack for a benchmark: PGlite in memory unless DATABASE_URL is set (or `databaseUrl` given),
 * the bench Neo4j (or `neo4j`, which the caller then stops), the demo data when asked. `stopAll` stops
 * what it started.
 */
export async function benchStack(options: {
  seedDemo: boolean;
  /** Overrides DATABASE_URL; null runs PGlite whatever DATABASE_URL says. */
  databaseUrl?: string | null;
  neo4j?: Neo4jHandle;
  /** The gateway in a worker thread of its own, as `npm start` runs it. */
  gatewayThread?: boolean;
}): Promise<Stack & { stopAll(): Promise<void> }> {
  const neo4j = options.neo4j ?? (await benchNeo4j());
  const databaseUrl =
    options.databaseUrl === undefined
      ? process.env.DATABASE_URL || undefined
      : (options.databaseUrl ?? undefined);
  const stack = await startStack({
    databaseUrl,
    neo4j: neo4j.connection,
    jwt: { secret: BENCH_SECRETS.jwt, jwksUrl: undefined, issuer: undefined, audience: undefined },
    internalSecret: BENCH_SECRETS.internal,
    gatewayPort: 0,
    seedDemo: options.seedDemo,
    gatewayThread: options.gatewayThread,
  });
  return {
    ...stack,
    async stopAll() {
      await stack.stop();
      if (!options.neo4j) await neo4j.stop();
    },
  };
}

export interface LoadResult {
  label: string;
  requests: number;
  errors: number;
  seconds: number;
  p50: number;
  p99: number;
  /** Every request's latency, sorted: to combine runs of the same case. */
  latencies?: number[];
}

/** Sends `send` from `concurrency` loops for `seconds`, after a warm-up; latencies in milliseconds. */
export async function measure(
  label: string,
  send: () => Promise<boolean>,
  concurrency: number,
  seconds: number,
): Promise<LoadResult> {
  const warmUntil = Date.now() + 1_000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < warmUntil) await send();
    }),
  );
  const latencies: number[] = [];
  let errors = 0;
  const started = performance.now();
  const until = started + seconds * 1_000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < until) {
        const t0 = performance.now();
        const ok = await send();
        latencies.push(performance.now() - t0);
        if (!ok) errors += 1;
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1_000;
  return summarise(label, latencies, errors, elapsed);
}

function summarise(label: string, latencies: number[], errors: number, seconds: number): LoadResult {
  latencies.sort((a, b) => a - b);
  const at = (q: number) => percentile(latencies, q) ?? NaN;
  return { label, requests: latencies.length, errors, seconds, p50: at(0.5), p99: at(0.99), latencies };
}

/** Runs of one case as one: requests over their total time, percentiles over all their latencies. */
export function combine(runs: LoadResult[]): LoadResult {
  return summarise(
    runs[0]!.label,
    runs.flatMap((run) => run.latencies ?? []),
    runs.reduce((sum, run) => sum + run.errors, 0),
    runs.reduce((sum, run) => sum + run.seconds, 0),
  );
}

export function printResults(results: LoadResult[]): void {
  console.log(
    `\n${'case'.padEnd(44)} ${'req/s'.padStart(8)} ${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)} ${'errors'.padStart(7)}`,
  );
  for (const r of results) {
    console.log(
      `${r.label.padEnd(44)} ${(r.requests / r.seconds).toFixed(0).padStart(8)} ${r.p50.toFixed(2).padStart(8)} ${r.p99.toFixed(2).padStart(8)} ${String(r.errors).padStart(7)}`,
    );
  }
}
