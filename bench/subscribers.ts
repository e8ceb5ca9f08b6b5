import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { percentile } from './percentile.ts';

/**
 * The subscribers of `bench:subscriptions`, in a process of their own so that their work is not the
 * measured stack's. Driven over IPC: `open` connects and subscribes everyone, `results` compares what
 * arrived with what was committed.
 */

export interface SubscriberSpec {
  partnerId: string;
  connectionParams: Record<string, string>;
}

export type ToSubscribers =
  | { kind: 'open'; url: string; query: string; subscribers: SubscriberSpec[] }
  | {
      kind: 'results';
      committedAt: Record<string, number>;
      expectedPerPartner: Record<string, number>;
      /** From the first measured event's schedule to the last commit. */
      measured: { from: number; until: number };
    }
  /** Fresh ping payloads, by subscriber index: a direct subscriber renews its signed principal in place. */
  | { kind: 'renew'; payloads: Record<string, string>[] }
  | { kind: 'close' };

export type FromSubscribers =
  | { kind: 'ready'; connected: number }
  /** `cpuMicros`: this process's CPU time so far (user and system), so the driver can tell a saturated client. */
  | { kind: 'progress'; delivered: number; errors: number; cpuMicros: number }
  | { kind: 'results'; results: SubscriberResults };

export interface SubscriberResults {
  expected: number;
  delivered: number;
  lost: number;
  duplicated: number;
  /** The nested order older than the event: a status before the event's. */
  stale: number;
  /** The nested order newer than the event (completed after a later step): allowed, counted. */
  newer: number;
  errors: number;
  firstError: string | undefined;
  /** Null when nothing arrived (NaN does not survive IPC). */
  latencies: Latencies & { max: number | null };
  /**
   * Of the events committed in each sixth of the measured run: a stack that keeps up holds them level, one
   * that falls behind shows them growing from sixth to sixth.
   */
  latenciesBySixth: Latencies[];
  /**
   * Deliveries that arrived while events were being committed, per second: at a steady latency, the rate
   * asked for; lower, the stack falls behind. (Deliveries over the whole run also count the drain at its end.)
   */
  sustainedPerSecond: number;
}

interface Latencies {
  p50: number | null;
  p99: number | null;
}

interface OrderEventView {
  cursor: string;
  type: string;
  status: string;
  order: { id: string; status: string };
}

/** The lifecycle order of the statuses the benchmark walks through. */
const RANK: Record<string, number> = { DRAFT: 0, SUBMITTED: 1, CONFIRMED: 2 };

const now = () => performance.timeOrigin + performance.now();

interface Subscriber {
  partnerId: string;
  client: Client;
  socket?: WebSocket;
  lastCursor: bigint;
  distinct: number;
}

const subscribers: Subscriber[] = [];
/** Arrival times per `orderId:type`, over all subscribers. */
const arrivals = new Map<string, number[]>();
let delivered = 0;
let duplicated = 0;
let stale = 0;
let newer = 0;
let errors = 0;
let firstError: string | undefined;

function send(message: FromSubscribers): void {
  process.send!(message);
}

/**
 * Subscribers connect in waves, as people and systems do: ten thousand handshakes in one instant would
 * exceed graphql-ws's 3 s wait for connection_init on a loaded server, and measure that instead.
 */
const CONNECT_WAVE = 250;

async function open(url: string, query: string, specs: SubscriberSpec[]): Promise<void> {
  let connected = 0;
  for (let from = 0; from < specs.length; from += CONNECT_WAVE) {
    await openWave(url, query, specs.slice(from, from + CONNECT_WAVE), () => (connected += 1));
  }
  send({ kind: 'ready', connected });
}

