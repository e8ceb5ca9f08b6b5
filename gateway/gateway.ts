import { readFile } from 'node:fs/promises';
import type http from 'node:http';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import {
  GraphQLError,
  OperationTypeNode,
  print,
  type DocumentNode,
  type ExecutionResult,
  type GraphQLSchema,
} from 'graphql';
import { ApolloGateway } from '@apollo/gateway';
import { signPrincipal, type Principal } from '../platform/auth/principal.ts';
import { safeFormatError } from '../platform/errors.ts';
import {
  graphqlRuntime,
  startHttpService,
  type RunningService,
  type WebSocketEndpoint,
  type WebSocketHooks,
} from '../platform/server/http.ts';
import type { SubgraphName } from '../platform/subgraphs.ts';
import { RememberedApiKeys } from './apiKeys.ts';
import { askPartners } from './askPartners.ts';
import { createAuthenticator, type JwtSettings } from './auth.ts';
import {
  credentialCheck,
  CredentialWatcher,
  PartnerStatusCache,
  type CredentialCheck,
} from './credentials.ts';
import { SignedDataSource, type FetchContext } from './dataSource.ts';
import { inboundForwarder } from './inbound.ts';
import { limitsFromEnvironment, type LimitsConfig } from './limits.ts';
import { ConnectionSubscriptions, OperationGuard, badRequest, withoutSuggestions } from './limitsGuard.ts';
import { indexSchema, type SchemaIndex } from './limitsOperation.ts';
import type { Slot } from './limitsRate.ts';
import { SignedPrincipals } from './signedPrincipals.ts';
import { subgraphFetch } from './subgraphFetch.ts';
import { SubscriptionExecutor } from './subscriptions.ts';
import { devSignIn, webApp } from './static.ts';

export interface GatewayContext extends FetchContext {
  principal: Principal;
  /** Signed once per renewal window of the principal, shared by every subgraph fetch. */
  signedPrincipal: Promise<string>;
}

export interface GatewayOptions {
  subgraphUrls: Record<SubgraphName, string>;
  jwt: JwtSettings;
  internalSecret: string;
  port: number;
  host?: string;
  /**
   * Operation, rate and size limits; from the environment when absent. `false` runs without them, which
   * only `bench:gateway` does, to measure what they cost.
   */
  limits?: LimitsConfig | false;
  /** Development sign-in at /auth/dev: only with the development secrets `npm start` generates. */
  devSignIn?: boolean;
}

const SUPERGRAPH = new URL('../schema/supergraph.graphql', import.meta.url);

/** Asks partners, as the gateway itself, which partner an API key acts for. */
function apiKeyResolver(partnersUrl: string, internalSecret: string) {
  return async (secret: string) => {
    const { apiKeyPrincipal } = await askPartners<{
      apiKeyPrincipal: { partnerId: string; keyId: string } | null;
    }>(
      partnersUrl,
      internalSecret,
      'check the API key',
      'query ($secret: String!) { apiKeyPrincipal(secret: $secret) { partnerId keyId } }',
      { secret },
    );
    return apiKeyPrincipal ?? undefined;
  };
}

/**
 * The federated gateway: serves the committed supergraph; no introspection of subgraphs at run time. With
 * `listenAfter`, it loads the supergraph at once and takes connections once that resolves (its subgraphs serve).
 */
