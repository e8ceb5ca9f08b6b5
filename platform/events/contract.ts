import {
  bool,
  decimal,
  extend,
  int,
  list,
  nullable,
  num,
  object,
  omit,
  oneOf,
  optional,
  str,
  type Infer,
} from './shape.ts';

/**
 * The event contract: every event type on the log and the payload it carries, in one place. Producers
 * append through `appendEvent`, which takes exactly the payload of its type; readers receive events
 * checked against the same shapes (a payload that does not match stops the reader, naming the cursor and
 * the type). A producer may add a field here before its readers use it; a field is removed only once no
 * reader uses it.
 *
 * To add an event type: declare its payload shape below (or reuse one), add `Type: shape` to
 * `EVENT_SHAPES`, and append it with `appendEvent(tx, { type: 'Type', payload, ... })`. The compiler then
 * holds producers and readers to that shape.
 */

const money = object({ amount: decimal, currency: str });

// ---------------------------------------------------------------- partners

/** `PartnerRegistered`, `PartnerUpdated`. */
const partnerFacts = object({
  id: str,
  name: str,
  country: str,
  roles: list(str),
  status: str,
  isSelf: bool,
});
export type PartnerFacts = Infer<typeof partnerFacts>;

/** `PartnerCertificationAdded`, `PartnerCertificationRemoved`; `validUntil` is YYYY-MM-DD. */
const partnerCertificationFacts = object({
  partnerId: str,
  certificationId: str,
  kind: str,
  issuer: str,
  validUntil: str,
});
export type PartnerCertificationFacts = Infer<typeof partnerCertificationFacts>;

/** `ApiKeyCreated`: the key's id and name, never its secret. */
const apiKeyFacts = object({ keyId: str, name: str });

// ---------------------------------------------------------------- inventory

/** `ItemUpserted`: the item as it is after the change. */
const itemFacts = object({
  sku: str,
  name: str,
  unit: str,
  gtin: nullable(str),
  listPrice: nullable(money),
  reorderPoint: nullable(decimal),
  availabilityCheck: oneOf('BACKORDER', 'CONFIRM_AVAILABLE'),
});
export type ItemFacts = Infer<typeof itemFacts>;

/** `PriceSet`: the item's list price (null when cleared). */
const listPriceFacts = object({ sku: str, listPrice: nullable(money) });
export type ListPriceFacts = Infer<typeof listPriceFacts>;

/**
 * `CustomerPriceSet` and `CustomerPriceRemoved` (the latter with `removed: true`). The validity is given
 * twice: as days (`validFrom`, `validTo`) and as instants, from `startsAt` (inclusive) to `endsAt`
 * (exclusive, null if open).
 */
const customerPriceFacts = object({
  id: str,
  sku: str,
  customerId: str,
  amount: decimal,
  currency: str,
  validFrom: str,
  validTo: nullable(str),
  startsAt: str,
  endsAt: nullable(str),
  removed: bool,
});
export type CustomerPriceFacts = Infer<typeof customerPriceFacts>;

/** `PromotionSet`. */
const promotionFacts = object({
  id: str,
  sku: str,
  name: str,
  kind: oneOf('PERCENT', 'AMOUNT'),
  value: decimal,
  currency: nullable(str),
  startsAt: str,
  endsAt: str,
});
export type PromotionFacts = Infer<typeof promotionFacts>;

/** `LocationDefined`. */
const locationFacts = object({ code: str, name: str, isDefault: bool });

/** The item's totals over every location right after a stock change. */
const stockFigures = object({ sku: str, onHand: decimal, reserved: decimal, available: decimal });
export type StockFigures = Infer<typeof stockFigures>;

/** Every stock event: the totals, and the quantity this event moved (received, issued, reserved, ...). */
const stockFacts = extend(stockFigures, {
  quantity: decimal,
  orderId: optional(nullable(str)),
  reason: optional(nullable(str)),
  location: optional(nullable(str)),
});
export type StockFacts = Infer<typeof stockFacts>;

/**
 * `StockReserved` answers every confirmed sales order, per SKU, even when nothing could be reserved;
 * `ReservationShort` follows when `short` is not zero. `IssueShort`: a shipment issued less than shipped.
 */
const shortFacts = extend(stockFacts, { orderId: str, requested: decimal, short: decimal });
export type ReservationFacts = Infer<typeof shortFacts>;

