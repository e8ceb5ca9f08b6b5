import { readFile } from 'node:fs/promises';
import type http from 'node:http';
import { ApolloServer, type BaseContext } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/index.js';
import { parse } from 'graphql';
import { decodeJwt } from 'jose';
import { PRINCIPAL_HEADER, verifyPrincipal, visibilityKey, type Principal } from '../auth/principal.ts';
import { VerifiedPrincipals } from '../auth/verifiedPrincipals.ts';
import { safeFormatError, unauthenticated } from '../errors.ts';
import type { RunningConsumer } from '../events/consumer.ts';
import type { Runtime } from '../runtime.ts';
import type { SubgraphName } from '../subgraphs.ts';
import {
  sendJson,
  startHttpService,
  type RouteHandler,
  type RunningService,
  type WebSocketHooks,
} from './http.ts';

export interface SubgraphInstance<Context extends BaseContext> {
  resolvers: GraphQLResolverMap<Context>;
  /** Builds the per-request context, with fresh DataLoaders, for a verified principal. */
  createContext(principal: Principal): Context;
  /** Throws when a database the subgraph needs does not answer. */
  ready(): Promise<void>;
  /** Event consumers the subgraph runs, so callers can wait until they have caught up. */
  consumers?: RunningConsumer[];
  /** Plain HTTP endpoints beside GraphQL; each is called with the verified principal of the request. */
  routes?: Record<string, PrincipalRoute>;
  /** Stops background work (event consumers); the HTTP side is closed by the platform. */
  stop?(): Promise<void>;
}

export type PrincipalRoute = (
  request: http.IncomingMessage,
  response: http.ServerResponse,
  principal: Principal,
) => Promise<void>;

export interface SubgraphModule<Context extends BaseContext = BaseContext> {
  name: SubgraphName;
  /** Whether it needs `runtime.neo4j`: the others prepare and start while Neo4j is still starting. */
  usesNeo4j?: boolean;
  /** Applies the subgraph's migrations or schema constraints; idempotent. */
  prepare(runtime: Runtime): Promise<void>;
  create(runtime: Runtime): Promise<SubgraphInstance<Context>>;
}

export interface RunningSubgraph extends RunningService {
  instance: SubgraphInstance<BaseContext>;
}

const schemaUrl = (name: string) => new URL(`../../schema/${name}.graphql`, import.meta.url);

/**
 * Serves one subgraph. Every request, HTTP or graphql-ws, must carry the principal signed by the gateway:
 * a request that goes around the gateway gets nothing.
 */
export async function startSubgraph<Context extends BaseContext>(
  module: SubgraphModule<Context>,
  runtime: Runtime,
  port: number,
  host?: string,
): Promise<RunningSubgraph> {
  const typeDefs = parse(await readFile(schemaUrl(module.name), 'utf8'));
  const instance = await module.create(runtime);
  const schema = buildSubgraphSchema({
    typeDefs,
    resolvers: instance.resolvers as GraphQLResolverMap<unknown>,
  });
  // Whose context it is, so that each subscription event gets fresh loaders for the same principal; its
  // visibility is worked out once per subscription, not once per event.
  const subscribers = new WeakMap<Context, Subscriber>();
  const verified = new VerifiedPrincipals(runtime.internalSecret);
  const refusal = `${module.name} accepts only requests signed by the gateway`;
  /** The principal the gateway signed; undefined when the signature is missing, wrong or expired. */
  const principalOf = (signed: unknown): Promise<Principal | undefined> =>
    verified.principalOf(typeof signed === 'string' ? signed : undefined);
  const contextFor = async (signed: unknown): Promise<Context> => {
    const principal = await principalOf(signed);
    if (!principal) throw unauthenticated(refusal);
    const context = instance.createContext(principal);
    subscribers.set(context, { principal, visibility: visibilityKey(principal) });
    return context;
  };
  const eventContexts = new EventContexts(instance.createContext.bind(instance));
  const apollo = new ApolloServer<Context>({
    schema,
    introspection: true,
    // Traces go to Apollo's hosted studio, which this deployment does not use.
    plugins: [ApolloServerPluginInlineTraceDisabled()],
    includeStacktraceInErrorResponses: false,
    formatError: safeFormatError(module.name),
  });
  // Plain routes take the same signed principal as GraphQL: around the gateway they answer 401.
  const routes = Object.fromEntries(
    Object.entries(instance.routes ?? {}).map(([path, route]): [string, RouteHandler] => [
      path,
      async (request, response) => {
        const principal = await principalOf(request.headers[PRINCIPAL_HEADER]);
        if (principal) return route(request, response, principal);
        request.resume();
        return sendJson(response, 401, { error: refusal });
      },
    ]),
  );
  const service = await startHttpService<Context>(
    {
      name: module.name,
      routes,
      apollo,
      context: (request: http.IncomingMessage) => contextFor(request.headers[PRINCIPAL_HEADER]),
      ready: () => instance.ready(),
      webSocket: {
        schema,
        context: (params) => contextFor(params?.[PRINCIPAL_HEADER]),
        hooks: principalExpiry(runtime.internalSecret),
        eventContext: (context, event) => {
          const subscriber = subscribers.get(context);
          if (!subscriber) throw new Error('a subscription context the subgraph did not make');
          return eventContexts.contextFor(event, subscriber);
        },
      },
    },
    port,
    host,
  );
  return {
    ...service,
    instance: instance as unknown as SubgraphInstance<BaseContext>,
    async close() {
      await instance.stop?.();
      await service.close();
    },
  };
}

