import type { SubgraphModule } from '../platform/server/subgraph.ts';
import type { SubgraphName } from '../platform/subgraphs.ts';
import { exchange } from '../subgraphs/exchange/index.ts';
import { inventory } from '../subgraphs/inventory/index.ts';
import { invoices } from '../subgraphs/invoices/index.ts';
import { network } from '../subgraphs/network/index.ts';
import { orders } from '../subgraphs/orders/index.ts';
import { partners } from '../subgraphs/partners/index.ts';

export const MODULES = { partners, orders, inventory, invoices, network, exchange } as unknown as Record<
  SubgraphName,
  SubgraphModule
>;
