import DataLoader from 'dataloader';
import type { Principal } from '../../platform/auth/principal.ts';
import type { Database } from '../../platform/db/database.ts';
import { groupBy, indexBy } from '../../platform/loaders.ts';
import { itemsBySku, stockBySku, type ItemRow, type StockRow } from './store.ts';

export interface Context {
  principal: Principal;
  db: Database;
  items: DataLoader<string, ItemRow | undefined>;
  stock: DataLoader<string, StockRow[]>;
}

export function createContext(db: Database, principal: Principal): Context {
  return {
    principal,
    db,
    items: new DataLoader(async (skus) => indexBy(skus, await itemsBySku(db, skus), (row) => row.sku)),
    stock: new DataLoader(async (skus) => groupBy(skus, await stockBySku(db, skus), (row) => row.sku)),
  };
}