/** Whether two principals are the same caller: a renewal may extend a connection, never change who it is. */
function samePrincipal(a: Principal, b: Principal): boolean {
  return (
    a.subject === b.subject &&
    a.partnerId === b.partnerId &&
    [...a.roles].sort().join() === [...b.roles].sort().join()
  );
}

/**
 * A subgraph connection lives as long as the principal it was opened with: when the signature's expiry
 * passes, the connection closes (4401), so a captured header streams for a minute at most. The gateway
 * renews it on the open connection by a graphql-ws `ping` whose payload carries a fresh signature of the
 * same principal; operations started later verify that one.
 */
function principalExpiry(secret: string): WebSocketHooks {
  const timers = new WeakMap<object, NodeJS.Timeout>();
  const principals = new WeakMap<object, Principal>();
  const expireAt = (ctx: object, close: () => void, signed: string) => {
    clearTimeout(timers.get(ctx));
    const { exp } = decodeJwt(signed);
    const timer = setTimeout(close, Math.max(0, (exp ?? 0) * 1_000 - Date.now()));
    timer.unref();
    timers.set(ctx, timer);
  };
  return {
    onConnect: async (ctx) => {
      const signed = ctx.connectionParams?.[PRINCIPAL_HEADER];
      if (typeof signed !== 'string') return false;
      try {
        principals.set(ctx, await verifyPrincipal(signed, secret));
      } catch {
        return false;
      }
      expireAt(ctx, () => ctx.extra.socket.close(4401, 'Unauthorized: the principal expired'), signed);
      return true;
    },
    onPing: async (ctx, payload) => {
      const renewed = payload?.[PRINCIPAL_HEADER];
      const before = principals.get(ctx);
      if (typeof renewed !== 'string' || !before || !ctx.connectionParams) return;
      const next = await verifyPrincipal(renewed, secret).catch(() => undefined);
      if (!next || !samePrincipal(next, before)) {
        ctx.extra.socket.close(4403, 'Forbidden: the renewal is not the same principal');
        return;
      }
      // graphql-ws types the parameters read-only; they are the connection's credentials, which the
      // context of every later operation verifies, so the renewed signature takes the old one's place.
      (ctx.connectionParams as Record<string, unknown>)[PRINCIPAL_HEADER] = renewed;
      expireAt(ctx, () => ctx.extra.socket.close(4401, 'Unauthorized: the principal expired'), renewed);
    },
    onClose: (ctx) => clearTimeout(timers.get(ctx)),
  };
}

/**
 * The contexts in which subscription events are resolved. One event handed to a thousand subscribers of
 * the same visibility is resolved with one context, so its loaders read the event's order once, not a
 * thousand times; the next event gets a context of its own, so nothing read for one event is served for
 * a later one. Events replayed for one subscriber are objects of their own and share nothing.
 */
interface Subscriber {
  principal: Principal;
  visibility: string;
}

class EventContexts<Context> {
  private readonly byEvent = new WeakMap<object, Map<string, Context>>();

  constructor(private readonly create: (principal: Principal) => Context) {}

  contextFor(event: unknown, { principal, visibility }: Subscriber): Context {
    if (typeof event !== 'object' || event === null) return this.create(principal);
    let byVisibility = this.byEvent.get(event);
    if (!byVisibility) {
      byVisibility = new Map();
      this.byEvent.set(event, byVisibility);
    }
    let context = byVisibility.get(visibility);
    if (!context) {
      context = this.create(principal);
      byVisibility.set(visibility, context);
    }
    return context;
  }
}
