import type { SubgraphName } from '../platform/subgraphs.ts';

/** What the worker thread of a peer gateway (bench/peers/thread.ts) is started with. */
export interface PeerThreadData {
  peer: 'apollo' | 'hive';
  subgraphUrls: Record<SubgraphName, string>;
  internalSecret: string;
}

/** The peer's entry: a URL, not an import, so its types stay out of the project's program. */
export const PEER_THREAD = new URL('./peers/thread.ts', import.meta.url);
