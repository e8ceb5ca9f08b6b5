import { loadConfig, subgraphPort, subgraphUrlsFromEnvironment } from '../platform/config.ts';
import { openDatabase } from '../platform/db/database.ts';
import { EventWakeup, migrateEventLog } from '../platform/events/eventLog.ts';
import { startSubgraph } from '../platform/server/subgraph.ts';
import { isSubgraphName, SUBGRAPHS } from '../platform/subgraphs.ts';
import { MODULES } from './modules.ts';
import { openNeo4jDriver } from './stack.ts';

/**
 * `npm run start:subgraph -- <name>`: one subgraph as its own process, so each scales out on its own.
 * Needs DATABASE_URL (PGlite belongs to one process) and, for network, NEO4J_URI.
 */
const name = process.argv[2] ?? '';
if (!isSubgraphName(name)) {
  console.error(`usage: npm run start:subgraph -- <${SUBGRAPHS.join('|')}>`);
  process.exit(2);
}
const config = await loadConfig();
if (!config.databaseUrl) {
  console.error(
    'a subgraph in its own process needs DATABASE_URL: the embedded PGlite serves one process only',
  );
  process.exit(2);
}
if (name === 'network' && !config.neo4j) {
  console.error('the network subgraph in its own process needs NEO4J_URI (and NEO4J_USER, NEO4J_PASSWORD)');
  process.exit(2);
}
const db = await openDatabase({ url: config.databaseUrl });
await migrateEventLog(db);
const wakeup = new EventWakeup(db);
await wakeup.start();
const driver = name === 'network' && config.neo4j ? await openNeo4jDriver(config.neo4j) : undefined;
const runtime = {
  db,
  wakeup,
  neo4j: driver,
  internalSecret: config.internalSecret,
  subgraphUrls: subgraphUrlsFromEnvironment(config.host),
};
await MODULES[name].prepare(runtime);
const service = await startSubgraph(MODULES[name], runtime, subgraphPort(name), config.host);
console.log(`${name} subgraph at ${service.url}`);

const stop = async () => {
  await service.close();
  await wakeup.stop();
  await driver?.close();
  await db.close();
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
