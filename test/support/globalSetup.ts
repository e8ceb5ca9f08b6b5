import { rm } from 'node:fs/promises';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { PROJECT_ROOT } from '../../platform/config.ts';
import { neo4jFromEnvironment, useNeo4j, type Neo4jHandle } from '../../platform/neo4j/connect.ts';
import { Neo4jHomeInUseError, type Neo4jConnection } from '../../platform/neo4j/launcher.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    neo4j: Neo4jConnection;
  }
}

let neo4j: Neo4jHandle | undefined;

let privateHome: string | undefined;

/**
 * One Neo4j for the whole run: the one in NEO4J_URI, or an embedded one under .data/test-neo4j. While
 * another run uses that folder, this run gets a folder of its own, removed afterwards.
 */
export async function setup(project: TestProject): Promise<void> {
  const shared = path.join(PROJECT_ROOT, '.data', 'test-neo4j');
  try {
    neo4j = await useNeo4j(neo4jFromEnvironment(), shared);
  } catch (error) {
    if (!(error instanceof Neo4jHomeInUseError)) throw error;
    privateHome = `${shared}-${process.pid}`;
    neo4j = await useNeo4j(undefined, privateHome);
  }
  project.provide('neo4j', neo4j.connection);
}

export async function teardown(): Promise<void> {
  await neo4j?.stop();
  if (privateHome) await rm(privateHome, { recursive: true, force: true });
}
