import DataLoader from 'dataloader';
import { hasRole, isPartnerPrincipal } from '../../platform/auth/principal.ts';
import { badInput, forbidden } from '../../platform/errors.ts';
import { groupBy } from '../../platform/loaders.ts';
import { Decimal, unitPrice } from '../../platform/money.ts';
import { decodeCursor, pageSize, toPage } from '../../platform/pagination.ts';
import { subscribeToEvents } from '../../platform/events/subscription.ts';
import type { LoggedEvent } from '../../platform/events/eventLog.ts';
import { isInternal } from './access.ts';
import {
  catalogEntries,
  catalogPage,
  decodeSyncToken,
  encodeSyncToken,
  priceOfEntry,
  syncPoint,
  type CatalogEntryView,
  type SyncPoint,
} from './catalog.ts';
import {
  adjustStock,
  removeCustomerPrice,
  setPrice,
  setPromotion,
  upsertItem,
  upsertLocation,
} from './commands.ts';
import type { Context } from './context.ts';
import { STOCK_EVENTS, type StockEventType } from '../../platform/events/contract.ts';
import type {
  CustomerPrice,
  Location,
  Promotion,
  Resolvers,
  ResolversTypes,
  StockEvent,
  StockMovement,
} from './generated/resolvers.ts';
import {
  itemSortKey,
  listItems,
  listLocations,
  movementsForItems,
  type CustomerPriceRow,
  type LocationRow,
  type PromotionRow,
} from './store.ts';
import type { MovementRow } from './stock.ts';

const quantity = (value: Decimal.Value) => new Decimal(value).toString();

const toMovement = (row: MovementRow): StockMovement => ({
  id: row.id,
  sku: row.sku,
  location: row.location,
  kind: row.kind,
  onHandChange: row.on_hand_change,
  reservedChange: row.reserved_change,
  onHandAfter: row.on_hand_after,
  reservedAfter: row.reserved_after,
  reason: row.reason,
  orderId: row.order_id,
  lineNo: row.line_no,
  actor: row.actor,
  at: row.at.toISOString(),
});

const toCustomerPrice = (row: CustomerPriceRow): CustomerPrice => ({
  id: row.id,
  sku: row.sku,
  customerId: row.customer_id,
  price: unitPrice(row.amount, row.currency),
  validFrom: row.valid_from,
  validTo: row.valid_to,
});

const toPromotion = (row: PromotionRow): Promotion => ({
  id: row.id,
  sku: row.sku,
  name: row.name,
  kind: row.kind,
  value: row.value,
  startsAt: row.starts_at.toISOString(),
  endsAt: row.ends_at.toISOString(),
});

const toLocation = (row: LocationRow): Location => ({
  code: row.code,
  name: row.name,
  isDefault: row.is_default,
});

function toCatalogEntry(entry: CatalogEntryView): ResolversTypes['CatalogEntry'] {
  const { item } = entry;
  const price = priceOfEntry(entry);
  return {
    item,
    sku: item.sku,
    name: item.name,
    unit: item.unit,
    gtin: item.gtin,
    listPrice: item.list_price === null ? null : unitPrice(item.list_price, item.currency!),
    customerPrice: entry.customerPrice ? toCustomerPrice(entry.customerPrice) : null,
    promotion: entry.promotion ? toPromotion(entry.promotion) : null,
    price: price ? unitPrice(price.amount, price.currency) : null,
    available: entry.available,
  };
}

function toStockEvent(event: LoggedEvent<StockEventType>): Omit<StockEvent, 'item'> {
  const facts = event.payload;
  return {
    cursor: event.cursor,
    type: event.type,
    at: event.occurredAt.toISOString(),
    sku: facts.sku,
    onHand: facts.onHand,
    reserved: facts.reserved,
    available: facts.available,
    orderId: facts.orderId ?? null,
    reason: facts.reason ?? null,
  };
}

/** `Item.movements` over a list of items: one statement per distinct argument set, not per item. */
function movementsLoader(ctx: Context, location: string | null, after: string | null, limit: number) {
  const key = JSON.stringify([location, after, limit]);
  let loader = ctx.movements.get(key);
  if (!loader) {
    loader = new DataLoader<string, MovementRow[]>(async (skus) =>
      groupBy(skus, await movementsForItems(ctx.db, skus, location, after, limit), (row) => row.sku),
    );
    ctx.movements.set(key, loader);
  }
  return loader;
}

/** Whose catalog: a partner's own; the company's sales, admins and analysts name the customer. */
function catalogCustomer(ctx: Context, customerId: string | null | undefined): string {
  const { principal } = ctx;
  if (isPartnerPrincipal(principal)) {
    if (customerId && customerId !== principal.partnerId)
      throw forbidden('a customer sees its own catalog only');
    return principal.partnerId;
  }
  if (!hasRole(principal, 'admin', 'sales', 'analyst'))
    throw forbidden('the catalog is for customers and sales');
  if (!customerId) throw badInput('customerId is required', { field: 'customerId' });
  return customerId;
}

