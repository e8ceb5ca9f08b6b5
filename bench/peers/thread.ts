import { parentPort } from 'node:worker_threads';
import { signPrincipal } from '../../platform/auth/principal.ts';
import { serveFromThread } from '../../platform/server/thread.ts';
import type { PeerThreadData } from '../peerThread.ts';
import { startApolloGateway, startHiveGateway } from './peers.ts';

/** The worker-thread entry of a peer gateway: which one, over which subgraphs, as its start message. */

if (!parentPort) throw new Error('bench/peers/thread.ts runs as a worker thread');
await serveFromThread<PeerThreadData>(parentPort, async (data) => {
  // Signed ahead and renewed well within its 60-second life: the peers carry no per-request signing cost.
  let signed = await signPrincipal({ subject: 'bench', roles: ['admin'] }, data.internalSecret);
  setInterval(() => {
    void signPrincipal({ subject: 'bench', roles: ['admin'] }, data.internalSecret).then((fresh) => {
      signed = fresh;
    });
  }, 20_000).unref();
  const start = data.peer === 'apollo' ? startApolloGateway : startHiveGateway;
  return start(data.subgraphUrls, () => signed);
});
