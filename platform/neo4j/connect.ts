import { launchNeo4j, type Neo4jConnection } from './launcher.ts';

export interface Neo4jHandle {
  connection: Neo4jConnection;
  /** True when this process started the Neo4j it stops. */
  embedded: boolean;
  stop(): Promise<void>;
}

/**
 * The configured Neo4j when there is one (nothing to stop), otherwise an embedded one launched in
 * `dataDir` and stopped with the handle. Shared by `npm start`, the test setup and the benchmarks.
 */
export async function useNeo4j(
  configured: Neo4jConnection | undefined,
  dataDir: string,
): Promise<Neo4jHandle> {
  if (configured) return { connection: configured, embedded: false, stop: async () => undefined };
  const running = await launchNeo4j({ dataDir, handleSignals: false });
  const { uri, user, password } = running;
  return { connection: { uri, user, password }, embedded: true, stop: () => running.stop() };
}

export function neo4jFromEnvironment(env: NodeJS.ProcessEnv = process.env): Neo4jConnection | undefined {
  if (!env.NEO4J_URI) return undefined;
  return { uri: env.NEO4J_URI, user: env.NEO4J_USER ?? 'neo4j', password: env.NEO4J_PASSWORD ?? '' };
}