/** `ReorderPointReached`: available fell below the reorder point (once per crossing). */
const reorderFacts = extend(stockFacts, { reorderPoint: decimal });

// ---------------------------------------------------------------- orders

export const ORDER_STATUSES = [
  'DRAFT',
  'SUBMITTED',
  'CONFIRMED',
  'PARTIALLY_CONFIRMED',
  'REJECTED',
  'PARTIALLY_SHIPPED',
  'SHIPPED',
  'PARTIALLY_RECEIVED',
  'RECEIVED',
  'CLOSED',
  'CANCELLED',
] as const;

/** Every order event: the order's facts after the step. Quantities and prices are decimal strings. */
const orderFacts = object({
  orderId: str,
  number: str,
  kind: oneOf('PURCHASE', 'SALES'),
  status: oneOf(...ORDER_STATUSES),
  buyerId: str,
  sellerId: str,
  currency: str,
  actorPartnerId: nullable(str),
});
export type OrderEventFacts = Infer<typeof orderFacts>;

/** What every order line on an order event carries. */
const orderLine = object({ lineNo: int, sku: str, unit: str, quantity: decimal });
export type OrderLineFacts = Infer<typeof orderLine>;

/** `OrderCreated`. */
const orderCreatedFacts = extend(orderFacts, {
  externalRef: nullable(str),
  lines: list(extend(orderLine, { unitPrice: decimal, requestedDate: nullable(str) })),
});
export type OrderCreatedFacts = Infer<typeof orderCreatedFacts>;

/** `OrderConfirmed`: every line, with what the seller confirmed (0 for a declined line). */
const orderConfirmedFacts = extend(orderFacts, {
  externalRef: nullable(str),
  lines: list(
    extend(orderLine, {
      requestedDate: nullable(str),
      confirmedQuantity: decimal,
      confirmedDate: nullable(str),
    }),
  ),
});
export type OrderConfirmedFacts = Infer<typeof orderConfirmedFacts>;

/** A lot (batch) a shipment line is made of; dates are YYYY-MM-DD. */
const shippedLot = object({
  number: str,
  quantity: decimal,
  expiryDate: nullable(str),
  productionDate: nullable(str),
});
export type ShippedLotFacts = Infer<typeof shippedLot>;

/** A package of a shipment and what it holds, per line (and lot). */
const shippedPackage = object({
  packageId: str,
  type: nullable(str),
  grossWeight: nullable(object({ value: decimal, unit: str })),
  contents: list(object({ lineNo: int, quantity: decimal, lot: nullable(str) })),
});
export type ShippedPackageFacts = Infer<typeof shippedPackage>;

/**
 * `OrderShipped`: the lines this shipment carries, `quantity` shipped. Lots, serials and packages came
 * later: events appended before them have none of these fields.
 */
const orderShippedFacts = extend(orderFacts, {
  shipmentId: str,
  shipmentNumber: str,
  reference: nullable(str),
  final: bool,
  lines: list(extend(orderLine, { lots: optional(list(shippedLot)), serials: optional(list(str)) })),
  packages: optional(list(shippedPackage)),
});
export type OrderShippedFacts = Infer<typeof orderShippedFacts>;

/** `ShipmentReceived`: per shipped line, `quantity` accepted, rejected and short. */
const shipmentReceivedFacts = extend(orderFacts, {
  shipmentId: str,
  shipmentNumber: str,
  lines: list(
    extend(orderLine, {
      shippedQuantity: decimal,
      rejectedQuantity: decimal,
      shortQuantity: decimal,
      rejectionReason: nullable(str),
    }),
  ),
});
export type ShipmentReceivedFacts = Infer<typeof shipmentReceivedFacts>;

/** `OrderRejected`, `OrderCancelled`. */
const orderReasonFacts = extend(orderFacts, { reason: str });

// ---------------------------------------------------------------- invoices

export const INVOICE_STATUSES = [
  'DISPUTED',
  'APPROVED',
  'ISSUED',
  'PARTIALLY_PAID',
  'PAID',
  'CANCELLED',
] as const;

