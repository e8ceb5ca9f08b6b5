import { GraphQLError } from 'graphql';
import { CloseCode, createClient, type Client, type FormattedExecutionResult, type Sink } from 'graphql-ws';
import WebSocket from 'ws';
import { PRINCIPAL_HEADER, visibilityKey, type Principal } from '../platform/auth/principal.ts';

/**
 * The gateway's graphql-ws connections to subgraphs: one WebSocket per subgraph and visibility, however
 * many client subscriptions it carries (graphql-ws multiplexes operations over one socket).
 */

/** One event as a subgraph delivered it. */
export type UpstreamEvent = FormattedExecutionResult<Record<string, unknown>, unknown>;

/** How an upstream subscription ended other than by completing. */
export type UpstreamFailure =
  /** The subgraph refused: the client's subscription ends at once with these errors. */
  | { kind: 'fatal'; errors: readonly GraphQLError[] }
  /** The connection was lost: subscribe again after the last cursor, after a backoff. */
  | { kind: 'retryable'; reason: string };

/**
 * Close codes after which reconnecting cannot help: the subgraph refused who we are or what we sent, or
 * one side broke the protocol. Everything else (a restart's 1001, a dropped socket's 1006, 1011–1013,
 * 4500, the handshake timeouts 4408/4504) is a connection lost and worth another try; so is 4401, a
 * principal's signature that lapsed before its renewal arrived: reconnecting signs it afresh.
 */
const FATAL_CLOSE_CODES: ReadonlyMap<number, { code: string; what: string }> = new Map([
  [CloseCode.BadRequest, { code: 'BAD_REQUEST', what: 'refused the request as malformed' }],
  [CloseCode.Forbidden, { code: 'FORBIDDEN', what: 'refused the subscription' }],
  [CloseCode.SubprotocolNotAcceptable, { code: 'BAD_REQUEST', what: 'does not speak graphql-ws' }],
  [CloseCode.SubscriberAlreadyExists, { code: 'INTERNAL_SERVER_ERROR', what: 'saw a repeated operation id' }],
  [CloseCode.TooManyInitialisationRequests, { code: 'INTERNAL_SERVER_ERROR', what: 'saw a repeated init' }],
  [CloseCode.BadResponse, { code: 'INTERNAL_SERVER_ERROR', what: 'sent a message graphql-ws rejects' }],
  [CloseCode.InternalClientError, { code: 'INTERNAL_SERVER_ERROR', what: 'could not be spoken to' }],
]);

/** Sorts what a graphql-ws sink's `error` received: GraphQL errors, a close event, or a socket error. */
export function classifyUpstreamFailure(subgraph: string, error: unknown): UpstreamFailure {
  if (Array.isArray(error)) {
    // The subgraph answered the operation with errors (a bad cursor, a forbidden field): final.
    return { kind: 'fatal', errors: error.map((e) => asGraphQLError(e, 'BAD_REQUEST')) };
  }
  const code = closeCodeOf(error);
  if (code !== undefined) {
    const fatal = FATAL_CLOSE_CODES.get(code);
    if (fatal) {
      return {
        kind: 'fatal',
        errors: [
          new GraphQLError(`${subgraph} ${fatal.what} (close code ${code}); the subscription has ended`, {
            extensions: { code: fatal.code, closeCode: code },
          }),
        ],
      };
    }
    return { kind: 'retryable', reason: `connection closed with ${code}` };
  }
  return { kind: 'retryable', reason: error instanceof Error ? error.message : 'connection failed' };
}

function closeCodeOf(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  return typeof error.code === 'number' ? error.code : undefined;
}

/** Errors as graphql-ws sends them: plain objects from a subgraph or a plan, kept with their code. */
export function asGraphQLError(error: unknown, fallbackCode: string): GraphQLError {
  if (error instanceof GraphQLError) return error;
  const { message, path, extensions } = error as {
    message?: string;
    path?: (string | number)[];
    extensions?: Record<string, unknown>;
  };
  return new GraphQLError(message ?? 'subgraph request failed', {
    ...(path ? { path } : {}),
    extensions: { code: fallbackCode, ...extensions },
  });
}

export interface UpstreamOptions {
  subgraphUrls: Record<string, string>;
  /** Signs the principal for one subgraph connection (the signature lives a minute). */
  sign: (principal: Principal) => Promise<string>;
  /** How often an open connection's principal is renewed; well within the signature's life. */
  renewEveryMs?: number;
}

/** A third of the signature's one-minute life: two renewals may be lost before it lapses. */
const RENEW_EVERY_MS = 20_000;

interface Connection {
  client: Client;
  users: number;
}

export class UpstreamConnections {
  private readonly connections = new Map<string, Connection>();

  constructor(private readonly options: UpstreamOptions) {}

  /** Open upstream connections (sockets open only while they carry a subscription). */
  get size(): number {
    return this.connections.size;
  }

  /**
   * Subscribes on the connection for this subgraph and visibility, opening it when needed. Returns the
   * unsubscribe function; the connection closes when its last subscription goes.
   */
  subscribe(
    subgraph: string,
    principal: Principal,
    payload: { query: string; variables: Record<string, unknown> },
    sink: Sink<UpstreamEvent>,
  ): () => void {
    const key = `${subgraph} ${visibilityKey(principal)}`;
    let connection = this.connections.get(key);
    if (!connection) {
      connection = { client: this.connect(subgraph, principal), users: 0 };
      this.connections.set(key, connection);
    }
    const used = connection;
    used.users += 1;
    const unsubscribe = used.client.subscribe<Record<string, unknown>, unknown>(payload, sink);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      unsubscribe();
      used.users -= 1;
      if (used.users === 0 && this.connections.get(key) === used) {
        this.connections.delete(key);
        void used.client.dispose();
      }
    };
  }

  async close(): Promise<void> {
    const all = [...this.connections.values()];
    this.connections.clear();
    await Promise.all(
      all.map(async (connection) => {
        await connection.client.dispose();
      }),
    );
  }

  private connect(subgraph: string, principal: Principal): Client {
    const url = new URL(this.options.subgraphUrls[subgraph]!);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    const client = createClient({
      url: url.toString(),
      webSocketImpl: WebSocket,
      lazy: true,
      // Reconnecting is the relay's job: it knows each subscription's last cursor; the client does not.
      retryAttempts: 0,
      connectionParams: () => this.connectionParams(principal),
    });
    // The subgraph closes a connection whose principal has expired: while open, it is renewed in place
    // by a graphql-ws ping carrying a fresh signature, so no subscription on it is interrupted.
    let renewal: NodeJS.Timeout | undefined;
    client.on('connected', (socket) => {
      clearInterval(renewal);
      renewal = setInterval(() => {
        void this.connectionParams(principal).then(
          (payload) => {
            if (socket instanceof WebSocket && socket.readyState === WebSocket.OPEN)
              socket.send(JSON.stringify({ type: 'ping', payload }));
          },
          () => undefined,
        );
      }, this.options.renewEveryMs ?? RENEW_EVERY_MS);
      renewal.unref();
    });
    client.on('closed', () => clearInterval(renewal));
    return client;
  }

  /**
   * What a subgraph connection authenticates with, produced afresh at every (re)connect: the one place
   * to renew or re-check the principal of a long-lived connection.
   */
  private async connectionParams(principal: Principal): Promise<Record<string, unknown>> {
    return { [PRINCIPAL_HEADER]: await this.options.sign(principal) };
  }
}
