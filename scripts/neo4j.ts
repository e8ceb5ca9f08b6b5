/**
 * Dev helper for the embedded Neo4j.
 *   npx tsx scripts/neo4j.ts provision          fetch the jars (one-off) and exit
 *   npx tsx scripts/neo4j.ts start [dataDir]    run Neo4j until Ctrl-C; prints uri and user on stdout
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchNeo4j, provisionNeo4jJars } from '../platform/neo4j/launcher.ts';

const projectRoot = fileURLToPath(new URL('..', import.meta.url));

async function main(command: string | undefined, dataDir: string | undefined): Promise<void> {
  if (command === 'provision') {
    console.log(await provisionNeo4jJars());
    return;
  }
  if (command === 'start') {
    const home = path.resolve(dataDir ?? path.join(projectRoot, '.data', 'neo4j'));
    const neo = await launchNeo4j({ dataDir: home });
    console.log(`NEO4J_URI=${neo.uri}`);
    console.log(`NEO4J_USER=${neo.user}`);
    console.error(`neo4j: password in ${path.join(home, 'password')}`);
    console.error('neo4j: running; press Ctrl-C to stop');
    // The launcher's SIGINT/SIGTERM handlers stop Neo4j and exit; the JVM child alone does not keep Node alive.
    setInterval(() => {}, 1 << 30);
    return;
  }
  console.error('usage: npx tsx scripts/neo4j.ts provision | start [dataDir]');
  process.exitCode = 2;
}

main(process.argv[2], process.argv[3]).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
