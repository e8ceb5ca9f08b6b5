import type { Driver } from 'neo4j-driver';
import type { Database } from './db/database.ts';
import type { EventWakeup } from './events/eventLog.ts';

/** What the platform hands every subgraph: its databases and the secret the gateway signs with. */
export interface Runtime {
  db: Database;
  wakeup: EventWakeup;
  /** Present for subgraphs that need Neo4j. */
  neo4j?: Driver;
  internalSecret: string;
}
