import { fileURLToPath } from 'node:url';
import type { BaseContext } from '@apollo/server';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/index.js';
import type { Principal } from '../auth/principal.ts';
import type { Runtime } from '../runtime.ts';
import type { Database } from '../db/database.ts';
import { migrate } from '../db/migrate.ts';
import { runConsumer, sqlSink, type Applier } from '../events/consumer.ts';
import type { SubgraphName } from '../subgraphs.ts';
import type { SubgraphModule } from './subgraph.ts';

/** Events a subgraph keeps its own copy of, applied exactly once (its schema needs `consumer_offsets`). */
export interface Projection extends Applier {
  name: string;
}

/** A subgraph whose data lives in its own PostgreSQL schema, named after it. */
export function sqlSubgraph<Context extends BaseContext>(options: {
  name: SubgraphName;
  migrations: URL;
  resolvers: object;
  /** `runtime` gives subscriptions the event log's wakeup. */
  createContext: (db: Database, principal: Principal, runtime: Runtime) => Context;
  projections?: Projection[];
}): SubgraphModule<Context> {
  return {
    name: options.name,
    prepare: async ({ db }) => {
      await migrate(db, options.name, fileURLToPath(options.migrations));
    },
    create: async (runtime) => {
      const { db, wakeup } = runtime;
      const consumers = (options.projections ?? []).map((projection) =>
        runConsumer({
          name: `${options.name}/${projection.name}`,
          source: db,
          wakeup,
          sink: sqlSink(db, options.name, projection.name, projection),
        }),
      );
      return {
        // The generated resolver types are stricter than Apollo's map; this is the one place they meet.
        resolvers: options.resolvers as GraphQLResolverMap<Context>,
        createContext: (principal) => options.createContext(db, principal, runtime),
        ready: async () => {
          await db.query('SELECT 1');
        },
        consumers,
        stop: async () => {
          await Promise.all(consumers.map((consumer) => consumer.stop()));
        },
      };
    },
  };
}