export const resolvers: Resolvers = {
  Query: {
    item: async (_parent, { sku }, ctx) => (await ctx.items.load(sku)) ?? null,
    async items(_parent, { search, first, after }, ctx) {
      const size = pageSize(first);
      const rows = await listItems(
        ctx.db,
        search ?? null,
        decodeCursor(after, 2) as [string, string] | null,
        size + 1,
      );
      for (const row of rows) ctx.items.prime(row.sku, row);
      return toPage(rows, size, itemSortKey);
    },
    locations: async (_parent, _args, ctx) => {
      if (!isInternal(ctx.principal)) throw forbidden('locations are internal');
      return (await listLocations(ctx.db)).map(toLocation);
    },
    async catalog(_parent, { first, after, changedSince, customerId, search }, ctx) {
      const customer = catalogCustomer(ctx, customerId);
      const size = pageSize(first);
      const since = changedSince ? decodeSyncToken(changedSince, 'changedSince') : null;
      // Later pages carry the sync's starting point in the cursor, so one sync is one consistent cut.
      const cursor = decodeCursor(after, 3);
      const point: SyncPoint = cursor
        ? { version: cursor[1]!, at: new Date(cursor[2]!) }
        : await syncPoint(ctx.db);
      if (cursor && (!/^\d{1,19}$/.test(point.version) || Number.isNaN(point.at.getTime()))) {
        throw badInput('`after` is not a cursor this list returned');
      }
      const words = search?.trim() || null;
      const rows = await catalogPage(ctx.db, customer, point, since, cursor?.[0] ?? null, size + 1, words);
      const page = toPage(rows, size, (row) => [row.sku, point.version, point.at.toISOString()]);
      const entries = await catalogEntries(ctx.db, page.nodes, customer, point.at);
      for (const entry of entries) ctx.items.prime(entry.item.sku, entry.item);
      return {
        nodes: entries.map(toCatalogEntry),
        pageInfo: page.pageInfo,
        syncToken: encodeSyncToken(point),
      };
    },
  },
  Subscription: {
    stockEvents: {
      subscribe: (_parent, { sku, after }, ctx) => {
        if (!isInternal(ctx.principal)) {
          throw forbidden('stock events are internal; partners sync availability through the catalog');
        }
        return subscribeToEvents(ctx.events, {
          after,
          filter: { aggregateType: 'Item', types: STOCK_EVENTS, ...(sku ? { aggregateId: sku } : {}) },
          toPayload: toStockEvent,
        });
      },
      resolve: (event: Omit<StockEvent, 'item'>) => event,
    },
  },
  StockEvent: {
    item: async (event, _args, ctx) => (await ctx.items.load(event.sku)) ?? null,
  },
  Mutation: {
    upsertItem: (_parent, { input }, ctx) => ctx.db.transaction((tx) => upsertItem(tx, ctx.principal, input)),
    setPrice: (_parent, { input }, ctx) => ctx.db.transaction((tx) => setPrice(tx, ctx.principal, input)),
    removeCustomerPrice: (_parent, { id }, ctx) =>
      ctx.db.transaction((tx) => removeCustomerPrice(tx, ctx.principal, id)),
    setPromotion: (_parent, { input }, ctx) =>
      ctx.db.transaction((tx) => setPromotion(tx, ctx.principal, input)),
    adjustStock: async (_parent, { input }, ctx) =>
      toMovement(await ctx.db.transaction((tx) => adjustStock(tx, ctx.principal, input))),
    upsertLocation: async (_parent, { input }, ctx) =>
      toLocation(await ctx.db.transaction((tx) => upsertLocation(tx, ctx.principal, input))),
  },
  Item: {
    __resolveReference: async (reference: { sku: string }, ctx: Context) =>
      (await ctx.items.load(reference.sku)) ?? null,
    listPrice: (item) =>
      item.list_price === null || item.currency === null ? null : unitPrice(item.list_price, item.currency),
    stock: async (item, _args, ctx) =>
      isInternal(ctx.principal)
        ? (await ctx.stock.load(item.sku)).map((level) => ({
            location: level.location,
            onHand: quantity(level.on_hand),
            reserved: quantity(level.reserved),
            available: quantity(new Decimal(level.on_hand).minus(level.reserved)),
          }))
        : [],
    available: async (item, _args, ctx) =>
      quantity(
        (await ctx.stock.load(item.sku)).reduce(
          (sum, level) => sum.plus(level.on_hand).minus(level.reserved),
          new Decimal(0),
        ),
      ),
    reorderPoint: (item, _args, ctx) => (isInternal(ctx.principal) ? item.reorder_point : null),
    availabilityCheck: (item) => item.availability_check,
    async movements(item, { location, first, after }, ctx) {
      if (!isInternal(ctx.principal)) throw forbidden('the stock ledger is internal');
      const size = pageSize(first);
      const cursor = decodeCursor(after, 1)?.[0] ?? null;
      if (cursor !== null && !/^\d{1,19}$/.test(cursor))
        throw badInput('`after` is not a cursor this list returned');
      const rows = await movementsLoader(ctx, location ?? null, cursor, size + 1).load(item.sku);
      const page = toPage(rows, size, (row) => [row.id]);
      return { nodes: page.nodes.map(toMovement), pageInfo: page.pageInfo };
    },
    customerPrices: async (item, _args, ctx) =>
      (await ctx.customerPrices.load(item.sku)).map(toCustomerPrice),
    promotions: async (item, _args, ctx) => (await ctx.promotions.load(item.sku)).map(toPromotion),
  },
};