export async function startGateway(
  options: GatewayOptions,
  listenAfter?: Promise<void>,
): Promise<RunningService> {
  // @apollo/gateway otherwise reports usage metrics to Apollo and probes cloud metadata endpoints;
  // this graph carries partners' business data and calls nothing outside its own deployment.
  process.env.APOLLO_TELEMETRY_DISABLED ??= 'true';
  const federation = await federate(options);
  const auth = authentication(options);
  const enforced = options.limits !== false;
  const limits = options.limits || limitsFromEnvironment();
  const guard = new OperationGuard(limits, federation.schemaIndex);
  const apollo = new ApolloServer<GatewayContext>({
    gateway: federation.gateway,
    includeStacktraceInErrorResponses: false,
    formatError: safeFormatError('gateway'),
    // Who may introspect is the guard's decision (partners only when configured); staff always may.
    introspection: true,
    // A backstop: the guard has already refused, per principal, anything over its tier's tokens.
    parseOptions: { maxTokens: Math.max(limits.partner.operation.tokens, limits.staff.operation.tokens) },
    plugins: [
      credentialChanges(auth.forgetCredentials),
      ...(enforced ? [guard.plugin<GatewayContext>()] : []),
    ],
  });
  // Suspension and revocation end open subscriptions within seconds (docs/security.md).
  const watcher = new CredentialWatcher(
    auth.check,
    (matches, error) => federation.subscriptions()?.end(matches, error) ?? 0,
  );
  const webSocketHooks = graphqlWsAdmission(
    guard,
    auth.fromParams,
    federation.apiSchema,
    (principal, close) => watcher.connection(principal, close),
  );

  watcher.start();
  const service = await startHttpService<GatewayContext>(
    {
      name: 'gateway',
      apollo,
      context: auth.fromRequest,
      maxBodyBytes: limits.maxBodyBytes,
      ...(enforced
        ? {
            admit: (admitted: GatewayContext, query: string | undefined) =>
              guard.admitHttp(admitted.principal, query),
          }
        : {}),
      routes: {
        '/exchange/inbound': inboundForwarder(
          auth.authenticator,
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
      webSocket: {
        maxPayload: limits.maxWebSocketMessageBytes,
        ...(enforced ? { hooks: webSocketHooks } : {}),
        ...federatedGraphqlWs(apollo, federation, watcher, auth.fromParams),
      },
      ready: () => subgraphsReady(options.subgraphUrls),
      listenAfter,
    },
    options.port,
    options.host,
  );
  return {
    ...service,
    close: async () => {
      watcher.stop();
      await service.close();
      await federation.close();
    },
  };
}

/**
 * Forgets remembered credentials once a mutation has run through this gateway: any of them may have
 * revoked a key or suspended a partner (however its fields are spelled, through fragments or aliases),
 * which is then refused from the next request on. Mutations are few beside reads, so this costs little.
 */
function credentialChanges(forget: () => void): ApolloServerPlugin<GatewayContext> {
  return {
    requestDidStart: async () => ({
      willSendResponse: async ({ operation }) => {
        if (operation?.operation === OperationTypeNode.MUTATION) forget();
      },
    }),
  };
}

/** The supergraph the gateway serves, and what it derives from the API schema at every (re)load. */
interface Federation {
  gateway: ApolloGateway;
  apiSchema: () => GraphQLSchema | undefined;
  schemaIndex: () => SchemaIndex | undefined;
  /** The subscriptions open, if any was ever subscribed to. */
  subscriptions: () => SubscriptionExecutor | undefined;
  /** The subscriptions, made at the first call once the schema is loaded. */
  openSubscriptions: () => SubscriptionExecutor | undefined;
  /** Closes the connections to the subgraphs. */
  close(): Promise<void>;
}

async function federate(options: GatewayOptions): Promise<Federation> {
  const supergraphSdl = await readFile(SUPERGRAPH, 'utf8');
  const connections = subgraphFetch();
  const dataSources = Object.fromEntries(
    Object.entries(options.subgraphUrls).map(([name, url]) => [
      name,
      // undici with connections kept alive instead of make-fetch-happen, whose HTTP cache layers the
      // gateway never uses cost it a third of its time per subgraph fetch.
      new SignedDataSource<GatewayContext>({ url, fetcher: connections.fetch }),
    ]),
  );
  const gateway = new ApolloGateway({
    supergraphSdl,
    buildService: ({ name }) => dataSources[name]!,
  });
  let apiSchema: GraphQLSchema | undefined;
  let schemaIndex: SchemaIndex | undefined;
  let subscriptions: SubscriptionExecutor | undefined;
  gateway.onSchemaLoadOrUpdate(({ apiSchema: loaded }) => {
    apiSchema = loaded;
    schemaIndex = indexSchema(loaded);
    subscriptions = undefined;
  });
  return {
    gateway,
    apiSchema: () => apiSchema,
    schemaIndex: () => schemaIndex,
    subscriptions: () => subscriptions,
    // Made at the first subscription rather than with the schema: it plans the supergraph once more,
    // half a second of CPU that a start would take from Neo4j's JVM starting beside it.
    openSubscriptions: () => {
      if (!apiSchema) return undefined;
      subscriptions ??= new SubscriptionExecutor({
        supergraphSdl,
        apiSchema,
        subgraphUrls: options.subgraphUrls,
        dataSources,
        sign: (principal) => signPrincipal(principal, options.internalSecret),
      });
      return subscriptions;
    },
    close: () => connections.close(),
  };
}

/** Who calls: a request's or a graphql-ws connection's credentials made into its context. */
function authentication(options: GatewayOptions) {
  const credentials = credentialCheck(options.subgraphUrls.partners, options.internalSecret);
  const partnerStatus = new PartnerStatusCache(credentials);
  const apiKeys = new RememberedApiKeys(
    apiKeyResolver(options.subgraphUrls.partners, options.internalSecret),
  );
  const authenticator = createAuthenticator(options.jwt, apiKeys.resolve, (partnerId) =>
    partnerStatus.refused(partnerId),
  );
  const signedPrincipals = new SignedPrincipals(options.internalSecret);
  /** Asks partners which credentials are refused, and forgets the remembered keys among them. */
  const check: CredentialCheck = async (partnerIds, keyIds) => {
    const refused = await partnerStatus.check(partnerIds, keyIds);
    apiKeys.forget(refused);
    return refused;
  };
  const contextFor = async (
    credentials: Parameters<typeof authenticator.authenticate>[0],
  ): Promise<GatewayContext> => {
    const receivedAt = performance.now();
    const principal = await authenticator.authenticate(credentials);
    const signedPrincipal = signedPrincipals.sign(principal);
    signedPrincipal.catch(() => undefined);
    return { principal, signedPrincipal, receivedAt };
  };
  return {
    check,
    authenticator,
    /** After a mutation, which may have revoked a key or suspended a partner. */
    forgetCredentials: () => {
      apiKeys.forgetAll();
      partnerStatus.forgetAll();
    },
    fromRequest: (request: http.IncomingMessage) => {
      const apiKey = request.headers['x-api-key'];
      return contextFor({
        authorization: request.headers.authorization,
        apiKey: Array.isArray(apiKey) ? apiKey[0] : apiKey,
      });
    },
    fromParams: (params: Record<string, unknown> | undefined) => {
      const text = (name: string) => (typeof params?.[name] === 'string' ? params[name] : undefined);
      return contextFor({ authorization: text('authorization'), apiKey: text('x-api-key') });
    },
  };
}

/**
 * graphql-ws on the same path: credentials come in the connection parameters, checked at connection init,
 * and every operation runs through the same federated execution as over HTTP.
 */
function federatedGraphqlWs(
  apollo: ApolloServer<GatewayContext>,
  federation: Federation,
  watcher: CredentialWatcher,
  contextFromParams: (params: Record<string, unknown> | undefined) => Promise<GatewayContext>,
): WebSocketEndpoint<GatewayContext> {
  return {
    schema: () => {
      const apiSchema = federation.apiSchema();
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
      const subscriptions = federation.openSubscriptions();
      if (!subscriptions) throw new Error('the gateway has not loaded its schema yet');
      const { principal } = args.contextValue as GatewayContext;
      const result = subscriptions.subscribe(args, principal);
      if (Symbol.asyncIterator in result) result.onClose(watcher.watch(principal));
      return result;
    },
  };
}

async function subgraphsReady(subgraphUrls: GatewayOptions['subgraphUrls']): Promise<void> {
  await Promise.all(
    Object.entries(subgraphUrls).map(async ([name, url]) => {
      const response = await fetch(new URL('/ready', url));
      if (!response.ok) throw new Error(`${name} is not ready`);
    }),
  );
}

/** What one graphql-ws connection holds: its operations in flight and its subscriptions. */
interface ConnectionState {
  running: Map<string, Slot>;
  subscriptions: ConnectionSubscriptions;
  /** Stops watching the connection's credentials. */
  unwatch: () => void;
}

/**
 * The limits over graphql-ws: every operation is authenticated, read, parsed, validated and measured
 * here, and counted against its principal, before graphql-ws runs it; a refusal is an `error` message
 * for that operation, the connection goes on. Credentials refused at connection_init close it (4403).
 */
function graphqlWsAdmission(
  guard: OperationGuard,
  contextFromParams: (params: Record<string, unknown> | undefined) => Promise<GatewayContext>,
  schema: () => GraphQLSchema | undefined,
  watchCredentials: (principal: Principal, close: () => void) => () => void,
): WebSocketHooks {
  const connections = new WeakMap<object, ConnectionState>();
  const release = (state: ConnectionState | undefined, id: string) => {
    state?.running.get(id)?.release();
    state?.running.delete(id);
    state?.subscriptions.held.get(id)?.release();
    state?.subscriptions.held.delete(id);
  };
  return {
    onConnect: async (ctx) => {
      let principal: Principal;
      try {
        ({ principal } = await contextFromParams(ctx.connectionParams));
      } catch {
        return false;
      }
      // A suspension or a revoked key closes the connection within seconds, not at its next operation.
      const unwatch = watchCredentials(principal, () => ctx.extra.socket.close(4403, 'Forbidden'));
      connections.set(ctx, { running: new Map(), subscriptions: new ConnectionSubscriptions(), unwatch });
      return true;
    },
    onSubscribe: async (ctx, id, payload) => {
      const state = connections.get(ctx);
      let context: GatewayContext;
      try {
        if (!state) throw new Error('no connection state');
        context = await contextFromParams(ctx.connectionParams);
      } catch (error) {
        // Credentials that worked at connection_init no longer do (a revoked key): the connection ends.
        ctx.extra.socket.close(4403, 'Forbidden');
        return [
          error instanceof GraphQLError
            ? error
            : new GraphQLError('not authenticated', {
                extensions: { code: 'UNAUTHENTICATED' },
              }),
        ];
      }
      const { principal } = context;
      const loaded = schema();
      if (!loaded)
        return [new GraphQLError('the gateway is starting', { extensions: { code: 'SERVICE_UNAVAILABLE' } })];
      if (typeof payload.query !== 'string' || payload.query === '')
        return [badRequest('the operation has no query')];
      const refused = guard.checkSource(payload.query, principal);
      if (refused) return [refused];
      let document: DocumentNode;
      try {
        document = graphqlRuntime.parse(payload.query, {
          maxTokens: guard.limitsOf(principal).limits.operation.tokens,
        });
      } catch (error) {
        return [new GraphQLError((error as Error).message, { extensions: { code: 'GRAPHQL_PARSE_FAILED' } })];
      }
      const invalid = graphqlRuntime.validate(loaded, document);
      if (invalid.length > 0) {
        const hide = guard.hidesSchema(principal);
        return invalid.map((error) => {
          const formatted = hide ? withoutSuggestions(error.toJSON()) : error.toJSON();
          return new GraphQLError(formatted.message, { extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } });
        });
      }
      const variables = payload.variables ?? {};
      const verdict = guard.checkOperation(
        document,
        payload.operationName,
        variables,
        principal,
        'graphql-ws',
      );
      if ('error' in verdict) return [verdict.error];
      if (verdict.operation.operation === OperationTypeNode.SUBSCRIPTION) {
        const full = guard.admitSubscription(principal, state.subscriptions, id);
        if (full) return [full];
      } else {
        const slot = guard.admit(principal);
        if (slot instanceof GraphQLError) return [slot];
        state.running.set(id, slot);
      }
      return {
        schema: loaded,
        document,
        operationName: payload.operationName ?? null,
        variableValues: variables,
        contextValue: context,
      };
    },
    onComplete: (ctx, id) => release(connections.get(ctx), id),
    onClose: (ctx) => {
      const state = connections.get(ctx);
      if (!state) return;
      state.unwatch();
      for (const slot of state.running.values()) slot.release();
      state.running.clear();
      state.subscriptions.releaseAll();
    },
  };
}
