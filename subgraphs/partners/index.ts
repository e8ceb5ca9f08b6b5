import { sqlSubgraph } from '../../platform/server/sqlSubgraph.ts';
import { createContext } from './context.ts';
import { relationshipsProjection } from './relationships.ts';
import { resolvers } from './resolvers.ts';

export const partners = sqlSubgraph({
  name: 'partners',
  migrations: new URL('./migrations', import.meta.url),
  resolvers,
  createContext,
  projections: [{ name: 'relationships', ...relationshipsProjection }],
});
