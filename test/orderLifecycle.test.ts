import { fileURLToPath } from 'node:url';
import type { GraphQLError } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '../platform/auth/principal.ts';
import type { Database, Queryable } from '../platform/db/database.ts';
import { migrate } from '../platform/db/migrate.ts';
import { migrateEventLog } from '../platform/events/eventLog.ts';
import {
  cancelOrder,
  closeOrder,
  confirmOrder,
  createPurchaseOrder,
  receiveShipment,
  rejectOrder,
  shipOrder,
  submitOrder,
} from '../subgraphs/orders/commands.ts';
import type { OrderStatus } from '../subgraphs/orders/generated/resolvers.ts';
import { ORDER_STATUSES, type OrderAction } from '../subgraphs/orders/lifecycle.ts';
import { ordersByIds, shipmentsByOrderIds } from '../subgraphs/orders/store.ts';
import { openTestDatabase } from './support/databases.ts';

/**
 * Every action from every status, on real orders in a real database: the allowed transitions go through,
 * every other one is refused and changes nothing.
 */
const ALLOWED: Record<OrderStatus, OrderAction[]> = {
  DRAFT: ['submit', 'cancel'],
  SUBMITTED: ['confirm', 'reject', 'cancel'],
  CONFIRMED: ['ship', 'cancel'],
  PARTIALLY_CONFIRMED: ['ship', 'cancel'],
  REJECTED: [],
  PARTIALLY_SHIPPED: ['ship', 'receive'],
  SHIPPED: ['receive'],
  PARTIALLY_RECEIVED: ['ship', 'receive'],
  RECEIVED: ['close'],
  CLOSED: [],
  CANCELLED: [],
};
const ACTIONS: OrderAction[] = ['submit', 'confirm', 'reject', 'cancel', 'ship', 'receive', 'close'];

const buyer: Principal = { subject: 'buyer-1', roles: ['buyer'] };
const supplier: Principal = { subject: 'supplier-erp', roles: ['partner'], partnerId: 'supplier' };
const settings = { defaultOverdeliveryTolerance: '0' };

let testDatabase: Awaited<ReturnType<typeof openTestDatabase>> | undefined;
let db: Database;

beforeAll(async () => {
  testDatabase = await openTestDatabase();
  db = testDatabase.db;
  await migrateEventLog(db);
  await migrate(db, 'orders', fileURLToPath(new URL('../subgraphs/orders/migrations', import.meta.url)));
  await db.query(`INSERT INTO orders.party (id, name, roles, status, is_self) VALUES
    ('self', 'Us', '{}', 'ACTIVE', true), ('supplier', 'Supplier', '{SUPPLIER}', 'ACTIVE', false)`);
  await db.query(`INSERT INTO orders.catalog_item (sku, unit) VALUES ('A', 'EA')`);
});
afterAll(async () => {
  await testDatabase?.close();
});

const tx = <T>(work: (t: Queryable) => Promise<T>) => db.transaction(work);

/** Drives a fresh order of 10 units into `status` through the lifecycle itself. */
async function orderIn(status: OrderStatus): Promise<string> {
  const order = await tx((t) =>
    createPurchaseOrder(
      t,
      buyer,
      {
        supplierId: 'supplier',
        currency: 'EUR',
        lines: [{ sku: 'A', quantity: '10', unitPrice: { amount: '1', currency: 'EUR' } }],
      },
      null,
      settings,
    ),
  );
  const id = order.id;
  const step = (work: (t: Queryable) => Promise<unknown>) => tx(work);
  const ship = (quantity: string) =>
    step((t) => shipOrder(t, supplier, id, { lines: [{ lineNo: 1, quantity }] }));
  const receiveFirst = async () => {
    const [first] = await shipmentsByOrderIds(db, [id]);
    await step((t) => receiveShipment(t, buyer, first!.id, {}));
  };
  if (status === 'DRAFT') return id;
  if (status === 'CANCELLED') return (await step((t) => cancelOrder(t, buyer, id, 'test')), id);
  await step((t) => submitOrder(t, buyer, id));
  if (status === 'SUBMITTED') return id;
  if (status === 'REJECTED') return (await step((t) => rejectOrder(t, supplier, id, 'test')), id);
  const partially = status === 'PARTIALLY_CONFIRMED';
  await step((t) =>
    confirmOrder(t, supplier, id, partially ? { lines: [{ lineNo: 1, quantity: '8' }] } : {}),
  );
  if (status === 'CONFIRMED' || partially) return id;
  await ship('4');
  if (status === 'PARTIALLY_SHIPPED') return id;
  await ship('3');
  if (status === 'PARTIALLY_RECEIVED') return (await receiveFirst(), id); // one shipment in, one in transit, 3 to ship
  await ship('3');
  if (status === 'SHIPPED') return id;
  for (const shipment of await shipmentsByOrderIds(db, [id])) {
    await step((t) => receiveShipment(t, buyer, shipment.id, {}));
  }
  if (status === 'RECEIVED') return id;
  await step((t) => closeOrder(t, buyer, id));
  return id;
}

/** The action, taken by the party entitled to it, with input that is valid in itself. */
async function attempt(action: OrderAction, id: string): Promise<void> {
  const inTransit = (await shipmentsByOrderIds(db, [id])).find((s) => s.status === 'IN_TRANSIT');
  const anyShipment = (await shipmentsByOrderIds(db, [id]))[0];
  await tx(async (t) => {
    switch (action) {
      case 'submit':
        return submitOrder(t, buyer, id);
      case 'confirm':
        return confirmOrder(t, supplier, id, {});
      case 'reject':
        return rejectOrder(t, supplier, id, 'test');
      case 'cancel':
        return cancelOrder(t, buyer, id, 'test');
      case 'ship':
        return shipOrder(t, supplier, id, { lines: [{ lineNo: 1, quantity: '1' }] });
      case 'receive':
        return receiveShipment(t, buyer, (inTransit ?? anyShipment)?.id ?? 'no-shipment', { lines: [] });
      case 'close':
        return closeOrder(t, buyer, id);
    }
  });
}

describe('the order lifecycle', () => {
  it.each(ORDER_STATUSES)('from %s allows exactly its transitions', async (status) => {
    expect(ALLOWED[status]).toBeDefined();
    for (const action of ACTIONS) {
      const id = await orderIn(status);
      const [before] = await ordersByIds(db, [id]);
      expect(before!.status, `setting up ${status}`).toBe(status);
      const outcome = await attempt(action, id).then(
        () => 'allowed',
        (error: GraphQLError) => error.extensions?.code ?? String(error),
      );
      if (ALLOWED[status].includes(action)) {
        expect(outcome, `${action} from ${status}`).toBe('allowed');
      } else {
        // Refused: the order is in the wrong state, or (receiving with no shipment at all) there is nothing to
        // act on, or (the seller, on a draft) the order is not yet the seller's to see.
        const sellerOnDraft = status === 'DRAFT' && ['confirm', 'reject', 'ship'].includes(action);
        expect(
          sellerOnDraft ? ['FORBIDDEN'] : ['CONFLICT', 'NOT_FOUND'],
          `${action} from ${status}`,
        ).toContain(outcome);
        const [after] = await ordersByIds(db, [id]);
        expect(after!.status).toBe(status);
        expect(after!.updated_at).toEqual(before!.updated_at);
      }
    }
  });
});
