import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runConsumer, type ConsumerSink } from '../platform/events/consumer.ts';
import {
  EVENT_SHAPES,
  INVOICE_EVENTS,
  isEventType,
  ORDER_EVENTS,
  type EventPayloads,
  type EventType,
} from '../platform/events/contract.ts';
import {
  appendEvent,
  EventContractError,
  EventWakeup,
  migrateEventLog,
  readEvents,
  type LoggedEvent,
} from '../platform/events/eventLog.ts';
import { eventBody } from '../subgraphs/exchange/webhooks/queue.ts';
import { invoiceEventOf } from '../subgraphs/invoices/events.ts';
import { alertOf } from '../subgraphs/network/disruptions.ts';
import { summarise } from '../subgraphs/orders/history.ts';
import { historyByOrderIds } from '../subgraphs/orders/store.ts';
import { openTestDatabase } from './support/databases.ts';
import { bootStack, type TestStack } from './support/stack.ts';

const SELF = 'ec-self';
const SUPPLIER = 'ec-supplier';
const CUSTOMER = 'ec-customer';
const ORDER = 'ec-order';
const SKU = 'EC-1';

const partner = (id: string, roles: string[], isSelf = false) => ({
  id,
  name: `Partner ${id}`,
  country: 'DE',
  roles,
  status: 'ACTIVE',
  isSelf,
});
const order = {
  orderId: ORDER,
  number: 'PO-EC-1',
  kind: 'PURCHASE',
  buyerId: SELF,
  sellerId: SUPPLIER,
} as const;
const orderFacts = (status: EventPayloads['OrderCreated']['status']) => ({
  ...order,
  status,
  currency: 'EUR',
  actorPartnerId: null,
});
const line = { lineNo: 1, sku: SKU, unit: 'EA', quantity: '10' };
const stock = { sku: SKU, onHand: '10', reserved: '4', available: '6', quantity: '4' };
const invoice = {
  invoiceId: 'ec-invoice',
  number: 'INV-EC-1',
  kind: 'PAYABLE',
  status: 'APPROVED',
  issuerId: SUPPLIER,
  recipientId: SELF,
  orderId: ORDER,
  currency: 'EUR',
  total: '119',
  balance: '119',
  dueDate: '2030-01-31',
  actorPartnerId: null,
} as const;
const disruption = {
  disruptionId: 'ec-disruption',
  partnerId: SUPPLIER,
  country: null,
  severity: 'HIGH',
  description: 'flood',
  expectedRecovery: null,
  reportedAt: '2030-01-01T00:00:00.000Z',
  alertCount: 1,
} as const;
const document = {
  documentId: 'ec-document',
  partnerId: SUPPLIER,
  format: 'json',
  documentType: 'ORDER_RESPONSE',
  controlNumber: '1',
  status: 'PROCESSED',
  reasons: [],
};
const delivery = {
  deliveryId: 'ec-delivery',
  partnerId: SUPPLIER,
  url: 'https://example.test/hook',
  reason: 'down',
};

const certification = {
  partnerId: SUPPLIER,
  certificationId: 'ec-cert',
  kind: 'ISO_9001',
  issuer: 'TÜV',
  validUntil: '2031-01-01',
};
const customerPrice = {
  id: 'ec-price',
  sku: SKU,
  customerId: CUSTOMER,
  amount: '2.2',
  currency: 'EUR',
  validFrom: '2030-01-01',
  validTo: null,
  startsAt: '2030-01-01T00:00:00.000Z',
  endsAt: null,
};

