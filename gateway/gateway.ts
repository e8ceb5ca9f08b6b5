import { readFile } from 'node:fs/promises';
import type http from 'node:http';
import { ApolloServer } from '@apollo/server';
import { print, type ExecutionResult, type GraphQLSchema } from 'graphql';
import {
  ApolloGateway,
  RemoteGraphQLDataSource,
  type GraphQLDataSourceProcessOptions,
} from '@apollo/gateway';
import {
  GATEWAY_PRINCIPAL,
  PRINCIPAL_HEADER,
  signPrincipal,
  type Principal,
} from '../platform/auth/principal.ts';
import { startHttpService, type RunningService } from '../platform/server/http.ts';
import type { SubgraphName } from '../platform/subgraphs.ts';
import { createAuthenticator, type JwtSettings } from './auth.ts';
import { inboundForwarder } from './inbound.ts';
import { SubscriptionExecutor } from './subscriptions.ts';
import { devSignIn, webApp } from './static.ts';

export interface GatewayContext {
  principal: Principal;
  /** Signed once per request, shared by every subgraph fetch of that request. */
  signedPrincipal: Promise<string>;
}

export interface GatewayOptions {
  subgraphUrls: Record<SubgraphName, string>;
  jwt: JwtSettings;
  internalSecret: string;
  port: number;
  host?: string;
  /** Development sign-in at /auth/dev: only with the development secrets `npm start` generates. */
  devSignIn?: boolean;
}

const SUPERGRAPH = new URL('../schema/supergraph.graphql', import.meta.url);

/** Forwards the caller's principal to subgraphs in a signed header; subgraphs trust nothing else. */
class SignedDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  override async willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<GatewayContext>) {
    request.http?.headers.set(PRINCIPAL_HEADER, await (context as GatewayContext).signedPrincipal);
  }
}

/** Asks partners, as the gateway itself, which partner an API key acts for. */
function apiKeyResolver(partnersUrl: string, internalSecret: string) {
  return async (secret: string) => {
    const response = await fetch(partnersUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        [PRINCIPAL_HEADER]: await signPrincipal(GATEWAY_PRINCIPAL, internalSecret),
      },
      body: JSON.stringify({
        query: 'query ($secret: String!) { apiKeyPrincipal(secret: $secret) { partnerId keyId } }',
        variables: { secret },
      }),
    });
    const body = (await response.json()) as {
      data?: { apiKeyPrincipal: { partnerId: string; keyId: string } | null };
      errors?: { message: string }[];
    };
    if (body.errors?.length)
      throw new Error(`partners could not check the API key: ${body.errors[0]!.message}`);
    return body.data?.apiKeyPrincipal ?? undefined;
  };
}

/** The federated gateway: serves the committed supergraph; no introspection of subgraphs at run time. */
export async function startGateway(options: GatewayOptions): Promise<RunningService> {
  // @apollo/gateway otherwise reports usage metrics to Apollo and probes cloud metadata endpoints;
  // this graph carries partners' business data and calls nothing outside its own deployment.
  process.env.APOLLO_TELEMETRY_DISABLED ??= 'true';
  const supergraphSdl = await readFile(SUPERGRAPH, 'utf8');
  const dataSources = Object.fromEntries(
    Object.entries(options.subgraphUrls).map(([name, url]) => [name, new SignedDataSource({ url })]),
  );
  const gateway = new ApolloGateway({
    supergraphSdl,
    buildService: ({ name }) => dataSources[name]!,
  });
  const authenticator = createAuthenticator(
    options.jwt,
    apiKeyResolver(options.subgraphUrls.partners, options.internalSecret),
  );
  const apollo = new ApolloServer<GatewayContext>({ gateway, includeStacktraceInErrorResponses: false });
  let apiSchema: GraphQLSchema | undefined;
  let subscriptions: SubscriptionExecutor | undefined;
  gateway.onSchemaLoadOrUpdate(({ apiSchema: loaded }) => {
    apiSchema = loaded;
    subscriptions = new SubscriptionExecutor({
      supergraphSdl,
      apiSchema: loaded,
      subgraphUrls: options.subgraphUrls,
      dataSources,
      sign: (principal) => signPrincipal(principal, options.internalSecret),
    });
  });

  const contextFor = async (
    credentials: Parameters<typeof authenticator.authenticate>[0],
  ): Promise<GatewayContext> => {
    const principal = await authenticator.authenticate(credentials);
    const signedPrincipal = signPrincipal(principal, options.internalSecret);
    signedPrincipal.catch(() => undefined);
    return { principal, signedPrincipal };
  };
  const context = (request: http.IncomingMessage) => {
    const apiKey = request.headers['x-api-key'];
    return contextFor({
      authorization: request.headers.authorization,
      apiKey: Array.isArray(apiKey) ? apiKey[0] : apiKey,
    });
  };
  const contextFromParams = (params: Record<string, unknown> | undefined) => {
    const text = (name: string) => (typeof params?.[name] === 'string' ? params[name] : undefined);
    return contextFor({ authorization: text('authorization'), apiKey: text('x-api-key') });
  };

  return startHttpService<GatewayContext>(
    {
      name: 'gateway',
      apollo,
      context,
      routes: {
        '/exchange/inbound': inboundForwarder(
          authenticator,
          options.subgraphUrls.exchange,
          options.internalSecret,
        ),
        '/auth/dev': devSignIn({
          enabled: options.devSignIn ?? false,
          jwt: options.jwt,
          partnersUrl: options.subgraphUrls.partners,
          internalSecret: options.internalSecret,
        }),
      },
      fallback: webApp(),
      // graphql-ws on the same path: credentials come in the connection parameters, checked at connection
      // init, and every operation runs through the same federated execution as over HTTP.
      webSocket: {
        schema: () => {
          if (!apiSchema) throw new Error('the gateway has not loaded its schema yet');
          return apiSchema;
        },
        context: contextFromParams,
        execute: async (args) => {
          const response = await apollo.executeOperation(
            {
              query: print(args.document),
              variables: args.variableValues ?? undefined,
              operationName: args.operationName ?? undefined,
            },
            { contextValue: args.contextValue as GatewayContext },
          );
          if (response.body.kind !== 'single')
            throw new Error('incremental delivery is not served over graphql-ws');
          return response.body.singleResult as ExecutionResult;
        },
        subscribe: async (args) => {
          if (!subscriptions) throw new Error('the gateway has not loaded its schema yet');
          return subscriptions.subscribe(args, (args.contextValue as GatewayContext).principal);
        },
      },
      ready: async () => {
        await Promise.all(
          Object.entries(options.subgraphUrls).map(async ([name, url]) => {
            const response = await fetch(new URL('/ready', url));
            if (!response.ok) throw new Error(`${name} is not ready`);
          }),
        );
      },
    },
    options.port,
    options.host,
  );
}
