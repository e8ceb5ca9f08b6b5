import path from 'node:path';
import { loadConfig, subgraphPort } from '../platform/config.ts';
import { useNeo4j } from '../platform/neo4j/connect.ts';
import { SUBGRAPHS } from '../platform/subgraphs.ts';

/** `npm start`: the whole graph on one machine, with embedded PostgreSQL and Neo4j unless configured. */
const config = await loadConfig();
// Neo4j's JVM takes the longest to start: loading the rest of the code, the web build check and
// PostgreSQL run while it does. Hence the modules below are imported only once it is launched.
const neo4jStarting = useNeo4j(config.neo4j, path.join(config.dataDir, 'neo4j'));
const neo4jConnection = neo4jStarting.then((handle) => handle.connection);
// startStack awaits it once PostgreSQL is ready; a launch that fails before then is reported there.
neo4jConnection.catch(() => undefined);
const stopNeo4j = async () => (await neo4jStarting.catch(() => undefined))?.stop();
const [{ startStack }, { ensureWebBuild }] = await Promise.all([
  import('./stack.ts'),
  import('../web/build.ts'),
]);
await ensureWebBuild().catch(async (error: unknown) => {
  await stopNeo4j();
  throw error;
});

const stack = await startStack({
  databaseUrl: config.databaseUrl,
  pgliteDir: path.join(config.dataDir, 'pglite'),
  neo4j: neo4jConnection,
  jwt: config.jwt,
  internalSecret: config.internalSecret,
  host: config.host,
  gatewayPort: config.gatewayPort,
  subgraphPorts: Object.fromEntries(SUBGRAPHS.map((name) => [name, subgraphPort(name)])),
  seedDemo: config.seedDemo,
  // Only on the secrets generated for development; never beside JWT_SECRET or an identity provider.
  devSignIn: !process.env.JWT_SECRET && !config.jwt.jwksUrl,
  gatewayThread: true,
}).catch(async (error: unknown) => {
  await stopNeo4j();
  throw error;
});
const neo4j = await neo4jStarting;

const seconds = process.uptime().toFixed(1);
console.log(`
Supply-network graph ready in ${seconds}s
  web app     ${stack.gateway.url.replace(/graphql$/, '')}
  gateway     ${stack.gateway.url}  (HTTP and graphql-ws)
${Object.values(stack.subgraphs)
  .map((subgraph) => `  ${subgraph.name.padEnd(11)} ${subgraph.url}`)
  .join('\n')}
  postgres    ${config.databaseUrl ? 'DATABASE_URL' : `PGlite in ${path.join(config.dataDir, 'pglite')}`}
  neo4j       ${neo4j.connection.uri}${neo4j.embedded ? ' (embedded)' : ''}

A token for your requests:  npm run -s token -- --role admin
Then:  curl -s ${stack.gateway.url} -H "authorization: Bearer $(npm run -s token -- --role admin)" \\
         -H 'content-type: application/json' -d '{"query":"{ self { name tier } }"}'
Ctrl-C stops everything.`);

let stopping = false;
async function shutdown(signal: NodeJS.Signals) {
  if (stopping) return;
  stopping = true;
  console.log(`\n${signal}: stopping…`);
  await stack.stop();
  await neo4j.stop();
  process.exit(0);
}
process.on('SIGINT', (signal) => void shutdown(signal));
process.on('SIGTERM', (signal) => void shutdown(signal));
