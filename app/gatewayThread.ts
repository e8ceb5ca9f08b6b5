import { parentPort } from 'node:worker_threads';
import { startGateway, type GatewayOptions } from '../gateway/gateway.ts';
import { serveFromThread } from '../platform/server/thread.ts';

/** The worker-thread entry of the gateway (app/stack.ts `gatewayThread`): the options come as a message. */
if (!parentPort) throw new Error('app/gatewayThread.ts runs as a worker thread');
await serveFromThread<GatewayOptions>(parentPort, startGateway);