/** Every invoice event: the invoice's facts after the step, amounts as decimal strings. */
const invoiceFacts = object({
  invoiceId: str,
  number: str,
  kind: oneOf('PAYABLE', 'RECEIVABLE'),
  status: oneOf(...INVOICE_STATUSES),
  issuerId: str,
  recipientId: str,
  orderId: nullable(str),
  currency: str,
  total: decimal,
  balance: decimal,
  dueDate: str,
  actorPartnerId: nullable(str),
  /** DunningReminderSent. */
  level: optional(int),
  daysOverdue: optional(int),
  asOf: optional(str),
  /** PaymentRecorded. */
  paymentId: optional(str),
  amount: optional(decimal),
  reference: optional(str),
  /** InvoiceDisputed, InvoiceApproved (the justification), InvoiceCancelled, InvoiceSubmitted when disputed. */
  reason: optional(nullable(str)),
  /** InvoiceSubmitted, InvoiceRematched. */
  matchStatus: optional(str),
});
export type InvoiceFacts = Infer<typeof invoiceFacts>;

/** `PaymentTermsSet`: a customer's payment terms and tax rate. */
const paymentTermsFacts = object({ partnerId: str, days: int, taxRate: decimal });

// ---------------------------------------------------------------- network

/** `SupplyLinkDeclared`: a partner (`declaredBy`), or the company's staff (null), discloses who supplies whom. */
const supplyLinkDeclaredFacts = object({
  supplierId: str,
  customerId: str,
  items: list(str),
  share: nullable(num),
  /** YYYY-MM-DD */
  since: nullable(str),
  visibility: oneOf('PRIVATE', 'PARTNERS', 'NETWORK'),
  declaredBy: nullable(str),
  /** The declaration's id; absent in events older than link confirmation. */
  linkId: optional(str),
  /**
   * CONFIRMED (the company's staff declared it), PENDING (awaits the other end), DISCLOSED (the other end
   * is known only by this disclosure). Absent in older events, which count as CONFIRMED.
   */
  status: optional(oneOf('CONFIRMED', 'PENDING', 'DISCLOSED')),
});
export type SupplyLinkDeclaredFacts = Infer<typeof supplyLinkDeclaredFacts>;

/** `SupplyLinkConfirmed`: the counterparty (or staff) confirmed a pending link. */
const supplyLinkConfirmedFacts = object({ linkId: str, supplierId: str, customerId: str });
export type SupplyLinkConfirmedFacts = Infer<typeof supplyLinkConfirmedFacts>;

/** `SupplyLinkRejected`: the counterparty (or staff) refused a pending link, and why. */
const supplyLinkRejectedFacts = extend(supplyLinkConfirmedFacts, { reason: str });
export type SupplyLinkRejectedFacts = Infer<typeof supplyLinkRejectedFacts>;

/** `DisruptionReported`; `requestHash` tells a retry from a different report under the same key. */
const disruptionReportedFacts = object({
  disruptionId: str,
  partnerId: nullable(str),
  country: nullable(str),
  severity: oneOf('LOW', 'MEDIUM', 'HIGH', 'CRITICAL'),
  description: str,
  /** YYYY-MM-DD */
  expectedRecovery: nullable(str),
  reportedAt: str,
  alertCount: int,
  requestHash: str,
});
export type DisruptionReportedFacts = Infer<typeof disruptionReportedFacts>;

/** `DisruptionAlert`: one per company downstream of a disruption; its party is that company. */
const disruptionAlertFacts = object({
  disruption: omit(disruptionReportedFacts, 'requestHash'),
  companyId: str,
  distance: int,
  /** Company ids from the disrupted one to the alerted one. */
  path: list(str),
  items: list(str),
});
export type DisruptionAlertFacts = Infer<typeof disruptionAlertFacts>;

// ---------------------------------------------------------------- exchange

/** `DocumentReceived`, `DocumentProcessed`, `DocumentRejected`. */
const documentFacts = object({
  documentId: str,
  partnerId: str,
  format: str,
  documentType: nullable(str),
  controlNumber: nullable(str),
  status: str,
  reasons: list(str),
});
export type DocumentEventFacts = Infer<typeof documentFacts>;

/** `DeliveryDeadLettered`, `WebhookEndpointDisabled`. */
const deliveryFacts = object({ deliveryId: str, partnerId: str, url: nullable(str), reason: str });
export type DeliveryEventFacts = Infer<typeof deliveryFacts>;

// ---------------------------------------------------------------- the map