/** One payload of every event type: the compiler refuses this map when a type is missing or malformed. */
const SAMPLES: { [T in EventType]: EventPayloads[T] } = {
  PartnerRegistered: partner(SELF, ['SUPPLIER', 'CUSTOMER'], true),
  PartnerUpdated: partner(SUPPLIER, ['SUPPLIER']),
  PartnerCertificationAdded: certification,
  PartnerCertificationRemoved: certification,
  ApiKeyCreated: { keyId: 'ec-key', name: 'ERP' },
  ApiKeyRevoked: { keyId: 'ec-key', name: 'ERP' },
  ItemUpserted: {
    sku: SKU,
    name: 'Bolt',
    unit: 'EA',
    gtin: null,
    listPrice: { amount: '2.5', currency: 'EUR' },
    reorderPoint: '5',
    availabilityCheck: 'CONFIRM_AVAILABLE',
  },
  PriceSet: { sku: SKU, listPrice: { amount: '2.75', currency: 'EUR' } },
  CustomerPriceSet: { ...customerPrice, removed: false },
  CustomerPriceRemoved: { ...customerPrice, removed: true },
  PromotionSet: {
    id: 'ec-promotion',
    sku: SKU,
    name: 'Spring',
    kind: 'PERCENT',
    value: '10',
    currency: null,
    startsAt: '2030-03-01T00:00:00.000Z',
    endsAt: '2030-04-01T00:00:00.000Z',
  },
  LocationDefined: { code: 'MAIN', name: 'Main warehouse', isDefault: true },
  StockReceived: { ...stock, orderId: ORDER, reason: 'purchase order receipt', location: 'MAIN' },
  StockIssued: { ...stock, orderId: 'ec-sales', reason: 'sales order shipped' },
  StockAdjusted: { ...stock, location: 'MAIN', reason: 'count' },
  StockReserved: { ...stock, orderId: 'ec-sales', requested: '4', short: '0' },
  StockReleased: { ...stock, orderId: 'ec-sales', reason: 'sales order closed' },
  ReservationShort: { ...stock, orderId: 'ec-sales', requested: '8', short: '4' },
  IssueShort: { ...stock, orderId: 'ec-sales', requested: '8', short: '4' },
  ReorderPointReached: { ...stock, quantity: '0', reorderPoint: '7' },
  OrderCreated: {
    ...orderFacts('DRAFT'),
    externalRef: null,
    lines: [{ ...line, unitPrice: '2.5', requestedDate: '2030-02-01' }],
  },
  OrderSubmitted: orderFacts('SUBMITTED'),
  OrderConfirmed: {
    ...orderFacts('CONFIRMED'),
    externalRef: 'SUP-77',
    lines: [{ ...line, requestedDate: '2030-02-01', confirmedQuantity: '8', confirmedDate: '2030-02-03' }],
  },
  OrderRejected: { ...orderFacts('REJECTED'), reason: 'no capacity' },
  OrderCancelled: { ...orderFacts('CANCELLED'), reason: 'not needed' },
  OrderShipped: {
    ...orderFacts('SHIPPED'),
    shipmentId: 'ec-shipment',
    shipmentNumber: 'SH-EC-1',
    reference: 'ASN-1',
    final: true,
    lines: [{ ...line, quantity: '8' }],
  },
  ShipmentReceived: {
    ...orderFacts('RECEIVED'),
    shipmentId: 'ec-shipment',
    shipmentNumber: 'SH-EC-1',
    lines: [
      {
        ...line,
        shippedQuantity: '8',
        quantity: '7',
        rejectedQuantity: '1',
        shortQuantity: '0',
        rejectionReason: 'dented',
      },
    ],
  },
  OrderClosed: orderFacts('CLOSED'),
  InvoiceSubmitted: { ...invoice, status: 'DISPUTED', matchStatus: 'VARIANCE', reason: 'price' },
  InvoiceIssued: { ...invoice, kind: 'RECEIVABLE', status: 'ISSUED' },
  InvoiceApproved: { ...invoice, reason: 'agreed with the supplier' },
  InvoiceDisputed: { ...invoice, status: 'DISPUTED', reason: 'quantity' },
  InvoiceRematched: { ...invoice, matchStatus: 'MATCHED', reason: null },
  PaymentRecorded: {
    ...invoice,
    status: 'PAID',
    balance: '0',
    paymentId: 'ec-pay',
    amount: '119',
    reference: 'BANK-1',
  },
  InvoiceCancelled: { ...invoice, status: 'CANCELLED', reason: 'duplicate' },
  DunningReminderSent: {
    ...invoice,
    kind: 'RECEIVABLE',
    status: 'ISSUED',
    level: 1,
    daysOverdue: 9,
    asOf: '2030-02-09',
  },
  PaymentTermsSet: { partnerId: CUSTOMER, days: 30, taxRate: '19' },
  SupplyLinkDeclared: {
    supplierId: 'ec-tier2',
    customerId: SUPPLIER,
    items: [SKU],
    share: 0.5,
    since: '2029-01-01',
    visibility: 'PARTNERS',
    declaredBy: SUPPLIER,
  },
  SupplyLinkConfirmed: { linkId: 'ec-link', supplierId: 'ec-tier2', customerId: SUPPLIER },
  SupplyLinkRejected: {
    linkId: 'ec-link',
    supplierId: 'ec-tier2',
    customerId: SUPPLIER,
    reason: 'unknown to us',
  },
  DisruptionReported: { ...disruption, requestHash: 'ec-hash' },
  DisruptionAlert: { disruption, companyId: SELF, distance: 1, path: [SUPPLIER, SELF], items: [SKU] },
  DocumentReceived: { ...document, status: 'RECEIVED', documentType: null, controlNumber: null },
  DocumentProcessed: document,
  DocumentRejected: { ...document, status: 'REJECTED', reasons: ['unknown order'] },
  DeliveryDeadLettered: delivery,
  WebhookEndpointDisabled: delivery,
};

