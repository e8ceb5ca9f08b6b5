import { Decimal, money } from '../../platform/money.ts';
import { decodeCursor, pageSize, toPage } from '../../platform/pagination.ts';
import type { Context } from './context.ts';
import type { Resolvers } from './generated/resolvers.ts';
import { itemSortKey, listItems } from './store.ts';

const quantity = (value: Decimal.Value) => new Decimal(value).toString();

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
  },
  Item: {
    __resolveReference: async (reference: { sku: string }, ctx: Context) =>
      (await ctx.items.load(reference.sku)) ?? null,
    listPrice: (item) =>
      item.list_price === null || item.currency === null ? null : money(item.list_price, item.currency),
    stock: async (item, _args, ctx) =>
      (await ctx.stock.load(item.sku)).map((level) => ({
        location: level.location,
        onHand: quantity(level.on_hand),
        reserved: quantity(level.reserved),
        available: quantity(new Decimal(level.on_hand).minus(level.reserved)),
      })),
    available: async (item, _args, ctx) =>
      quantity(
        (await ctx.stock.load(item.sku)).reduce(
          (sum, level) => sum.plus(level.on_hand).minus(level.reserved),
          new Decimal(0),
        ),
      ),
  },
};
