import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { PROJECT_ROOT } from '../../platform/config.ts';
import { neo4jFromEnvironment, useNeo4j, type Neo4jHandle } from '../../platform/neo4j/connect.ts';
import type { Neo4jConnection } from '../../platform/neo4j/launcher.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    neo4j: Neo4jConnection;
  }
}

let neo4j: Neo4jHandle | undefined;

/** One Neo4j for the whole run: the one in NEO4J_URI, or an embedded one under .data/test-neo4j. */
export async function setup(project: TestProject): Promise<void> {
  neo4j = await useNeo4j(neo4jFromEnvironment(), path.join(PROJECT_ROOT, '.data', 'test-neo4j'));
  project.provide('neo4j', neo4j.connection);
}

export async function teardown(): Promise<void> {
  await neo4j?.stop();
}
