import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { PROJECT_ROOT } from '../../platform/config.ts';
import { launchNeo4j, type Neo4jConnection, type RunningNeo4j } from '../../platform/neo4j/launcher.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    neo4j: Neo4jConnection;
  }
}

let running: RunningNeo4j | undefined;

/** One Neo4j for the whole run: the one in NEO4J_URI, or an embedded one under .data/test-neo4j. */
export async function setup(project: TestProject): Promise<void> {
  if (process.env.NEO4J_URI) {
    project.provide('neo4j', {
      uri: process.env.NEO4J_URI,
      user: process.env.NEO4J_USER ?? 'neo4j',
      password: process.env.NEO4J_PASSWORD ?? '',
    });
    return;
  }
  running = await launchNeo4j({
    dataDir: path.join(PROJECT_ROOT, '.data', 'test-neo4j'),
    handleSignals: false,
  });
  project.provide('neo4j', { uri: running.uri, user: running.user, password: running.password });
}

export async function teardown(): Promise<void> {
  await running?.stop();
}
