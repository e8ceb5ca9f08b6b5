import type { Driver } from 'neo4j-driver';
import type { Database } from './db/database.ts';
import type { EventWakeup } from './events/eventLog.ts';
import type { SubgraphName } from './subgraphs.ts';

/** What the platform hands every subgraph: its databases and the secret the gateway signs with. */
export interface Runtime {
  db: Database;
  wakeup: EventWakeup;
  /** Present for subgraphs that need Neo4j. */
  neo4j?: Driver;
  internalSecret: string;
  /**
   * Where each subgraph answers GraphQL, for a subgraph that runs another's commands as their caller
   * (exchange). Filled as the subgraphs start; a separate process reads `<NAME>_URL` or the default port.
   */
  subgraphUrls?: Partial<Record<SubgraphName, string>>;
}
