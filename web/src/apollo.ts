import { ApolloClient, ApolloLink, HttpLink, InMemoryCache } from '@apollo/client';
import { GraphQLWsLink } from '@apollo/client/link/subscriptions';
import { createClient } from 'graphql-ws';
import { OperationTypeNode } from 'graphql';

/**
 * One client per signed-in person: queries and mutations over HTTP, subscriptions over graphql-ws, both to
 * the gateway's own origin. The token travels in a header and in the connection parameters, never in a URL.
 */
export function createApolloClient(token: string): { client: ApolloClient; dispose: () => void } {
  const http = new HttpLink({ uri: '/graphql', headers: { authorization: `Bearer ${token}` } });
  const wsUrl = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/graphql`;
  const wsClient = createClient({
    url: wsUrl,
    connectionParams: { authorization: `Bearer ${token}` },
    lazy: true,
    retryAttempts: Infinity,
  });
  const link = ApolloLink.split(
    (operation) => operation.operationType === OperationTypeNode.SUBSCRIPTION,
    new GraphQLWsLink(wsClient),
    http,
  );
  const client = new ApolloClient({
    link,
    cache: new InMemoryCache({
      typePolicies: {
        Item: { keyFields: ['sku'] },
        CatalogEntry: { keyFields: ['sku'] },
        Partner: { fields: { orders: { merge: false } } },
      },
    }),
    defaultOptions: { watchQuery: { fetchPolicy: 'cache-and-network' } },
  });
  return {
    client,
    dispose: () => {
      void wsClient.dispose();
      client.stop();
    },
  };
}
