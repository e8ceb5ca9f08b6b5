import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { HeaderMap, type ApolloServer, type BaseContext } from '@apollo/server';
import { createRequire } from 'node:module';
import type {
  ExecutionArgs,
  ExecutionResult,
  GraphQLError,
  GraphQLFormattedError,
  GraphQLSchema,
} from 'graphql';
import type { ServerOptions } from 'graphql-ws';
import { WebSocketServer } from 'ws';
import { serveGraphqlWs, type Extra } from './graphqlWsServer.ts';
import { clientSafeError } from '../errors.ts';

export const GRAPHQL_PATH = '/graphql';
/** Where a service started on `host` and `port` answers GraphQL. */
export const graphqlUrl = (host: string, port: number) => `http://${host}:${port}${GRAPHQL_PATH}`;

/**
 * graphql-js as Node loads it for CommonJS: the copy @apollo/subgraph built the schema with and graphql-ws
 * executes with. A bundler-resolved ESM copy would refuse that schema as "from another realm".
 */
export const graphqlRuntime = createRequire(import.meta.url)('graphql') as typeof import('graphql');
const graphql = graphqlRuntime;
const DEFAULT_MAX_BODY_BYTES = 5 * 1024 * 1024;
/** Subgraphs hear only from the gateway, whose subscribe messages are small. */
const DEFAULT_MAX_WS_MESSAGE_BYTES = 1024 * 1024;
/**
 * A body over the limit is still read (and dropped) up to this many bytes, so the connection stays
 * usable for the client's next request; beyond it the connection is closed after the 413.
 */
const DRAIN_LIMIT_BYTES = 64 * 1024 * 1024;

/** The graphql-ws hooks a service may add; each replaces the platform's default of the same name. */
export type WebSocketHooks = Partial<
  Pick<
    ServerOptions<Record<string, unknown> | undefined, Extra>,
    'onConnect' | 'onSubscribe' | 'onComplete' | 'onClose' | 'onPing'
  >
>;

/** Admission of one HTTP GraphQL request: held while it runs, or the error to answer instead. */
export type HttpAdmission = { release(): void } | GraphQLError;

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
   * `event` is the source event, the same object for every subscriber it was handed to.
   */
  eventContext?: (subscriptionContext: Context, event: unknown) => Context;
  /** Largest message, connection_init included: a larger one closes the socket (1009) before it is read. */
  maxPayload?: number;
  hooks?: WebSocketHooks;
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
  /** Binds the port only once this resolves: a service started beside what it depends on is ready first. */
  listenAfter?: Promise<void>;
  webSocket?: WebSocketEndpoint<Context>;
  /** Largest request body; a larger one is answered 413 (PAYLOAD_TOO_LARGE). */
  maxBodyBytes?: number;
  /**
   * Admits a GraphQL request, once its principal is known, before Apollo Server parses it: `query` is
   * the operation's text (from the body or the URL), when there is one.
   */
  admit?: (context: Context, query: string | undefined) => HttpAdmission;
}

export interface RunningService {
  name: string;
  url: string;
  port: number;
  /** Served from a worker thread: that thread's heap in use (the process's own figures leave it out). */
  heapBytes?: () => Promise<number>;
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
      const safe = clientSafeError(options.name, { message: String(error) }, error);
      if (!response.headersSent) response.writeHead(500, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ errors: [safe] }));
    });
  });
  server.keepAliveTimeout = 65_000;

  let closeWebSocket: (() => Promise<void>) | undefined;
  if (options.webSocket) {
    const { schema, context, execute, eventContext } = options.webSocket;
    const subscribe =
      options.webSocket.subscribe ?? (eventContext ? subscribeWithEventContext(eventContext) : undefined);
    const wsServer = new WebSocketServer({
      server,
      path: GRAPHQL_PATH,
      maxPayload: options.webSocket.maxPayload ?? DEFAULT_MAX_WS_MESSAGE_BYTES,
    });
    const hooks = options.webSocket.hooks ?? {};
    const safe = (error: GraphQLError | GraphQLFormattedError) =>
      clientSafeError(options.name, 'toJSON' in error ? error.toJSON() : error, error);
    const disposable = serveGraphqlWs<Record<string, unknown> | undefined>(
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
        ...hooks,
        ...(hooks.onSubscribe ? { onSubscribe: runtimeErrors(hooks.onSubscribe) } : {}),
        // What reaches a client over graphql-ws is formatted like what reaches it over HTTP. A result
        // without errors goes as it is, the same object for every subscriber it is fanned out to, which
        // is what lets serveGraphqlWs serialize it once.
        onNext: (_ctx, _id, _payload, _args, result) =>
          result.errors ? { ...result, errors: result.errors.map(safe) } : result,
        onError: (_ctx, _id, _payload, errors) => errors.map(safe),
      },
      wsServer,
    );
    closeWebSocket = async () => {
      await disposable.dispose();
      await new Promise<void>((resolve) => wsServer.close(() => resolve()));
    };
  }

  await options.listenAfter;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const actualPort = (server.address() as AddressInfo).port;
  return {
    name: options.name,
    port: actualPort,
    url: graphqlUrl(host, actualPort),
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
function subscribeWithEventContext<Context>(
  eventContext: (subscriptionContext: Context, event: unknown) => Context,
) {
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
          contextValue: eventContext(args.contextValue as Context, event.value),
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
  const limit = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  let body: unknown;
  if (request.method === 'POST') {
    const read = await readBody(request, limit);
    if (!read) return refuseTooLarge(request, response, limit);
    body = parseJsonBody(read);
  }
  // The principal is made once: the admission reads it, and Apollo Server's context is the same.
  const context = options.context(request);
  context.catch(() => undefined);
  let admission: { release(): void } | undefined;
  if (options.admit) {
    const known = await context.catch(() => undefined);
    // A request whose credentials fail is Apollo Server's to answer (401); it runs nothing.
    if (known) {
      const verdict = options.admit(known, queryText(body, url));
      if (!('release' in verdict)) return sendGraphQLError(response, verdict);
      admission = verdict;
    }
  }
  try {
    const result = await options.apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method: request.method ?? 'GET', headers, search: url.search, body },
      context: () => context,
    });
    for (const [name, value] of result.headers) response.setHeader(name, value);
    response.statusCode = result.status ?? 200;
    if (result.body.kind === 'complete') {
      response.end(result.body.string);
      return;
    }
    for await (const chunk of result.body.asyncIterator) response.write(chunk);
    response.end();
  } finally {
    admission?.release();
  }
}

