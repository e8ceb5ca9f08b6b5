/**
 * Payloads of the events one subgraph consumes from another: the contract between a producer and its
 * consumers on the event log. A producer may add fields; it must not rename or drop these.
 */

/** `PartnerRegistered`, `PartnerUpdated` (partners). */
export interface PartnerFacts {
  id: string;
  name: string;
  country: string;
  roles: string[];
  status: string;
  isSelf: boolean;
}

/** `ItemUpserted` (inventory). */
export interface ItemFacts {
  sku: string;
  name: string;
  unit: string;
  gtin: string | null;
  listPrice: { amount: string; currency: string } | null;
}

// Inventory: stock, list prices, customer prices and promotions (orders keeps prices and availability).

/** Every stock event: the item's totals over every location right after the change. */
export interface StockFacts {
  sku: string;
  onHand: string;
  reserved: string;
  available: string;
  /** The quantity this event moved (received, issued, reserved, released, adjusted by). */
  quantity: string;
  orderId?: string | null;
  reason?: string | null;
  location?: string | null;
}

/** `StockReserved` always answers a confirmed sales order, per SKU, even when nothing could be reserved. */
export interface ReservationFacts extends StockFacts {
  orderId: string;
  requested: string;
  /** What could not be reserved; a `ReservationShort` event follows when it is not zero. */
  short: string;
}

export const STOCK_EVENTS = [
  'StockReceived',
  'StockIssued',
  'StockAdjusted',
  'StockReserved',
  'StockReleased',
  'ReservationShort',
  'IssueShort',
  'ReorderPointReached',
] as const;
export type StockEventType = (typeof STOCK_EVENTS)[number];

/** `PriceSet`: the item's list price (null when cleared). */
export interface ListPriceFacts {
  sku: string;
  listPrice: { amount: string; currency: string } | null;
}

/** `CustomerPriceSet` and `CustomerPriceRemoved` (the latter with `removed: true`). */
export interface CustomerPriceFacts {
  id: string;
  sku: string;
  customerId: string;
  amount: string;
  currency: string;
  validFrom: string;
  validTo: string | null;
  /** The same validity as instants: from `startsAt` (inclusive) to `endsAt` (exclusive, null if open). */
  startsAt: string;
  endsAt: string | null;
  removed: boolean;
}

/** `PromotionSet`. */
export interface PromotionFacts {
  id: string;
  sku: string;
  name: string;
  kind: 'PERCENT' | 'AMOUNT';
  value: string;
  currency: string | null;
  startsAt: string;
  endsAt: string;
}

/** Every `Order…` and `ShipmentReceived` event (orders): the order's facts after the step. */
export interface OrderEventFacts {
  orderId: string;
  number: string;
  kind: 'PURCHASE' | 'SALES';
  status: string;
  buyerId: string;
  sellerId: string;
  currency: string;
  actorPartnerId: string | null;
}

/** `OrderCreated` (orders); quantities and prices are decimal strings. */
export interface OrderCreatedFacts extends OrderEventFacts {
  lines: { lineNo: number; sku: string; quantity: string; unit: string; unitPrice: string }[];
}

/** `OrderConfirmed` (orders). */
export interface OrderConfirmedFacts extends OrderEventFacts {
  lines: { lineNo: number; confirmedQuantity: string }[];
}

/** `OrderShipped` (orders): the quantities this shipment carries. */
export interface OrderShippedFacts extends OrderEventFacts {
  shipmentId: string;
  lines: { lineNo: number; quantity: string }[];
}

/** `ShipmentReceived` (orders): `quantity` is what was accepted. */
export interface ShipmentReceivedFacts extends OrderEventFacts {
  shipmentId: string;
  lines: { lineNo: number; shippedQuantity: string; quantity: string; rejectedQuantity: string }[];
}

/** `PartnerCertificationAdded`, `PartnerCertificationRemoved` (partners). */
export interface PartnerCertificationFacts {
  partnerId: string;
  certificationId: string;
  kind: string;
  issuer: string;
  /** YYYY-MM-DD */
  validUntil: string;
}

/** `SupplyLinkDeclared` (network): a partner, or the company, discloses who supplies whom. */
export interface SupplyLinkDeclaredFacts {
  supplierId: string;
  customerId: string;
  items: string[];
  share: number | null;
  /** YYYY-MM-DD */
  since: string | null;
  visibility: 'PRIVATE' | 'PARTNERS' | 'NETWORK';
  /** The partner that declared it; null when the company's staff did. */
  declaredBy: string | null;
  /** The declaration's id; absent in events older than link confirmation. */
  linkId?: string;
  /**
   * CONFIRMED (the company's staff declared it), PENDING (awaits the other end), DISCLOSED (the other end
   * is known only by this disclosure). Absent in older events, which count as CONFIRMED.
   */
  status?: 'CONFIRMED' | 'PENDING' | 'DISCLOSED';
}

/** `SupplyLinkConfirmed` (network): both ends of the link now stand behind it. */
export interface SupplyLinkConfirmedFacts {
  linkId: string;
  supplierId: string;
  customerId: string;
}

/** `SupplyLinkRejected` (network): the declaration was declined or withdrawn. */
export interface SupplyLinkRejectedFacts extends SupplyLinkConfirmedFacts {
  reason: string;
}

/** `DisruptionReported` (network). */
export interface DisruptionReportedFacts {
  disruptionId: string;
  partnerId: string | null;
  country: string | null;
  severity: 'LOW' | 'MEDIUM' | 'HIGH' | 'CRITICAL';
  description: string;
  /** YYYY-MM-DD */
  expectedRecovery: string | null;
  reportedAt: string;
  alertCount: number;
  /** Hash of the request, to tell a retry from a different report under the same idempotency key. */
  requestHash: string;
}

/** `DisruptionAlert` (network): one per company downstream of a disruption; its party is that company. */
export interface DisruptionAlertFacts {
  disruption: Omit<DisruptionReportedFacts, 'requestHash'>;
  companyId: string;
  distance: number;
  /** Company ids from the disrupted one to the alerted one. */
  path: string[];
  items: string[];
}