const TYPES = Object.keys(EVENT_SHAPES).filter(isEventType);

function aggregateOf(type: EventType): { aggregateType: string; aggregateId: string; parties: string[] } {
  if ((ORDER_EVENTS as readonly string[]).includes(type)) {
    return { aggregateType: 'Order', aggregateId: ORDER, parties: [SELF, SUPPLIER] };
  }
  if ((INVOICE_EVENTS as readonly string[]).includes(type)) {
    return { aggregateType: 'Invoice', aggregateId: invoice.invoiceId, parties: [SUPPLIER, SELF] };
  }
  return { aggregateType: 'Test', aggregateId: type, parties: [SUPPLIER] };
}

describe('the event contract, producer to every consumer', () => {
  let stack: TestStack;
  let appended: LoggedEvent[];

  beforeAll(async () => {
    stack = await bootStack({ seedDemo: false });
    appended = await stack.db.transaction(async (tx) => {
      const events: LoggedEvent[] = [];
      for (const type of TYPES) {
        events.push(
          await appendEvent(tx, { type, ...aggregateOf(type), actor: 'test', payload: SAMPLES[type] }),
        );
      }
      return events;
    });
  }, 240_000);

  afterAll(async () => {
    await stack?.close();
  });

  it('covers every event type, and reads each back as it was appended', async () => {
    expect(TYPES.length).toBe(Object.keys(SAMPLES).length);
    const read = await readEvents(stack.db, String(BigInt(appended[0]!.cursor) - 1n), 1000);
    expect(read.map((event) => [event.type, event.payload])).toEqual(
      TYPES.map((type) => [type, SAMPLES[type]]),
    );
  });

  it('every consumer applies every event type without stopping', async () => {
    await stack.settled();
    const consumers = Object.values(stack.subgraphs).flatMap((subgraph) => subgraph.instance.consumers ?? []);
    expect(consumers.length).toBeGreaterThan(0);
    expect(consumers.filter((consumer) => consumer.failure !== undefined)).toEqual([]);

    // orders keeps how an item is confirmed, which only `ItemUpserted` tells it.
    const items = await stack.db.query<{ availability_check: string }>(
      `SELECT availability_check FROM orders.catalog_item WHERE sku = $1`,
      [SKU],
    );
    expect(items.rows).toEqual([{ availability_check: 'CONFIRM_AVAILABLE' }]);
    // invoices keeps the order's lines with their SKU and the confirmed, shipped and accepted quantities.
    const lines = await stack.db.query(
      `SELECT sku, trim_scale(quantity)::text AS quantity, trim_scale(confirmed_quantity)::text AS confirmed_quantity,
              trim_scale(shipped_quantity)::text AS shipped_quantity, trim_scale(received_quantity)::text AS received_quantity
         FROM invoices.order_line_fact WHERE order_id = $1`,
      [ORDER],
    );
    expect(lines.rows).toEqual([
      { sku: SKU, quantity: '10', confirmed_quantity: '8', shipped_quantity: '8', received_quantity: '7' },
    ]);
    // network sees the confirmed order's SKU on the supplier's link, and the declared tier-2 link.
    const { records } = await stack.driver.executeQuery(
      `MATCH (s:Company)-[r:SUPPLIES]->(c:Company) RETURN s.id AS supplier, c.id AS customer, r.items AS items
        ORDER BY supplier`,
    );
    expect(records.map((record) => record.toObject())).toEqual([
      { supplier: SUPPLIER, customer: SELF, items: [SKU] },
      { supplier: 'ec-tier2', customer: SUPPLIER, items: [SKU] },
    ]);
  });

  it('the readers of each subgraph take the events of their types', async () => {
    const history = await historyByOrderIds(stack.db, [ORDER]);
    expect(history.map(summarise)).toEqual([
      'Drafted with 1 line',
      'Submitted to the seller',
      'Confirmed partially (line 1: 8 of 10 EA by 2030-02-03)',
      'Rejected: no capacity',
      'Cancelled: not needed',
      'Shipped SH-EC-1 (final): line 1 8 EA',
      'Received SH-EC-1 (line 1: 1 rejected)',
      'Closed',
    ]);
    const invoices = await readEvents(stack.db, '0', 100, { types: INVOICE_EVENTS });
    expect(invoices.map((event) => invoiceEventOf(event).payload.status)).toEqual(
      INVOICE_EVENTS.map((type) => SAMPLES[type].status),
    );
    const [alert] = await readEvents(stack.db, '0', 1, { types: ['DisruptionAlert'] });
    expect(alertOf(alert!)).toMatchObject({
      companyId: SELF,
      distance: 1,
      disruption: { id: 'ec-disruption' },
    });
    const [shipped] = await readEvents(stack.db, '0', 1, { types: ['OrderShipped'] });
    expect(JSON.parse(eventBody(shipped!).toString())).toMatchObject({
      type: 'OrderShipped',
      data: { orderId: ORDER, shipmentNumber: 'SH-EC-1' },
    });
  });
});

