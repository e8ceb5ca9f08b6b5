import { sqlSubgraph } from '../../platform/server/sqlSubgraph.ts';
import { createContext } from './context.ts';
import { referenceDataProjection } from './projection.ts';
import { resolvers } from './resolvers.ts';

export const orders = sqlSubgraph({
  name: 'orders',
  migrations: new URL('./migrations', import.meta.url),
  resolvers,
  createContext,
  projections: [{ name: 'reference-data', ...referenceDataProjection }],
});
