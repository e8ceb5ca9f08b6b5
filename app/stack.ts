import neo4j, { type Driver } from 'neo4j-driver';
import { openDatabase, type Database } from '../platform/db/database.ts';
import { EventWakeup, lastCommittedCursor, migrateEventLog } from '../platform/events/eventLog.ts';
import type { Runtime } from '../platform/runtime.ts';
import { startSubgraph, type RunningSubgraph } from '../platform/server/subgraph.ts';
import { graphqlUrl, type RunningService } from '../platform/server/http.ts';
import { SUBGRAPHS, type SubgraphName } from '../platform/subgraphs.ts';
import type { JwtSettings } from '../gateway/auth.ts';
import { startGateway, type GatewayOptions } from '../gateway/gateway.ts';
import { startThreadService, type ThreadStart } from '../platform/server/thread.ts';
import type { Neo4jConnection } from '../platform/neo4j/launcher.ts';
import { isEmpty, seedDemo } from './demoData.ts';
import { MODULES } from './modules.ts';

export interface StackOptions {
  /** A PostgreSQL server; otherwise PGlite in `pgliteDir` (in memory when that is absent too). */
  databaseUrl?: string | undefined;
  pgliteDir?: string | undefined;
  /** A promise while Neo4j is still starting: PostgreSQL opens and migrates meanwhile. */
  neo4j: Neo4jConnection | Promise<Neo4jConnection>;
  jwt: JwtSettings;
  internalSecret: string;
  host?: string;
  /** 0 picks a free port. */
  gatewayPort: number;
  subgraphPorts?: Partial<Record<SubgraphName, number>>;
  seedDemo: boolean;
  /** Development sign-in in the web app: only when the JWT secret is a development one. */
  devSignIn?: boolean;
  /**
   * The gateway in a worker thread of its own (`npm start`): it parses, plans and merges on another core
   * than the subgraphs and PGlite, which stay in the main thread. Tests keep it in the main thread.
   */
  gatewayThread?: boolean;
}

export interface Stack {
  gateway: RunningService;
  subgraphs: Record<SubgraphName, RunningSubgraph>;
  db: Database;
  driver: Driver;
  /** What the subgraphs were started with: to start one again (as after a crash) on the same databases. */
  runtime: Runtime;
  /** Resolves once every event consumer has applied everything logged so far. */
  settled(): Promise<void>;
  stop(): Promise<void>;
}

/** The gateway in a worker thread (app/gatewayThread.ts). */
export async function startGatewayThread(
  options: GatewayOptions | Promise<GatewayOptions>,
  start?: ThreadStart,
): Promise<RunningService> {
  const thread = await startThreadService(
    'gateway',
    new URL('./gatewayThread.ts', import.meta.url),
    options,
    start,
  );
  return {
    name: 'gateway',
    url: thread.url,
    port: Number(new URL(thread.url).port),
    heapBytes: () => thread.heapBytes(),
    close: () => thread.close(),
  };
}

export async function openNeo4jDriver(connection: Neo4jConnection): Promise<Driver> {
  const driver = neo4j.driver(connection.uri, neo4j.auth.basic(connection.user, connection.password), {
    disableLosslessIntegers: false,
  });
  await driver.verifyConnectivity();
  return driver;
}

