import { parentPort, workerData } from 'node:worker_threads';
import { startGateway, type GatewayOptions } from '../gateway/gateway.ts';
import { serveFromThread } from '../platform/server/thread.ts';

/** The worker-thread entry of the gateway (app/stack.ts `gatewayThread`): the options come as workerData. */
if (!parentPort) throw new Error('app/gatewayThread.ts runs as a worker thread');
serveFromThread(parentPort, await startGateway(workerData as GatewayOptions));
