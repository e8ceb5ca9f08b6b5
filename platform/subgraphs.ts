/** The subgraphs of the supply-network graph, in the order they start, with their default ports. */
export const SUBGRAPHS = ['partners', 'orders', 'inventory', 'invoices', 'network', 'exchange'] as const;
export type SubgraphName = (typeof SUBGRAPHS)[number];

export const DEFAULT_PORTS: Record<SubgraphName, number> = {
  partners: 4001,
  orders: 4002,
  inventory: 4003,
  invoices: 4004,
  network: 4005,
  exchange: 4006,
};

export function isSubgraphName(value: string): value is SubgraphName {
  return (SUBGRAPHS as readonly string[]).includes(value);
}