describe('a payload that breaks the contract', () => {
  it('stops the consumer at that event, naming its cursor and type, and is never skipped', async () => {
    const opened = await openTestDatabase();
    const db = opened.db;
    const wakeup = new EventWakeup(db);
    try {
      await migrateEventLog(db);
      await wakeup.start();
      const before = await db.transaction((tx) =>
        appendEvent(tx, {
          type: 'OrderSubmitted',
          aggregateType: 'Order',
          aggregateId: ORDER,
          payload: SAMPLES.OrderSubmitted,
        }),
      );
      // A writer outside the contract (an older release, a hand-made fix): its line has no SKU.
      const { lines, ...confirmed } = SAMPLES.OrderConfirmed;
      const malformed = { ...confirmed, lines: lines.map(({ sku: _sku, ...rest }) => rest) };
      const { rows } = await db.query<{ cursor: string }>(
        `INSERT INTO events.event_log (type, aggregate_type, aggregate_id, parties, payload)
         VALUES ('OrderConfirmed', 'Order', $1, '{}', $2::text::jsonb) RETURNING cursor::text`,
        [ORDER, JSON.stringify(malformed)],
      );
      const bad = rows[0]!.cursor;
      const after = await db.transaction((tx) =>
        appendEvent(tx, {
          type: 'OrderClosed',
          aggregateType: 'Order',
          aggregateId: ORDER,
          payload: SAMPLES.OrderClosed,
        }),
      );

      let position = '0';
      const applied: string[] = [];
      const sink: ConsumerSink = {
        position: async () => position,
        applyBatch: async (events) => {
          applied.push(...events.map((event) => event.type));
          position = events[events.length - 1]!.cursor;
        },
      };
      const run = () => {
        const errors: unknown[] = [];
        const consumer = runConsumer({
          name: 'strict',
          source: db,
          wakeup,
          sink,
          onError: (e) => errors.push(e),
        });
        return { consumer, errors };
      };
      const message = `event ${bad} (OrderConfirmed) breaks the event contract: lines[0].sku: expected a string`;

      const first = run();
      await expect(first.consumer.caughtUp(after.cursor)).rejects.toThrow(message);
      expect(first.consumer.failure).toBeInstanceOf(EventContractError);
      expect(first.errors.map(String)).toEqual([`EventContractError: ${message}`]);
      await first.consumer.stop();
      expect(applied).toEqual(['OrderSubmitted']);
      expect(position).toBe(before.cursor);

      // Started again, it stops at the same event: what follows is not applied past it.
      const second = run();
      await expect(second.consumer.caughtUp(after.cursor)).rejects.toThrow(message);
      await second.consumer.stop();
      expect(applied).toEqual(['OrderSubmitted']);
    } finally {
      await wakeup.stop();
      await opened.close();
    }
  }, 120_000);
});
