import { readFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import {
  ApolloGateway,
  RemoteGraphQLDataSource,
  type GraphQLDataSourceProcessOptions,
} from '@apollo/gateway';
import { createGatewayRuntime } from '@graphql-hive/gateway';
import { PRINCIPAL_HEADER } from '../../platform/auth/principal.ts';
import type { SubgraphName } from '../../platform/subgraphs.ts';

/**
 * Other gateways over the same running subgraphs, to compare this one with: plain @apollo/gateway (what
 * this gateway is built on, without its authentication, limits or signing) and Hive Gateway. Neither
 * authenticates; both hand every subgraph fetch the same principal, signed ahead and renewed, so the
 * subgraphs do the same work for them as for this gateway.
 *
 * Hive Gateway's types declare globals (graphql-yoga's error extensions, fetch bodies) that contradict
 * Apollo Server's and Node's: this folder is type-checked on its own (its tsconfig.json) and reached from
 * the benchmark only as a worker thread, never imported.
 */

export interface Peer {
  url: string;
  close(): Promise<void>;
}

const SUPERGRAPH = new URL('../../schema/supergraph.graphql', import.meta.url);

/** The committed supergraph, its subgraphs' URLs pointed at the running ones. */
async function supergraphAt(subgraphUrls: Record<SubgraphName, string>): Promise<string> {
  const sdl = await readFile(SUPERGRAPH, 'utf8');
  return sdl.replace(/@join__graph\(name: "(\w+)", url: "[^"]*"\)/g, (whole, name: string) =>
    name in subgraphUrls
      ? `@join__graph(name: "${name}", url: "${subgraphUrls[name as SubgraphName]}")`
      : whole,
  );
}

export async function startApolloGateway(
  subgraphUrls: Record<SubgraphName, string>,
  signedPrincipal: () => string,
): Promise<Peer> {
  class Signed extends RemoteGraphQLDataSource {
    override willSendRequest({ request }: GraphQLDataSourceProcessOptions) {
      request.http?.headers.set(PRINCIPAL_HEADER, signedPrincipal());
    }
  }
  const server = new ApolloServer({
    gateway: new ApolloGateway({
      supergraphSdl: await supergraphAt(subgraphUrls),
      buildService: ({ url }) => new Signed({ url }),
    }),
  });
  const { url } = await startStandaloneServer(server, { listen: { port: 0, host: '127.0.0.1' } });
  return { url, close: () => server.stop() };
}

export async function startHiveGateway(
  subgraphUrls: Record<SubgraphName, string>,
  signedPrincipal: () => string,
): Promise<Peer> {
  const gateway = createGatewayRuntime({
    supergraph: await supergraphAt(subgraphUrls),
    logging: false,
    propagateHeaders: { fromClientToSubgraphs: () => ({ [PRINCIPAL_HEADER]: signedPrincipal() }) },
  });
  const server = http.createServer(gateway);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/graphql`,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await gateway.dispose();
    },
  };
}
