import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { launchNeo4j } from '../platform/neo4j/launcher.ts';
import { openNeo4jDriver } from '../app/stack.ts';
import { PROJECT_ROOT } from '../platform/config.ts';
import { SUBGRAPHS } from '../platform/subgraphs.ts';
import { freePort } from '../platform/server/freePort.ts';
import { isAlive, waitUntilDead } from '../platform/neo4j/processes.ts';
import { signDevToken } from '../gateway/auth.ts';
import { BENCH_SECRETS } from './support.ts';

/**
 * `npm run bench:start`: cold start of `npm start` (Neo4j provisioned, stores already created by a first,
 * untimed start) beside Neo4j's own start on the same machine and store (to Bolt accepting, and to its first
 * answer, which is what the start of `npm start` is timed to), and how long SIGTERM takes to stop
 * the whole process tree, Neo4j's JVM included. Start is timed from spawn to the first answer through the
 * gateway to a query that needs partners (PostgreSQL) and network (Neo4j).
 */
const { values } = parseArgs({ options: { runs: { type: 'string', default: '3' } } });
const RUNS = Number(values.runs);
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const START_TIMEOUT_MS = 300_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

interface Neo4jRun {
  /** Until Bolt accepts the password: where `launchNeo4j` returns. */
  boltMs: number;
  /** Until the default database answers a first query: the JVM is still loading Cypher's classes before. */
  answerMs: number;
}

async function neo4jOwnStart(dataDir: string): Promise<Neo4jRun> {
  const started = performance.now();
  const neo4j = await launchNeo4j({ dataDir, handleSignals: false, log: () => undefined });
  const boltMs = performance.now() - started;
  const driver = await openNeo4jDriver(neo4j);
  await driver.executeQuery('RETURN 1');
  const answerMs = performance.now() - started;
  await driver.close();
  await neo4j.stop();
  return { boltMs, answerMs };
}

interface AppRun {
  startMs: number;
  stopMs: number;
  /** Processes of the tree still alive after the stop, by pid. */
  leftBehind: number[];
}

async function appStart(dataDir: string): Promise<AppRun> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATA_DIR: dataDir,
    PORT: String(await freePort()),
    JWT_SECRET: BENCH_SECRETS.jwt,
    INTERNAL_SECRET: BENCH_SECRETS.internal,
  };
  // An answer to an authenticated query: the gateway refuses anonymous ones before any subgraph is asked.
  const authorization = `Bearer ${await signDevToken(BENCH_SECRETS.jwt, { subject: 'bench-start', roles: ['analyst'] })}`;
  for (const name of SUBGRAPHS) env[`${name.toUpperCase()}_PORT`] = String(await freePort());
  const started = performance.now();
  const child = spawn(process.execPath, [path.join(PROJECT_ROOT, 'scripts/start.mjs')], {
    cwd: PROJECT_ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const url = `http://127.0.0.1:${env.PORT}/graphql`;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`npm start exited early:\n${output}`);
    if (performance.now() - started > START_TIMEOUT_MS) {
      child.kill('SIGTERM');
      throw new Error(`npm start gave no answer in ${START_TIMEOUT_MS / 1_000} s:\n${output.slice(-2_000)}`);
    }
    const answered = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization },
      body: JSON.stringify({ query: '{ self { id } disruptions { id } }' }),
    })
      .then(async (response) => {
        const body = (await response.json()) as { data?: { disruptions?: unknown }; errors?: unknown };
        return response.ok && !body.errors && Array.isArray(body.data?.disruptions);
      })
      .catch(() => false);
    if (answered) break;
    await sleep(50);
  }
  const startMs = performance.now() - started;

  const neo4jPid = Number(/Neo4j [\d.]+ \(pid (\d+)\)/.exec(output)?.[1]);
  const stopping = performance.now();
  child.kill('SIGTERM');
  await exited;
  if (Number.isFinite(neo4jPid)) await waitUntilDead(neo4jPid, 30_000);
  const stopMs = performance.now() - stopping;
  const leftBehind = [child.pid, neo4jPid].filter(
    (pid): pid is number => pid !== undefined && Number.isFinite(pid) && isAlive(pid),
  );
  return { startMs, stopMs, leftBehind };
}

const root = await mkdtemp(path.join(os.tmpdir(), 'bench-start-'));
try {
  const neo4jHome = path.join(root, 'neo4j-alone');
  console.log('first starts (stores created, not timed)…');
  await neo4jOwnStart(neo4jHome);
  await appStart(path.join(root, 'app'));

  const neo4jRuns: Neo4jRun[] = [];
  const appRuns: AppRun[] = [];
  for (let run = 1; run <= RUNS; run += 1) {
    const neo4j = await neo4jOwnStart(neo4jHome);
    neo4jRuns.push(neo4j);
    appRuns.push(await appStart(path.join(root, 'app')));
    const last = appRuns.at(-1)!;
    console.log(
      `run ${run}: Neo4j alone ${seconds(neo4j.boltMs)} (first answer ${seconds(neo4j.answerMs)}); npm start ${seconds(last.startMs)}; SIGTERM to all stopped ${seconds(last.stopMs)}`,
    );
  }
  const boltP50 = median(neo4jRuns.map((run) => run.boltMs));
  const answerP50 = median(neo4jRuns.map((run) => run.answerMs));
  const startP50 = median(appRuns.map((run) => run.startMs));
  const stopMax = Math.max(...appRuns.map((run) => run.stopMs));
  const left = appRuns.flatMap((run) => run.leftBehind);
  console.log(`
${'measure'.padEnd(48)}${'p50'.padStart(9)}
${"Neo4j's own start, Bolt accepting (baseline)".padEnd(48)}${seconds(boltP50).padStart(9)}
${"Neo4j's own start, first answer (baseline)".padEnd(48)}${seconds(answerP50).padStart(9)}
${'npm start to first GraphQL answer'.padEnd(48)}${seconds(startP50).padStart(9)}
npm start / Neo4j: ×${(startP50 / boltP50).toFixed(2)} over Bolt accepting, ×${(startP50 / answerP50).toFixed(2)} first answer to first answer
SIGTERM to every process stopped: at most ${seconds(stopMax)} over ${RUNS} runs; ${left.length === 0 ? 'none left behind' : `left behind: ${left.join(', ')}`}`);
  if (left.length > 0) process.exitCode = 1;
} finally {
  await rm(root, { recursive: true, force: true });
}
