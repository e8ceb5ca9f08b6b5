import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * A service in a worker thread of this process: its own event loop, so it runs on another core beside the
 * main thread, and it ends with the process however the process ends (SIGTERM, a crash), as no child
 * process would. The entry module starts on a `{ start: options }` message, may take connections once a
 * `'listen'` message follows, posts `{ url }` once it serves, answers `'heap'` with `{ heapBytes }` and
 * closes itself on a `'close'` message.
 */

export interface ThreadService {
  url: string;
  /** The thread's own heap in use (V8 heap and external memory), after a collection where gc is exposed. */
  heapBytes(): Promise<number>;
  close(): Promise<void>;
}

/**
 * Node 20 does not carry tsx's loader into worker threads: the worker registers it before importing a
 * TypeScript entry. A bundled entry (`npm start` runs one, scripts/start.mjs) needs no loader.
 */
const TSX_API = import.meta.resolve('tsx/esm/api');

/** A worker thread running the module `entry`, TypeScript or bundled JavaScript. */
export function moduleWorker(entry: URL, options: Omit<WorkerOptions, 'eval'> = {}): Worker {
  if (!entry.pathname.endsWith('.ts')) return new Worker(entry, options);
  return new Worker(
    `import(${JSON.stringify(TSX_API)}).then(({ register }) => { register(); return import(${JSON.stringify(entry.href)}); })`,
    { ...options, eval: true },
  );
}

export interface ThreadStart {
  /** The service may take connections once this resolves (what it depends on serves by then); at once without. */
  listenAfter?: Promise<void>;
  /** Ends the thread at once, served or not: its caller failed to start what goes with it. */
  abandon?: AbortSignal;
}

export async function startThreadService<Options>(
  name: string,
  entry: URL,
  options: Options | Promise<Options>,
  { listenAfter, abandon }: ThreadStart = {},
): Promise<ThreadService> {
  // Spawned before its options are known: the worker loads its modules while the caller gets them ready.
  const worker = moduleWorker(entry, { name });
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  const terminate = () => void worker.terminate();
  abandon?.addEventListener('abort', terminate, { once: true });
  const served = new Promise<string>((resolve, reject) => {
    worker.once('message', (message: { url?: unknown }) =>
      typeof message.url === 'string' ? resolve(message.url) : reject(new Error(`${name} sent no URL`)),
    );
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`${name} exited (${code}) before it served`)));
  });
  served.catch(() => undefined);
  let started: Options;
  try {
    started = await options;
  } catch (error) {
    await worker.terminate();
    throw error;
  }
  worker.postMessage({ start: started });
  void (listenAfter ?? Promise.resolve()).then(
    () => worker.postMessage('listen'),
    () => undefined,
  );
  const url = await served;
  // A failure once serving is the service's end: say so, as an uncaught error in the main thread would.
  worker.on('error', (error) => console.error(`${name} thread failed:`, error));
  return {
    url,
    heapBytes() {
      return new Promise<number>((resolve) => {
        const listener = (message: { heapBytes?: unknown }) => {
          if (typeof message.heapBytes !== 'number') return;
          worker.off('message', listener);
          resolve(message.heapBytes);
        };
        worker.on('message', listener);
        worker.postMessage('heap');
      });
    },
    async close() {
      worker.postMessage('close');
      const timeout = setTimeout(() => void worker.terminate(), 5_000);
      await exited;
      clearTimeout(timeout);
    },
  };
}

interface ParentPort {
  postMessage(message: unknown): void;
  once(event: 'message', listener: (message: unknown) => void): unknown;
  on(event: 'message', listener: (message: unknown) => void): unknown;
}

/**
 * In the worker: starts the service with the options the main thread sends (`listen` resolves when it may
 * take connections), tells it where the service serves, and closes it when asked.
 */
export async function serveFromThread<Options>(
  port: ParentPort,
  start: (options: Options, listen: Promise<void>) => Promise<{ url: string; close(): Promise<void> }>,
): Promise<void> {
  const options = await new Promise<Options>((resolve) =>
    port.once('message', (message) => resolve((message as { start: Options }).start)),
  );
  const listen = new Promise<void>((resolve) =>
    port.on('message', (message) => {
      if (message === 'listen') resolve();
    }),
  );
  const service = await start(options, listen);
  port.on('message', (message) => {
    if (message === 'close') void service.close().finally(() => process.exit(0));
    if (message === 'heap') {
      // Exposed only where the process asked for it (a benchmark weighing idle subscribers).
      (globalThis as { gc?: () => void }).gc?.();
      const { heapUsed, external } = process.memoryUsage();
      port.postMessage({ heapBytes: heapUsed + external });
    }
  });
  port.postMessage({ url: service.url });
}