export const EVENT_SHAPES = {
  // partners
  PartnerRegistered: partnerFacts,
  PartnerUpdated: partnerFacts,
  PartnerCertificationAdded: partnerCertificationFacts,
  PartnerCertificationRemoved: partnerCertificationFacts,
  ApiKeyCreated: apiKeyFacts,
  ApiKeyRevoked: apiKeyFacts,

  // inventory
  ItemUpserted: itemFacts,
  PriceSet: listPriceFacts,
  CustomerPriceSet: customerPriceFacts,
  CustomerPriceRemoved: customerPriceFacts,
  PromotionSet: promotionFacts,
  LocationDefined: locationFacts,
  StockReceived: stockFacts,
  StockIssued: stockFacts,
  StockAdjusted: stockFacts,
  StockReserved: shortFacts,
  StockReleased: stockFacts,
  ReservationShort: shortFacts,
  IssueShort: shortFacts,
  ReorderPointReached: reorderFacts,

  // orders
  OrderCreated: orderCreatedFacts,
  OrderSubmitted: orderFacts,
  OrderConfirmed: orderConfirmedFacts,
  OrderRejected: orderReasonFacts,
  OrderCancelled: orderReasonFacts,
  OrderShipped: orderShippedFacts,
  ShipmentReceived: shipmentReceivedFacts,
  OrderClosed: orderFacts,

  // invoices
  InvoiceSubmitted: invoiceFacts,
  InvoiceIssued: invoiceFacts,
  InvoiceApproved: invoiceFacts,
  InvoiceDisputed: invoiceFacts,
  InvoiceRematched: invoiceFacts,
  PaymentRecorded: invoiceFacts,
  InvoiceCancelled: invoiceFacts,
  DunningReminderSent: invoiceFacts,
  PaymentTermsSet: paymentTermsFacts,

  // network
  SupplyLinkDeclared: supplyLinkDeclaredFacts,
  SupplyLinkConfirmed: supplyLinkConfirmedFacts,
  SupplyLinkRejected: supplyLinkRejectedFacts,
  DisruptionReported: disruptionReportedFacts,
  DisruptionAlert: disruptionAlertFacts,

  // exchange
  DocumentReceived: documentFacts,
  DocumentProcessed: documentFacts,
  DocumentRejected: documentFacts,
  DeliveryDeadLettered: deliveryFacts,
  WebhookEndpointDisabled: deliveryFacts,
} as const;

type Shapes = typeof EVENT_SHAPES;
export type EventType = keyof Shapes;
export type EventPayloads = { [T in EventType]: Infer<Shapes[T]> };

export function isEventType(type: string): type is EventType {
  return Object.hasOwn(EVENT_SHAPES, type);
}

/** Event types that readers take together. */
const GROUPS = {
  stock: [
    'StockReceived',
    'StockIssued',
    'StockAdjusted',
    'StockReserved',
    'StockReleased',
    'ReservationShort',
    'IssueShort',
    'ReorderPointReached',
  ],
  order: [
    'OrderCreated',
    'OrderSubmitted',
    'OrderConfirmed',
    'OrderRejected',
    'OrderCancelled',
    'OrderShipped',
    'ShipmentReceived',
    'OrderClosed',
  ],
  invoice: [
    'InvoiceSubmitted',
    'InvoiceIssued',
    'InvoiceApproved',
    'InvoiceDisputed',
    'InvoiceRematched',
    'PaymentRecorded',
    'InvoiceCancelled',
    'DunningReminderSent',
  ],
  exchange: [
    'DocumentReceived',
    'DocumentProcessed',
    'DocumentRejected',
    'DeliveryDeadLettered',
    'WebhookEndpointDisabled',
  ],
} as const satisfies Record<string, readonly EventType[]>;

export const STOCK_EVENTS = GROUPS.stock;
export type StockEventType = (typeof STOCK_EVENTS)[number];
export const ORDER_EVENTS = GROUPS.order;
export type OrderEventType = (typeof ORDER_EVENTS)[number];
export const INVOICE_EVENTS = GROUPS.invoice;
export type InvoiceEventType = (typeof INVOICE_EVENTS)[number];
export const EXCHANGE_EVENTS = GROUPS.exchange;
export type ExchangeEventType = (typeof EXCHANGE_EVENTS)[number];
