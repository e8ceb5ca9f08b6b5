import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../platform/auth/principal.ts';
import {
  caller,
  CANCEL,
  CLOSE,
  CONFIRM,
  CREATE_PO,
  partnerIds,
  PLACE_SO,
  RECEIVE,
  REJECT,
  SHIP,
  SUBMIT,
  type Caller,
} from './support/orders.ts';
import { bootStack, type TestStack } from './support/stack.ts';

/**
 * Who may do what to an order: every mutation against every kind of principal, as a party to the order
 * and as a non-party. Each case gets a fresh order in the state the mutation needs, so a refusal can only
 * come from authorization.
 */
type Who = 'admin' | 'buyer' | 'sales' | 'finance' | 'analyst' | 'party' | 'non-party';
const EVERYONE: Who[] = ['admin', 'buyer', 'sales', 'finance', 'analyst', 'party', 'non-party'];

type Kind = 'PURCHASE' | 'SALES';
type Step = 'create' | 'submit' | 'confirm' | 'reject' | 'cancel' | 'ship' | 'receive' | 'close';

/** The party on a purchase order is its supplier; on a sales order, its customer. */
const ALLOWED: Record<Kind, Partial<Record<Step, Who[]>>> = {
  PURCHASE: {
    create: ['admin', 'buyer'],
    submit: ['admin', 'buyer'],
    confirm: ['party'],
    reject: ['party'],
    cancel: ['admin', 'buyer', 'party'],
    ship: ['party'],
    receive: ['admin', 'buyer'],
    close: ['admin', 'buyer', 'party'],
  },
  SALES: {
    create: ['admin', 'sales', 'party'],
    confirm: ['admin', 'sales'],
    reject: ['admin', 'sales'],
    cancel: ['admin', 'sales', 'party'],
    ship: ['admin', 'sales'],
    receive: ['party'],
    close: ['admin', 'sales', 'party'],
  },
};

let stack: TestStack;
const callers = {} as Record<Kind, Record<Who, Caller>>;
let ids: Record<'supplier' | 'otherSupplier' | 'customer' | 'otherCustomer', string>;

beforeAll(async () => {
  stack = await bootStack({ seedDemo: true });
  const staff = async (roles: Role[]) => caller(stack, await stack.as(roles));
  const admin = await staff(['admin']);
  const [supplier, otherSupplier, customer, otherCustomer] = await partnerIds(
    admin,
    'Norte',
    'Iberframe',
    'VeloMarkt',
    'Atlántico',
  );
  ids = {
    supplier: supplier!,
    otherSupplier: otherSupplier!,
    customer: customer!,
    otherCustomer: otherCustomer!,
  };
  const common = {
    admin,
    buyer: await staff(['buyer']),
    sales: await staff(['sales']),
    finance: await staff(['finance']),
    analyst: await staff(['analyst']),
  };
  const partner = async (id: string) => caller(stack, await stack.as(['partner'], id));
  callers.PURCHASE = {
    ...common,
    party: await partner(ids.supplier),
    'non-party': await partner(ids.otherSupplier),
  };
  callers.SALES = {
    ...common,
    party: await partner(ids.customer),
    'non-party': await partner(ids.otherCustomer),
  };
});
afterAll(async () => {
  await stack?.close();
});

const lines = [{ sku: 'BIKE-TRAIL-29', quantity: '2', unitPrice: { amount: '1890.00', currency: 'EUR' } }];
const catalogLines = [{ sku: 'BIKE-TRAIL-29', quantity: '2' }];

/** Who acts for each side when preparing an order: the company's admin, and the partner itself. */
function sides(kind: Kind) {
  const { admin, party } = callers[kind];
  return kind === 'PURCHASE'
    ? { buyerSide: admin, sellerSide: party }
    : { buyerSide: party, sellerSide: admin };
}

