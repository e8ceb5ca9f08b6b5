import { fileURLToPath } from 'node:url';
import type { BaseContext } from '@apollo/server';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/index.js';
import type { Principal } from '../auth/principal.ts';
import type { Database } from '../db/database.ts';
import { migrate } from '../db/migrate.ts';
import type { SubgraphName } from '../subgraphs.ts';
import type { SubgraphModule } from './subgraph.ts';

/** A subgraph whose data lives in its own PostgreSQL schema, named after it. */
export function sqlSubgraph<Context extends BaseContext>(options: {
  name: SubgraphName;
  migrations: URL;
  resolvers: object;
  createContext: (db: Database, principal: Principal) => Context;
}): SubgraphModule<Context> {
  return {
    name: options.name,
    prepare: async ({ db }) => {
      await migrate(db, options.name, fileURLToPath(options.migrations));
    },
    create: async ({ db }) => ({
      // The generated resolver types are stricter than Apollo's map; this is the one place they meet.
      resolvers: options.resolvers as GraphQLResolverMap<Context>,
      createContext: (principal) => options.createContext(db, principal),
      ready: async () => {
        await db.query('SELECT 1');
      },
    }),
  };
}