/** The text of the operation a GraphQL request carries, in a POST body or a GET's `query` parameter. */
function queryText(body: unknown, url: URL): string | undefined {
  if (typeof body === 'object' && body !== null && 'query' in body)
    return typeof body.query === 'string' ? body.query : undefined;
  return url.searchParams.get('query') ?? undefined;
}

/** An error answered as GraphQL over HTTP does: its `http` extension sets the status and headers. */
function sendGraphQLError(response: http.ServerResponse, error: GraphQLError): void {
  const { http: head, ...extensions } = error.extensions as {
    http?: { status?: number; headers?: Map<string, string> };
  } & Record<string, unknown>;
  for (const [name, value] of head?.headers ?? []) response.setHeader(name, value);
  sendJson(response, head?.status ?? 400, { errors: [{ message: error.message, extensions }] });
}

/** 413 for a body over the limit; readBody drains the rest, so a keep-alive connection goes on. */
function refuseTooLarge(request: http.IncomingMessage, response: http.ServerResponse, limit: number): void {
  if (tooLargeToDrain(request)) response.setHeader('connection', 'close');
  sendJson(response, 413, {
    errors: [
      {
        message: `the request body exceeds ${limit} bytes`,
        extensions: { code: 'PAYLOAD_TOO_LARGE', limit: 'bodyBytes', max: limit },
      },
    ],
  });
}

function tooLargeToDrain(request: http.IncomingMessage): boolean {
  const declared = Number(request.headers['content-length']);
  return Number.isFinite(declared) && declared > DRAIN_LIMIT_BYTES;
}

/**
 * Reads and drops the rest of a refused body, so that the next request on the connection is parsed from
 * its first byte; a body larger than DRAIN_LIMIT_BYTES closes the connection instead.
 */
function discardRest(request: http.IncomingMessage): void {
  if (request.readableEnded) return;
  let drained = 0;
  request.on('data', (chunk: Buffer) => {
    drained += chunk.length;
    if (drained > DRAIN_LIMIT_BYTES) request.socket.destroy();
  });
  request.resume();
}

function parseJsonBody(body: Buffer): unknown {
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
 * refused unread, and a body that grows past it stops being buffered; either is drained, not destroyed,
 * so the caller's answer is read by the client and its connection goes on.
 */
export function readBody(request: http.IncomingMessage, limit: number): Promise<Buffer | undefined> {
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    discardRest(request);
    return Promise.resolve(undefined);
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        cleanup();
        discardRest(request);
        resolve(undefined);
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(Buffer.concat(chunks));
    };
    const onError = (error: Error) => {
      cleanup();
      reject(error);
    };
    const cleanup = () => {
      request.off('data', onData);
      request.off('end', onEnd);
      request.off('error', onError);
    };
    request.on('data', onData);
    request.on('end', onEnd);
    request.on('error', onError);
  });
}

/**
 * graphql-ws accepts from onSubscribe only errors of the graphql-js copy it runs on; a service's own may
 * come from another copy (under a bundler). They are remade on that copy, without the HTTP-only extension.
 */
type SubscribeHook = NonNullable<WebSocketHooks['onSubscribe']>;
function runtimeErrors(hook: SubscribeHook): SubscribeHook {
  return async (ctx, id, payload) => {
    const outcome = await hook(ctx, id, payload);
    if (!Array.isArray(outcome)) return outcome;
    return (outcome as readonly GraphQLError[]).map((error) => {
      const extensions = { ...error.extensions };
      delete extensions.http;
      return new graphql.GraphQLError(error.message, { extensions });
    });
  };
}

export function sendJson(response: http.ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}