/** A fresh order in the state `step` applies to; returns the mutation's variables. */
async function prepare(kind: Kind, step: Exclude<Step, 'create'>): Promise<Record<string, unknown>> {
  const { buyerSide, sellerSide } = sides(kind);
  const created =
    kind === 'PURCHASE'
      ? (
          await callers.PURCHASE.admin.ok<{ createPurchaseOrder: { id: string } }>(CREATE_PO, {
            input: { supplierId: ids.supplier, currency: 'EUR', lines },
          })
        ).createPurchaseOrder
      : (
          await callers.SALES.party.ok<{ placeSalesOrder: { id: string } }>(PLACE_SO, {
            input: { currency: 'EUR', lines: catalogLines },
          })
        ).placeSalesOrder;
  const id = created.id;
  if (step === 'submit') return { id };
  if (kind === 'PURCHASE') await buyerSide.ok(SUBMIT, { id });
  if (step === 'confirm' || step === 'reject' || step === 'cancel') return { id, reason: 'matrix' };
  await sellerSide.ok(CONFIRM, { id });
  if (step === 'ship') return { id, input: { lines: [{ lineNo: 1, quantity: '2' }] } };
  const { shipOrder } = await sellerSide.ok<{ shipOrder: { id: string } }>(SHIP, {
    id,
    input: { lines: [{ lineNo: 1, quantity: '2' }] },
  });
  if (step === 'receive') return { id: shipOrder.id };
  await buyerSide.ok(RECEIVE, { id: shipOrder.id });
  return { id };
}

const MUTATIONS: Record<Exclude<Step, 'create'>, string> = {
  submit: SUBMIT,
  confirm: CONFIRM,
  reject: REJECT,
  cancel: CANCEL,
  ship: SHIP,
  receive: RECEIVE,
  close: CLOSE,
};

function createRequest(kind: Kind, who: Who): [string, Record<string, unknown>] {
  if (kind === 'PURCHASE')
    return [CREATE_PO, { input: { supplierId: ids.supplier, currency: 'EUR', lines } }];
  // Partners place orders for themselves; the company's people name the customer.
  const customerId = who === 'non-party' ? ids.customer : who === 'party' ? undefined : ids.customer;
  return [
    PLACE_SO,
    { input: { customerId, currency: 'EUR', lines: who === 'party' ? catalogLines : lines } },
  ];
}

const cases = (Object.keys(ALLOWED) as Kind[]).flatMap((kind) =>
  (Object.keys(ALLOWED[kind]) as Step[]).flatMap((step) =>
    EVERYONE.map((who) => [kind, step, who, ALLOWED[kind][step]!.includes(who)] as const),
  ),
);

describe('who may do what to an order', () => {
  it.each(cases)('%s order, %s, by %s: allowed %s', async (kind, step, who, allowed) => {
    const [mutation, variables] =
      step === 'create' ? createRequest(kind, who) : [MUTATIONS[step], await prepare(kind, step)];
    const body = await callers[kind][who].raw(mutation, variables);
    if (allowed) {
      expect(body.errors, JSON.stringify(body.errors)).toBeUndefined();
    } else {
      expect(body.errors?.[0]?.extensions?.code, JSON.stringify(body.errors)).toBe('FORBIDDEN');
      expect(body.data ?? null).toBeNull();
    }
  });

  it('finance and analysts read every order; a partner only its own', async () => {
    const { orders: all } = await callers.PURCHASE.finance.ok<{ orders: { nodes: { id: string }[] } }>(
      '{ orders(first: 500) { nodes { id } } }',
    );
    const { orders: analysed } = await callers.PURCHASE.analyst.ok<{ orders: { nodes: { id: string }[] } }>(
      '{ orders(first: 500) { nodes { id } } }',
    );
    expect(analysed.nodes).toEqual(all.nodes);
    const { orders: own } = await callers.SALES.party.ok<{
      orders: { nodes: { buyer: { id: string }; seller: { id: string } }[] };
    }>('{ orders(first: 500) { nodes { buyer { id } seller { id } } } }');
    expect(own.nodes.length).toBeGreaterThan(0);
    expect(own.nodes.length).toBeLessThan(all.nodes.length);
    for (const order of own.nodes) expect([order.buyer.id, order.seller.id]).toContain(ids.customer);
  });
});
