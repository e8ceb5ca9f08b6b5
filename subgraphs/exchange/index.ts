import { fileURLToPath } from 'node:url';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/index.js';
import type { Database, Queryable } from '../../platform/db/database.ts';
import { migrate } from '../../platform/db/migrate.ts';
import { Wakeup } from '../../platform/db/wakeup.ts';
import { applierOf, runConsumer, sqlSink, type ConsumerSink } from '../../platform/events/consumer.ts';
import type { LoggedEvent } from '../../platform/events/eventLog.ts';
import { keepParty } from '../../platform/events/parties.ts';
import type { SubgraphModule } from '../../platform/server/subgraph.ts';
import type { SubgraphName } from '../../platform/subgraphs.ts';
import { createContext, type Context } from './context.ts';
import { startInboxProcessor, type InboxProcessor } from './inbox/processor.ts';
import { INBOX_CHANNEL } from './store/documents.ts';
import { inboundRoute, INBOUND_PATH } from './inbox/http.ts';
import { resolvers } from './resolvers.ts';
import { exchangeSettings } from './settings.ts';
import { owesDocuments, oweDocuments } from './outbound/owed.ts';
import { startOutboundWorker } from './outbound/worker.ts';
import { subgraphClient } from './subgraphClient.ts';
import { startDispatcher } from './webhooks/dispatcher.ts';
import { mayQueueWebhooks, queueWebhooks } from './webhooks/queue.ts';

const MIGRATIONS = fileURLToPath(new URL('./migrations', import.meta.url));

const parties = applierOf(['PartnerRegistered', 'PartnerUpdated'], (tx, event) =>
  keepParty(tx, 'exchange', event),
);

/**
 * A consumer that leaves work for a worker (deliveries for the dispatcher, documents for the outbound
 * worker): once a batch that left some commits, the worker is woken to take it.
 */
function wakingSink(
  db: Database,
  consumer: string,
  /** Returns how much work the batch left. */
  apply: (tx: Queryable, events: readonly LoggedEvent[]) => Promise<number>,
  wake: () => void,
  acts: (event: LoggedEvent) => boolean,
): ConsumerSink {
  let left = 0;
  const sink = sqlSink(db, 'exchange', consumer, {
    apply: async (tx, events) => {
      left += await apply(tx, events);
    },
    acts,
  });
  return {
    position: () => sink.position(),
    applyBatch: async (events) => {
      left = 0;
      await sink.applyBatch(events);
      if (left > 0) wake();
    },
  };
}

function serviceUrl(urls: Partial<Record<SubgraphName, string>> | undefined) {
  return (name: SubgraphName): string => {
    const url = urls?.[name];
    if (!url) throw new Error(`exchange does not know where ${name} answers`);
    return url;
  };
}

/**
 * Exchange: trading-partner profiles, webhooks from the event log, the document inbox and outbox, and the
 * delivery log (docs/exchange.md). Its background work: the party projection, the webhooks consumer, the
 * dispatcher that sends deliveries, the inbox processor, and the outbound worker that writes the business
 * documents events owe partners.
 */
export const exchange: SubgraphModule<Context> = {
  name: 'exchange',
  prepare: async ({ db }) => {
    await migrate(db, 'exchange', MIGRATIONS);
  },
  create: async (runtime) => {
    const { db, wakeup } = runtime;
    const dispatcher = startDispatcher(db, exchangeSettings);
    const client = subgraphClient(serviceUrl(runtime.subgraphUrls), runtime.internalSecret);
    const outbound = startOutboundWorker(db, client, exchangeSettings, dispatcher.wake);
    const consumers = [
      runConsumer({
        name: 'exchange/parties',
        source: db,
        wakeup,
        sink: sqlSink(db, 'exchange', 'parties', parties),
      }),
      runConsumer({
        name: 'exchange/webhooks',
        source: db,
        wakeup,
        sink: wakingSink(
          db,
          'webhooks',
          (tx, events) => queueWebhooks(tx, events),
          dispatcher.wake,
          mayQueueWebhooks,
        ),
      }),
      runConsumer({
        name: 'exchange/outbound',
        source: db,
        wakeup,
        sink: wakingSink(db, 'outbound', oweDocuments, () => outbound.wake(), owesDocuments),
      }),
    ];
    let inbox: InboxProcessor | undefined;
    let inboxWakeup: Wakeup | undefined;
    if (exchangeSettings().processInbox) {
      inboxWakeup = new Wakeup(db, INBOX_CHANNEL);
      await inboxWakeup.start();
      inbox = startInboxProcessor(db, inboxWakeup, client, exchangeSettings);
    }
    return {
      // The generated resolver types are stricter than Apollo's map; this is the one place they meet.
      resolvers: resolvers as GraphQLResolverMap<Context>,
      createContext: (principal) => createContext(db, principal, dispatcher.wake, client),
      ready: async () => {
        await db.query('SELECT 1');
      },
      routes: { [INBOUND_PATH]: inboundRoute(db, exchangeSettings) },
      consumers,
      stop: async () => {
        await inbox?.stop();
        await inboxWakeup?.stop();
        await Promise.all(consumers.map((consumer) => consumer.stop()));
        await outbound.stop();
        await dispatcher.stop();
      },
    };
  },
};
