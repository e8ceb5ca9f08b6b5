import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/index.js';
import { runConsumer } from '../../platform/events/consumer.ts';
import { eventLogId } from '../../platform/events/eventLog.ts';
import type { Runtime } from '../../platform/runtime.ts';
import type { SubgraphModule } from '../../platform/server/subgraph.ts';
import { createContext, type Context } from './context.ts';
import { resolvers } from './resolvers.ts';
import { networkProjectionSink, prepareNetworkSchema } from './store.ts';

export const PROJECTION = 'network-projection';

function driverOf(runtime: Runtime) {
  if (!runtime.neo4j) throw new Error('the network subgraph needs Neo4j');
  return runtime.neo4j;
}

export const network: SubgraphModule<Context> = {
  name: 'network',
  prepare: (runtime) => prepareNetworkSchema(driverOf(runtime)),
  async create(runtime) {
    const driver = driverOf(runtime);
    // The network mirrors partners from the event log, exactly once, into Neo4j.
    const projection = runConsumer({
      name: PROJECTION,
      source: runtime.db,
      wakeup: runtime.wakeup,
      sink: networkProjectionSink(driver, `${PROJECTION}@${await eventLogId(runtime.db)}`),
    });
    return {
      resolvers: resolvers as GraphQLResolverMap<Context>,
      createContext: (principal) => createContext(driver, principal),
      ready: async () => {
        await driver.verifyConnectivity();
      },
      consumers: [projection],
      stop: () => projection.stop(),
    };
  },
};
