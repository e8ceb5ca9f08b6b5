import { sqlSubgraph } from '../../platform/server/sqlSubgraph.ts';
import { createContext } from './context.ts';
import { stockProjection } from './projection.ts';
import { resolvers } from './resolvers.ts';

export const inventory = sqlSubgraph({
  name: 'inventory',
  migrations: new URL('./migrations', import.meta.url),
  resolvers,
  createContext,
  projections: [{ name: 'stock', ...stockProjection }],
});
