import type http from 'node:http';
import type { Socket } from 'node:net';
import { CloseCode, handleProtocols, makeServer, type ServerOptions } from 'graphql-ws';
import type { RawData, WebSocket, WebSocketServer } from 'ws';

/**
 * graphql-ws on a `ws` server, as graphql-ws's own `useServer` does it, except for how messages leave.
 *
 * graphql-ws waits for each message's `send` before it takes the subscription's next result. `useServer`
 * resolves that send only once the frame is written, so every message cost a write of its own: a burst
 * of events to ten thousand subscribers was as many system calls, most of the gateway's time. Here a
 * send resolves at once while the socket's buffer is under its high-water mark (beyond it, the next
 * message waits for the socket as before), and the frames sent to one socket while one event is handled
 * (the callback and the promise reactions it sets off) leave in one write.
 *
 * And a result fanned out to many subscribers is serialized once: the payload of each `next` message is
 * written as the text it had for the first subscriber, with only the id around it new.
 */

/** What the hooks learn about a connection: its socket and the upgrade request. */
export interface Extra {
  readonly socket: WebSocket;
  readonly request: http.IncomingMessage;
}

/** Each connection is pinged this often, and dropped if it has not answered a ping within as long. */
const KEEP_ALIVE_MS = 12_000;
const INTERNAL_ERROR = 'Internal server error';

/**
 * Sockets corked while the current event is handled. They are uncorked, each in one write, on the next
 * tick: after the promise reactions queued so far, which is where graphql-ws sends a burst's messages.
 * Uncorked any later, the frames of a burst outlive young-generation collections and cost more to keep.
 */
const corked = new Set<Socket>();

function uncorkAll(): void {
  const sockets = [...corked];
  corked.clear();
  for (const socket of sockets) socket.uncork();
}

/** Each fanned-out result's JSON, made for its first subscriber. */
const payloadJson = new WeakMap<object, string>();
/**
 * What graphql-ws serializes in place of a `next` payload: the JSON of a string no payload can be, since
 * a payload is an object. Its message ends with it (graphql-ws writes id, type, payload in that order).
 */
const PAYLOAD_MARK = '\u0000';
const PAYLOAD_MARK_END = `${JSON.stringify(PAYLOAD_MARK)}}`;
/**
 * The payload the last `next` message left out. graphql-ws calls `send` right after it serializes a
 * message, in the same synchronous step, so the next `send` is that message's.
 */
let leftOut: string | undefined;

function markPayload(this: unknown, key: string, value: unknown): unknown {
  if (key !== 'payload' || !isNextMessage(this) || typeof value !== 'object' || value === null) return value;
  let json = payloadJson.get(value);
  if (json === undefined) {
    json = JSON.stringify(value);
    payloadJson.set(value, json);
  }
  leftOut = json;
  return PAYLOAD_MARK;
}

function isNextMessage(holder: unknown): boolean {
  return typeof holder === 'object' && holder !== null && (holder as { type?: unknown }).type === 'next';
}

function withPayload(data: string): string {
  const payload = leftOut;
  if (payload === undefined) return data;
  leftOut = undefined;
  if (!data.endsWith(PAYLOAD_MARK_END))
    throw new Error('graphql-ws no longer ends a next message with its payload');
  return `${data.slice(0, -PAYLOAD_MARK_END.length)}${payload}}`;
}

function text(data: RawData): string {
  return (
    Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data)
  ).toString();
}

function corkForThisTurn(socket: Socket): void {
  if (corked.has(socket)) return;
  if (corked.size === 0) process.nextTick(uncorkAll);
  corked.add(socket);
  socket.cork();
}

export function serveGraphqlWs<Payload extends Record<string, unknown> | undefined>(
  options: ServerOptions<Payload, Extra>,
  wsServer: WebSocketServer,
): { dispose(): Promise<void> } {
  if (options.jsonMessageReplacer) throw new Error('serveGraphqlWs serializes messages itself');
  const server = makeServer({ ...options, jsonMessageReplacer: markPayload });
  wsServer.options.handleProtocols = handleProtocols;
  wsServer.once('error', (error) => {
    console.error('graphql-ws: the WebSocket server failed:', error);
    for (const client of wsServer.clients) client.close(CloseCode.InternalServerError, INTERNAL_ERROR);
  });

  wsServer.on('connection', (socket, request) => {
    socket.once('error', (error) => {
      console.error('graphql-ws: a WebSocket failed:', error);
      socket.close(CloseCode.InternalServerError, INTERNAL_ERROR);
    });
    let pongWait: NodeJS.Timeout | undefined;
    const pings = setInterval(() => {
      if (socket.readyState !== socket.OPEN || pongWait) return;
      pongWait = setTimeout(() => socket.terminate(), KEEP_ALIVE_MS);
      socket.once('pong', () => {
        clearTimeout(pongWait);
        pongWait = undefined;
      });
      socket.ping();
    }, KEEP_ALIVE_MS);

    const closed = server.opened(
      {
        protocol: socket.protocol,
        send: (serialized) => {
          const data = withPayload(serialized);
          if (socket.readyState !== socket.OPEN) return;
          corkForThisTurn(request.socket);
          if (socket.bufferedAmount < request.socket.writableHighWaterMark) {
            // A failed write closes the socket, and graphql-ws learns it from the close.
            socket.send(data);
            return;
          }
          return new Promise<void>((resolve, reject) =>
            socket.send(data, (error) => (error ? reject(error) : resolve())),
          );
        },
        close: (code, reason) => socket.close(code, reason),
        onMessage: (handle) =>
          socket.on('message', (message) => {
            handle(text(message)).catch((error: unknown) => {
              console.error('graphql-ws: a message could not be handled:', error);
              socket.close(CloseCode.InternalServerError, INTERNAL_ERROR);
            });
          }),
      },
      { socket, request },
    );

    socket.once('close', (code, reason) => {
      clearTimeout(pongWait);
      clearInterval(pings);
      void closed(code, reason.toString());
    });
  });

  return {
    async dispose() {
      for (const client of wsServer.clients) client.close(1001, 'Going away');
      wsServer.removeAllListeners();
      await new Promise<void>((resolve, reject) =>
        wsServer.close((error) => (error ? reject(error) : resolve())),
      );
    },
  };
}
