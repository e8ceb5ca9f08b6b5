import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/index.js';
import { runConsumer } from '../../platform/events/consumer.ts';
import { eventLogId, lastCommittedCursor } from '../../platform/events/eventLog.ts';
import type { Runtime } from '../../platform/runtime.ts';
import type { SubgraphModule } from '../../platform/server/subgraph.ts';
import { createContext, type Context } from './context.ts';
import { networkProjectionSink } from './projection.ts';
import { resolvers } from './resolvers.ts';
import { prepareNetworkGraph } from './store.ts';

export const PROJECTION = 'network-projection';
/** How long a mutation waits to read its own write back from Neo4j before answering from the log. */
const PROJECTION_WAIT_MS = 15_000;

function driverOf(runtime: Runtime) {
  if (!runtime.neo4j) throw new Error('the network subgraph needs Neo4j');
  return runtime.neo4j;
}

export const network: SubgraphModule<Context> = {
  name: 'network',
  usesNeo4j: true,
  async prepare(runtime) {
    await prepareNetworkGraph(driverOf(runtime));
  },
  async create(runtime) {
    const driver = driverOf(runtime);
    // Everything in the graph is projected from the event log, exactly once: partners, certifications,
    // links observed in confirmed orders, declared links and disruptions.
    const projection = runConsumer({
      name: PROJECTION,
      source: runtime.db,
      wakeup: runtime.wakeup,
      sink: networkProjectionSink(driver, `${PROJECTION}@${await eventLogId(runtime.db)}`),
    });
    const projected = async (cursor?: string) => {
      const target = cursor ?? (await lastCommittedCursor(runtime.db));
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        projection.caughtUp(target),
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, PROJECTION_WAIT_MS);
        }),
      ]).finally(() => clearTimeout(timer));
    };
    const services = { driver, db: runtime.db, events: runtime, projected };
    return {
      resolvers: resolvers as GraphQLResolverMap<Context>,
      createContext: (principal) => createContext(services, principal),
      ready: async () => {
        await driver.verifyConnectivity();
      },
      consumers: [projection],
      stop: () => projection.stop(),
    };
  },
};
