import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { HeaderMap, type ApolloServer, type BaseContext } from '@apollo/server';
import { createRequire } from 'node:module';
import type { ExecutionArgs, ExecutionResult, GraphQLSchema } from 'graphql';
import { WebSocketServer } from 'ws';
import { useServer } from 'graphql-ws/use/ws';

export const GRAPHQL_PATH = '/graphql';

/**
 * graphql-js as Node loads it for CommonJS: the copy @apollo/subgraph built the schema with and graphql-ws
 * executes with. A bundler-resolved ESM copy would refuse that schema as "from another realm".
 */
const graphql = createRequire(import.meta.url)('graphql') as typeof import('graphql');
const MAX_BODY_BYTES = 5 * 1024 * 1024;

export interface WebSocketEndpoint<Context> {
  /** A function when the schema is known only once the server has started (the gateway's). */
  schema: GraphQLSchema | (() => GraphQLSchema);
  /** Throws to refuse the connection; returns the context for its operations otherwise. */
  context: (connectionParams: Record<string, unknown> | undefined) => Promise<Context>;
  /** Replaces graphql-js execution, as the gateway does with federated execution. */
  execute?: (args: ExecutionArgs) => Promise<ExecutionResult>;
  /** Replaces graphql-js subscriptions, as the gateway does with its subscription executor. */
  subscribe?: (args: ExecutionArgs) => Promise<AsyncIterableIterator<ExecutionResult> | ExecutionResult>;
  /**
   * A context for one event of a subscription, made from the subscription's own. Without it every event
   * would resolve with the loaders of the subscription's first moment and serve what they cached then.
   */
  eventContext?: (subscriptionContext: Context) => Context;
}

/** A plain HTTP endpoint beside GraphQL, such as a document inbox; it answers the whole response. */
export type RouteHandler = (request: http.IncomingMessage, response: http.ServerResponse) => Promise<void>;

export interface HttpServiceOptions<Context extends BaseContext> {
  name: string;
  /** Paths served by their own handler (POST bodies are theirs to read). */
  routes?: Record<string, RouteHandler>;
  /** Serves every other path but GraphQL's (the gateway's web app); 404 without it. */
  fallback?: RouteHandler;
  apollo: ApolloServer<Context>;
  context: (request: http.IncomingMessage) => Promise<Context>;
  /** Resolves when every database this service needs answers. */
  ready: () => Promise<void>;
  webSocket?: WebSocketEndpoint<Context>;
}

export interface RunningService {
  name: string;
  url: string;
  port: number;
  close(): Promise<void>;
}

/**
 * Serves Apollo Server on Node's own http server (no web framework): GraphQL over HTTP and graphql-ws on
 * one path, `/health` (the process is alive) and `/ready` (its databases answer).
 */
export async function startHttpService<Context extends BaseContext>(
  options: HttpServiceOptions<Context>,
  port: number,
  host = '127.0.0.1',
): Promise<RunningService> {
  await options.apollo.start();
  const server = http.createServer((request, response) => {
    handle(options, request, response).catch((error: unknown) => {
      if (!response.headersSent) response.writeHead(500, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ errors: [{ message: (error as Error).message ?? 'internal error' }] }));
    });
  });
  server.keepAliveTimeout = 65_000;

  let closeWebSocket: (() => Promise<void>) | undefined;
  if (options.webSocket) {
    const { schema, context, execute, eventContext } = options.webSocket;
    const subscribe =
      options.webSocket.subscribe ?? (eventContext ? subscribeWithEventContext(eventContext) : undefined);
    const wsServer = new WebSocketServer({ server, path: GRAPHQL_PATH });
    const disposable = useServer(
      {
        schema: typeof schema === 'function' ? () => schema() : schema,
        ...(execute ? { execute } : {}),
        ...(subscribe ? { subscribe } : {}),
        context: (ctx) => context(ctx.connectionParams),
        onConnect: async (ctx) => {
          try {
            await context(ctx.connectionParams);
            return true;
          } catch {
            return false;
          }
        },
      },
      wsServer,
    );
    closeWebSocket = async () => {
      await disposable.dispose();
      await new Promise<void>((resolve) => wsServer.close(() => resolve()));
    };
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const actualPort = (server.address() as AddressInfo).port;
  return {
    name: options.name,
    port: actualPort,
    url: `http://${host}:${actualPort}${GRAPHQL_PATH}`,
    async close() {
      await closeWebSocket?.();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await options.apollo.stop();
    },
  };
}

/**
 * graphql-js `subscribe`, except that each event is executed with a context of its own: what one event
 * loaded is never what the next one reads.
 */
function subscribeWithEventContext<Context>(eventContext: (subscriptionContext: Context) => Context) {
  return async (args: ExecutionArgs): Promise<AsyncIterableIterator<ExecutionResult> | ExecutionResult> => {
    const stream = await graphql.createSourceEventStream(args);
    if (!(Symbol.asyncIterator in stream)) return stream;
    const source = stream[Symbol.asyncIterator]();
    const results: AsyncIterableIterator<ExecutionResult> = {
      async next() {
        const event = await source.next();
        if (event.done) return { done: true, value: undefined };
        const value = await graphql.execute({
          ...args,
          rootValue: event.value,
          contextValue: eventContext(args.contextValue as Context),
        });
        return { done: false, value };
      },
      async return() {
        await source.return?.();
        return { done: true, value: undefined };
      },
      [Symbol.asyncIterator]() {
        return results;
      },
    };
    return results;
  };
}

async function handle<Context extends BaseContext>(
  options: HttpServiceOptions<Context>,
  request: http.IncomingMessage,
  response: http.ServerResponse,
): Promise<void> {
  const url = new URL(request.url ?? '/', 'http://localhost');
  if (url.pathname === '/health') return sendJson(response, 200, { status: 'ok', service: options.name });
  if (url.pathname === '/ready') {
    try {
      await options.ready();
      return sendJson(response, 200, { status: 'ready', service: options.name });
    } catch (error) {
      return sendJson(response, 503, {
        status: 'unavailable',
        service: options.name,
        reason: (error as Error).message,
      });
    }
  }
  const route = options.routes?.[url.pathname];
  if (route) return route(request, response);
  if (url.pathname !== GRAPHQL_PATH)
    return options.fallback
      ? options.fallback(request, response)
      : sendJson(response, 404, { error: 'not found' });

  const headers = new HeaderMap();
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
  }
  const body = request.method === 'POST' ? await readJsonBody(request) : undefined;
  const result = await options.apollo.executeHTTPGraphQLRequest({
    httpGraphQLRequest: { method: request.method ?? 'GET', headers, search: url.search, body },
    context: () => options.context(request),
  });
  for (const [name, value] of result.headers) response.setHeader(name, value);
  response.statusCode = result.status ?? 200;
  if (result.body.kind === 'complete') {
    response.end(result.body.string);
    return;
  }
  for await (const chunk of result.body.asyncIterator) response.write(chunk);
  response.end();
}

async function readJsonBody(request: http.IncomingMessage): Promise<unknown> {
  const body = await readBody(request, MAX_BODY_BYTES);
  if (!body) throw new Error('request body too large');
  const text = body.toString('utf8');
  if (!text) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    // Apollo Server answers an unparsable body with a 400 of its own.
    return text;
  }
}

/**
 * The body, or undefined when it is longer than `limit` bytes: a declared Content-Length over the limit is
 * refused unread, and a body that grows past it stops being buffered.
 */
export async function readBody(request: http.IncomingMessage, limit: number): Promise<Buffer | undefined> {
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) return undefined;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > limit) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

export function sendJson(response: http.ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}