/** The whole federated graph in one process: every subgraph on its own port, and the gateway. */
export async function startStack(options: StackOptions): Promise<Stack> {
  const cleanups: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch((error: unknown) => console.error(error));
  };
  const gatewayOptions = deferred<GatewayOptions>();
  const gatewaySettings = (subgraphUrls: Record<SubgraphName, string>) =>
    gatewayOptions.resolve({
      subgraphUrls,
      jwt: options.jwt,
      internalSecret: options.internalSecret,
      port: options.gatewayPort,
      host: options.host,
      devSignIn: options.devSignIn,
    });
  // Subgraph ports given in advance (`npm start`): the gateway's thread loads the supergraph while the
  // subgraphs and Neo4j start, and takes connections once they all are ready. Otherwise the gateway
  // starts after them (its thread, if it has one, loads its modules meanwhile).
  const knownUrls = subgraphUrlsInAdvance(options);
  if (knownUrls) gatewaySettings(knownUrls);
  const subgraphsServing = deferred<void>();
  const abandonGateway = new AbortController();
  const gatewayStarting = options.gatewayThread
    ? startGatewayThread(gatewayOptions.promise, {
        listenAfter: subgraphsServing.promise,
        abandon: abandonGateway.signal,
      })
    : undefined;
  gatewayStarting?.catch(() => undefined);
  try {
    const db = await openDatabase({ url: options.databaseUrl, dataDir: options.pgliteDir });
    cleanups.push(() => db.close());
    await migrateEventLog(db);
    const wakeup = new EventWakeup(db);
    await wakeup.start();
    cleanups.push(() => wakeup.stop());
    const runtime: Runtime = { db, wakeup, internalSecret: options.internalSecret, subgraphUrls: {} };
    // Neo4j's JVM is the slowest to start: what needs only PostgreSQL is prepared meanwhile.
    const needNeo4j = async (): Promise<Driver> => {
      if (!runtime.neo4j) {
        const driver = await openNeo4jDriver(await options.neo4j);
        cleanups.push(() => driver.close());
        runtime.neo4j = driver;
      }
      return runtime.neo4j;
    };
    const subgraphs = {} as Record<SubgraphName, RunningSubgraph>;
    // Those that need Neo4j come last, so the others serve by the time it is up.
    const order = [
      ...SUBGRAPHS.filter((name) => !MODULES[name].usesNeo4j),
      ...SUBGRAPHS.filter((name) => MODULES[name].usesNeo4j),
    ];
    for (const name of order) {
      if (MODULES[name].usesNeo4j) await needNeo4j();
      await MODULES[name].prepare(runtime);
      subgraphs[name] = await startSubgraph(
        MODULES[name],
        runtime,
        options.subgraphPorts?.[name] ?? 0,
        options.host,
      );
      cleanups.push(() => subgraphs[name].close());
      runtime.subgraphUrls![name] = subgraphs[name].url;
    }
    // The stack hands out a driver whether or not a subgraph needed one.
    const driver = await needNeo4j();
    if (!knownUrls) {
      const urls = Object.fromEntries(SUBGRAPHS.map((name) => [name, subgraphs[name].url]));
      gatewaySettings(urls as Record<SubgraphName, string>);
    }
    const settled = async () => {
      const cursor = await lastCommittedCursor(db);
      const consumers = SUBGRAPHS.flatMap((name) => subgraphs[name].instance.consumers ?? []);
      await Promise.all(consumers.map((consumer) => consumer.caughtUp(cursor)));
    };
    // Before the gateway takes requests: the first answer sees the whole demo, and a process stopped right
    // after it has not left half of the demo, and its projection, for the next start.
    if (options.seedDemo && (await isEmpty(db))) {
      await seedDemo(db, driver, settled);
      await settled();
    }
    subgraphsServing.resolve();
    const gateway = await (gatewayStarting ?? startGateway(await gatewayOptions.promise));
    cleanups.push(() => gateway.close());
    return { gateway, subgraphs, db, driver, runtime, settled, stop: stopAll };
  } catch (error) {
    gatewayOptions.reject(error);
    subgraphsServing.reject(error);
    abandonGateway.abort();
    await gatewayStarting?.catch(() => undefined);
    await stopAll();
    throw error;
  }
}

function subgraphUrlsInAdvance(options: StackOptions): Record<SubgraphName, string> | undefined {
  const host = options.host ?? '127.0.0.1';
  const ports = SUBGRAPHS.map((name) => [name, options.subgraphPorts?.[name] ?? 0] as const);
  if (ports.some(([, port]) => port === 0)) return undefined;
  return Object.fromEntries(ports.map(([name, port]) => [name, graphqlUrl(host, port)])) as Record<
    SubgraphName,
    string
  >;
}

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (reason: unknown) => void;
  const promise = new Promise<T>((settle, fail) => {
    resolve = settle;
    reject = fail;
  });
  promise.catch(() => undefined);
  return { promise, resolve, reject };
}
