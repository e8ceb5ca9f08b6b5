import { PRINCIPAL_HEADER, signPrincipal, type Principal } from '../../platform/auth/principal.ts';
import type { SubgraphName } from '../../platform/subgraphs.ts';

/**
 * Exchange never reads or writes another subgraph's tables: it asks the owning subgraph over its GraphQL
 * API, as the principal the work is done for (the partner that sent a document, or the company writing
 * one), signed as the gateway signs it (docs/exchange.md, "How documents run").
 */
export type ServiceUrl = (name: SubgraphName) => string;

export interface SubgraphError {
  message: string;
  extensions?: { code?: string; field?: string };
}

export interface SubgraphAnswer<T> {
  data: T | null;
  errors: SubgraphError[];
}

/** Thrown when the subgraph could not answer (down, timed out): the work waits and is tried again. */
export class SubgraphUnavailable extends Error {}

export interface SubgraphClient {
  request<T>(
    subgraph: SubgraphName,
    as: Principal,
    query: string,
    variables: Record<string, unknown>,
  ): Promise<SubgraphAnswer<T>>;
}

export function subgraphClient(serviceUrl: ServiceUrl, internalSecret: string): SubgraphClient {
  return {
    async request<T>(
      subgraph: SubgraphName,
      as: Principal,
      query: string,
      variables: Record<string, unknown>,
    ): Promise<SubgraphAnswer<T>> {
      let body: { data?: T | null; errors?: SubgraphError[] };
      try {
        const response = await fetch(serviceUrl(subgraph), {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            [PRINCIPAL_HEADER]: await signPrincipal(as, internalSecret),
          },
          body: JSON.stringify({ query, variables }),
          signal: AbortSignal.timeout(30_000),
        });
        body = (await response.json()) as typeof body;
      } catch (error) {
        throw new SubgraphUnavailable(`${subgraph} did not answer: ${(error as Error).message}`);
      }
      return { data: body.data ?? null, errors: body.errors ?? [] };
    },
  };
}
