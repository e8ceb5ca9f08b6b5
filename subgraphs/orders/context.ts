import DataLoader from 'dataloader';
import type { Principal } from '../../platform/auth/principal.ts';
import type { Database } from '../../platform/db/database.ts';
import { groupBy, indexBy } from '../../platform/loaders.ts';
import { linesByOrderIds, ordersByIds, type OrderLineRow, type OrderRow } from './store.ts';

export interface Context {
  principal: Principal;
  db: Database;
  actor: string;
  orders: DataLoader<string, OrderRow | undefined>;
  lines: DataLoader<string, OrderLineRow[]>;
  /** One loader per argument set of `Partner.orders`. */
  partnerOrders: Map<string, DataLoader<string, OrderRow[]>>;
}

export function createContext(db: Database, principal: Principal): Context {
  return {
    principal,
    db,
    actor: principal.subject,
    orders: new DataLoader(async (ids) => indexBy(ids, await ordersByIds(db, ids), (row) => row.id)),
    lines: new DataLoader(async (ids) => groupBy(ids, await linesByOrderIds(db, ids), (row) => row.order_id)),
    partnerOrders: new Map(),
  };
}