async function openWave(
  url: string,
  query: string,
  specs: SubscriberSpec[],
  onConnected: () => void,
): Promise<void> {
  await Promise.all(
    specs.map(
      (spec) =>
        new Promise<void>((resolve) => {
          const subscriber: Subscriber = {
            partnerId: spec.partnerId,
            lastCursor: 0n,
            distinct: 0,
            client: createClient({
              url,
              webSocketImpl: WebSocket,
              connectionParams: spec.connectionParams,
              retryAttempts: 0,
              on: {
                opened: (socket) => {
                  subscriber.socket = socket as WebSocket;
                },
                connected: () => {
                  onConnected();
                  resolve();
                },
                error: () => resolve(),
              },
            }),
          };
          subscribers.push(subscriber);
          subscriber.client.subscribe<{ orderEvents: OrderEventView }>(
            { query },
            {
              next: ({ data, errors: eventErrors }) => {
                if (eventErrors) {
                  errors += 1;
                  firstError ??= JSON.stringify(eventErrors);
                }
                const event = data?.orderEvents;
                if (!event) return;
                const at = now();
                delivered += 1;
                const cursor = BigInt(event.cursor);
                if (cursor <= subscriber.lastCursor) duplicated += 1;
                else {
                  subscriber.lastCursor = cursor;
                  subscriber.distinct += 1;
                }
                const eventRank = RANK[event.status] ?? 0;
                const orderRank = RANK[event.order.status] ?? 0;
                if (orderRank < eventRank) stale += 1;
                else if (orderRank > eventRank) newer += 1;
                const key = `${event.order.id}:${event.type}`;
                const list = arrivals.get(key);
                if (list) list.push(at);
                else arrivals.set(key, [at]);
              },
              error: (error) => {
                errors += 1;
                firstError ??= describe(error);
              },
              complete: () => undefined,
            },
          );
        }),
    ),
  );
}

function results(
  committedAt: Record<string, number>,
  expectedPerPartner: Record<string, number>,
  measured: { from: number; until: number },
): void {
  let expected = 0;
  let lost = 0;
  for (const subscriber of subscribers) {
    const owed = expectedPerPartner[subscriber.partnerId] ?? 0;
    expected += owed;
    lost += Math.max(0, owed - subscriber.distinct);
  }
  // Only measured events have a commit time, so every latency falls in a sixth.
  const bySixth: number[][] = Array.from({ length: 6 }, () => []);
  const sixth = (measured.until - measured.from) / 6;
  let whileCommitting = 0;
  for (const [key, times] of arrivals) {
    for (const time of times) if (time >= measured.from && time <= measured.until) whileCommitting += 1;
    const committed = committedAt[key];
    if (committed === undefined) continue;
    const bucket = bySixth[Math.min(5, Math.max(0, Math.floor((committed - measured.from) / sixth)))]!;
    for (const time of times) bucket.push(time - committed);
  }
  const sorted = bySixth.flat().sort((a, b) => a - b);
  send({
    kind: 'results',
    results: {
      expected,
      delivered,
      lost,
      duplicated,
      stale,
      newer,
      errors,
      firstError,
      latencies: { ...percentiles(sorted), max: sorted.at(-1) ?? null },
      latenciesBySixth: bySixth.map((bucket) => percentiles(bucket.sort((a, b) => a - b))),
      sustainedPerSecond: whileCommitting / ((measured.until - measured.from) / 1_000),
    },
  });
}

function percentiles(sorted: number[]): Latencies {
  return { p50: percentile(sorted, 0.5) ?? null, p99: percentile(sorted, 0.99) ?? null };
}

/** An error as graphql-ws hands it: an Error, a socket's close event (code and reason), or GraphQL errors. */
function describe(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === 'object' && error !== null && 'code' in error && 'reason' in error)
    return `connection closed: ${String(error.code)} ${String(error.reason)}`;
  return JSON.stringify(error);
}

function renew(payloads: Record<string, string>[]): void {
  payloads.forEach((payload, index) => {
    const socket = subscribers[index]?.socket;
    if (socket?.readyState === WebSocket.OPEN) socket.send(JSON.stringify({ type: 'ping', payload }));
  });
}

const progress = setInterval(() => {
  const cpu = process.cpuUsage();
  send({ kind: 'progress', delivered, errors, cpuMicros: cpu.user + cpu.system });
}, 250);

process.on('message', (message: ToSubscribers) => {
  if (message.kind === 'open') void open(message.url, message.query, message.subscribers);
  else if (message.kind === 'renew') renew(message.payloads);
  else if (message.kind === 'results')
    results(message.committedAt, message.expectedPerPartner, message.measured);
  else {
    clearInterval(progress);
    void Promise.all(
      subscribers.map(async ({ client }) => {
        await client.dispose();
      }),
    ).finally(() => process.exit(0));
  }
});
