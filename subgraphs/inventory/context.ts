import DataLoader from 'dataloader';
import type { Principal } from '../../platform/auth/principal.ts';
import type { Database } from '../../platform/db/database.ts';
import { isPartnerPrincipal } from '../../platform/auth/principal.ts';
import type { EventSource } from '../../platform/events/subscription.ts';
import { groupBy, indexBy } from '../../platform/loaders.ts';
import type { Runtime } from '../../platform/runtime.ts';
import { seesAllCustomerPrices } from './access.ts';
import {
  customerPricesFor,
  itemsBySku,
  promotionsFor,
  stockBySku,
  type CustomerPriceRow,
  type ItemRow,
  type PromotionRow,
  type StockRow,
} from './store.ts';
import type { MovementRow } from './stock.ts';

export interface Context {
  principal: Principal;
  db: Database;
  events: EventSource;
  items: DataLoader<string, ItemRow | undefined>;
  stock: DataLoader<string, StockRow[]>;
  /** Agreed prices per SKU the principal may see: everyone's, its own (a partner), or none. */
  customerPrices: DataLoader<string, CustomerPriceRow[]>;
  /** Promotions per SKU that have not ended. */
  promotions: DataLoader<string, PromotionRow[]>;
  /** One loader per argument set of `Item.movements`. */
  movements: Map<string, DataLoader<string, MovementRow[]>>;
}

export function createContext(db: Database, principal: Principal, runtime: Runtime): Context {
  const priceScope = isPartnerPrincipal(principal)
    ? principal.partnerId
    : seesAllCustomerPrices(principal)
      ? null
      : undefined;
  return {
    principal,
    db,
    events: runtime,
    items: new DataLoader(async (skus) => indexBy(skus, await itemsBySku(db, skus), (row) => row.sku)),
    stock: new DataLoader(async (skus) => groupBy(skus, await stockBySku(db, skus), (row) => row.sku)),
    customerPrices: new DataLoader(async (skus) =>
      priceScope === undefined
        ? skus.map(() => [])
        : groupBy(skus, await customerPricesFor(db, skus, priceScope, null), (row) => row.sku),
    ),
    promotions: new DataLoader(async (skus) =>
      groupBy(skus, await promotionsFor(db, skus, null), (row) => row.sku),
    ),
    movements: new Map(),
  };
}
