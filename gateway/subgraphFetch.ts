import { Agent, fetch as undiciFetch } from 'undici';

/**
 * Keep-alive connections to one subgraph, at most `SUBGRAPH_CONNECTIONS`. Node's own fetch opens a new
 * connection whenever none is free: a burst of subscription events, each completed by fetches to other
 * subgraphs, then opened thousands of sockets (a file descriptor at each end, both in this process when
 * `npm start` runs everything) until the process ran out of them. Past the bound, fetches wait for a free
 * connection, which costs a burst some latency and nothing else.
 */
const SUBGRAPH_CONNECTIONS = 32;

export interface SubgraphFetch {
  fetch: typeof undiciFetch;
  close(): Promise<void>;
}

export function subgraphFetch(): SubgraphFetch {
  const agent = new Agent({ connections: SUBGRAPH_CONNECTIONS });
  return {
    fetch: (input, init) => undiciFetch(input, { ...init, dispatcher: agent }),
    close: () => agent.close(),
  };
}
