import { sqlSubgraph } from '../../platform/server/sqlSubgraph.ts';
import { createContext } from './context.ts';
import { orderFactsProjection } from './projection.ts';
import { resolvers } from './resolvers.ts';

export const invoices = sqlSubgraph({
  name: 'invoices',
  migrations: new URL('./migrations', import.meta.url),
  resolvers,
  createContext,
  projections: [{ name: 'order-facts', ...orderFactsProjection }],
});
