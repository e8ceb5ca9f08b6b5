import { Decimal } from 'decimal.js';
import type { Principal } from '../../../platform/auth/principal.ts';
import type { Queryable } from '../../../platform/db/database.ts';
import type {
  BusinessDocument,
  BusinessDocumentKind,
  ItemIdentifiers,
  PartyIdentifiers,
  WireUnit,
} from '../formats/business.ts';
import { unitToWire } from '../mapping/units.ts';
import type { WireIdentifiers } from '../store/profiles.ts';
import { referencesBySku } from '../store/references.ts';
import { SubgraphUnavailable, type SubgraphClient } from '../subgraphClient.ts';

/** Outbound documents are written from the company's own view of its orders and invoices. */
const COMPANY: Principal = { subject: 'system:exchange-outbound', roles: ['admin'] };

interface OrderData {
  id: string;
  number: string;
  kind: 'PURCHASE' | 'SALES';
  status: string;
  currency: string;
  externalRef: string | null;
  createdAt: string;
  buyer: { id: string };
  seller: { id: string };
  lines: {
    lineNo: number;
    quantity: string;
    unit: string;
    unitPrice: { amount: string };
    requestedDate: string | null;
    confirmedQuantity: string | null;
    confirmedDate: string | null;
    item: { sku: string };
  }[];
  history: { type: string; reason: string | null }[];
}

const ORDER_FIELDS = `id number kind status currency externalRef createdAt buyer { id } seller { id }
  lines { lineNo quantity unit unitPrice { amount } requestedDate confirmedQuantity confirmedDate item { sku } }`;

interface ShipmentData {
  id: string;
  number: string;
  reference: string | null;
  shippedAt: string;
  expectedDeliveryDate: string | null;
  carrier: string | null;
  trackingNumber: string | null;
  order: { id: string };
  lines: {
    lineNo: number;
    quantity: string;
    unit: string;
    item: { sku: string };
    lots: { number: string; quantity: string; expiryDate: string | null; productionDate: string | null }[];
    serials: string[];
  }[];
  packages: {
    packageId: string;
    type: string | null;
    grossWeight: { value: string; unit: string } | null;
    contents: { lineNo: number; quantity: string; lot: string | null }[];
  }[];
}

interface InvoiceData {
  id: string;
  number: string;
  currency: string;
  issueDate: string;
  dueDate: string;
  order: { id: string } | null;
  lines: {
    lineNo: number;
    orderLineNo: number;
    order: { id: string };
    sku: string;
    unit: string;
    description: string | null;
    quantity: string;
    unitPrice: { amount: string };
    netAmount: { amount: string };
    taxRate: string;
  }[];
  subtotal: { amount: string };
  taxTotal: { amount: string };
  total: { amount: string };
}

export interface BuildContext {
  db: Queryable;
  client: SubgraphClient;
  partnerId: string;
  identifiers: WireIdentifiers;
  /** The code list units are written in: X12's, or Recommendation 20 for EDIFACT and UBL. */
  unitCodes: WireUnit['codeList'];
}

async function ask<T>(context: BuildContext, subgraph: 'orders' | 'invoices', query: string, id: string) {
  const answer = await context.client.request<T>(subgraph, COMPANY, query, { id });
  if (answer.errors.length > 0) throw new SubgraphUnavailable(`${subgraph}: ${answer.errors[0]!.message}`);
  return answer.data;
}

async function orderOf(context: BuildContext, id: string): Promise<OrderData> {
  const data = await ask<{ order: OrderData | null }>(
    context,
    'orders',
    `query ($id: ID!) { order(id: $id) { ${ORDER_FIELDS} history { type reason } } }`,
    id,
  );
  if (!data?.order) throw new SubgraphUnavailable(`order ${id} is not there`);
  return data.order;
}

interface PartyData {
  name: string;
  country: string;
  identifiers: { scheme: string; value: string }[];
}

/** A party as documents name it: name, country, and its VAT number (EN 16931 wants the seller's). */
const partyOf = (data: PartyData, gln?: string | null): PartyIdentifiers => {
  const vat = data.identifiers.filter((identifier) => identifier.scheme === 'VAT');
  return {
    name: data.name,
    country: data.country,
    ...(gln ? { gln } : {}),
    ...(vat.length > 0 ? { ids: vat.map((identifier) => `VAT:${identifier.value}`) } : {}),
  };
};

/** The company and the partner, from the partners subgraph; the partner's GLN from its profile. */
async function parties(
  context: BuildContext,
): Promise<{ self: PartyIdentifiers; partner: PartyIdentifiers }> {
  const answer = await context.client.request<{ self: PartyData; partner: PartyData | null }>(
    'partners',
    COMPANY,
    `query ($id: ID!) { self { name country identifiers { scheme value } }
      partner(id: $id) { name country identifiers { scheme value } } }`,
    { id: context.partnerId },
  );
  const data = answer.data;
  if (!data?.partner) throw new SubgraphUnavailable(`partner ${context.partnerId} is not there`);
  return { self: partyOf(data.self), partner: partyOf(data.partner, context.identifiers.gln) };
}

/** Every code the partner knows our items by, with our SKU as the code of whichever side we are. */
async function itemCodes(context: BuildContext, skus: readonly string[], we: 'BUYER' | 'SELLER') {
  const references = await referencesBySku(context.db, context.partnerId, skus);
  return (sku: string): ItemIdentifiers => {
    const theirs = references.find(
      (reference) =>
        reference.sku === sku && reference.kind === (we === 'BUYER' ? 'VENDOR_PART' : 'BUYER_PART'),
    );
    const gtin = references.find((reference) => reference.sku === sku && reference.kind === 'GTIN');
    return {
      ...(we === 'BUYER' ? { buyerPartNumber: sku } : { vendorPartNumber: sku }),
      ...(theirs ? { [we === 'BUYER' ? 'vendorPartNumber' : 'buyerPartNumber']: theirs.value } : {}),
      ...(gtin ? { gtin: gtin.value } : {}),
    };
  };
}

const day = (iso: string) => iso.slice(0, 10);

async function purchaseOrder(context: BuildContext, orderId: string): Promise<BusinessDocument> {
  const order = await orderOf(context, orderId);
  const { self, partner } = await parties(context);
  const codes = await itemCodes(
    context,
    order.lines.map((line) => line.item.sku),
    'BUYER',
  );
  return {
    kind: 'PurchaseOrder',
    number: order.number,
    issueDate: day(order.createdAt),
    currency: order.currency,
    buyer: self,
    seller: partner,
    lines: order.lines.map((line) => ({
      lineNo: line.lineNo,
      item: codes(line.item.sku),
      quantity: line.quantity,
      unit: unitToWire(line.unit, context.unitCodes),
      unitPrice: line.unitPrice.amount,
      ...(line.requestedDate ? { requestedDate: line.requestedDate } : {}),
    })),
  };
}

async function orderResponse(context: BuildContext, orderId: string): Promise<BusinessDocument> {
  const order = await orderOf(context, orderId);
  const { self, partner } = await parties(context);
  const codes = await itemCodes(
    context,
    order.lines.map((line) => line.item.sku),
    'SELLER',
  );
  const rejected = order.status === 'REJECTED';
  const reason = [...order.history].reverse().find((step) => step.type === 'REJECTED')?.reason;
  const lines = order.lines.map((line) => {
    const confirmed = rejected ? '0' : (line.confirmedQuantity ?? line.quantity);
    const status: 'ACCEPTED' | 'CHANGED' | 'REJECTED' =
      rejected || new Decimal(confirmed).isZero()
        ? 'REJECTED'
        : !new Decimal(confirmed).equals(line.quantity) ||
            (line.confirmedDate && line.confirmedDate !== line.requestedDate)
          ? 'CHANGED'
          : 'ACCEPTED';
    return {
      lineNo: line.lineNo,
      status,
      item: codes(line.item.sku),
      quantity: confirmed,
      unit: unitToWire(line.unit, context.unitCodes),
      ...((line.confirmedDate ?? line.requestedDate)
        ? { date: (line.confirmedDate ?? line.requestedDate)! }
        : {}),
    };
  });
  return {
    kind: 'OrderResponse',
    number: order.number,
    orderNumber: order.externalRef ?? order.number,
    sellerOrderNumber: order.number,
    issueDate: day(new Date().toISOString()),
    status: rejected
      ? 'REJECTED'
      : lines.every((line) => line.status === 'ACCEPTED')
        ? 'ACCEPTED'
        : 'CHANGED',
    ...(reason ? { note: reason } : {}),
    buyer: partner,
    seller: self,
    lines,
  };
}

async function despatchAdvice(context: BuildContext, shipmentId: string): Promise<BusinessDocument> {
  const data = await ask<{ shipment: ShipmentData | null }>(
    context,
    'orders',
    `query ($id: ID!) { shipment(id: $id) { id number reference shippedAt expectedDeliveryDate carrier trackingNumber
      order { id } lines { lineNo quantity unit item { sku }
        lots { number quantity expiryDate productionDate } serials }
      packages { packageId type grossWeight { value unit } contents { lineNo quantity lot } } } }`,
    shipmentId,
  );
  const shipment = data?.shipment;
  if (!shipment) throw new SubgraphUnavailable(`shipment ${shipmentId} is not there`);
  const order = await orderOf(context, shipment.order.id);
  const { self, partner } = await parties(context);
  const codes = await itemCodes(
    context,
    shipment.lines.map((line) => line.item.sku),
    'SELLER',
  );
  return {
    kind: 'DespatchAdvice',
    number: shipment.number,
    orderNumber: order.externalRef ?? order.number,
    issueDate: day(shipment.shippedAt),
    shippedAt: day(shipment.shippedAt),
    ...(shipment.expectedDeliveryDate ? { expectedDeliveryDate: shipment.expectedDeliveryDate } : {}),
    ...(shipment.carrier ? { carrier: shipment.carrier } : {}),
    ...(shipment.trackingNumber ? { trackingNumber: shipment.trackingNumber } : {}),
    buyer: partner,
    seller: self,
    packages: shipment.packages.map((pack) => ({
      id: pack.packageId,
      ...(pack.type ? { type: pack.type } : {}),
      ...(pack.grossWeight
        ? {
            grossWeight: {
              value: pack.grossWeight.value,
              unit: unitToWire(pack.grossWeight.unit, context.unitCodes),
            },
          }
        : {}),
    })),
    // Unpacked lines first, then package by package: the order every family writes them back in.
    lines: shipment.lines
      .map((line) => ({
        lineNo: line.lineNo,
        item: codes(line.item.sku),
        quantity: line.quantity,
        unit: unitToWire(line.unit, context.unitCodes),
        lots: line.lots.map((lot) => ({
          number: lot.number,
          quantity: lot.quantity,
          ...(lot.expiryDate ? { expiryDate: lot.expiryDate } : {}),
          ...(lot.productionDate ? { productionDate: lot.productionDate } : {}),
        })),
        serials: line.serials,
        ...packedIn(shipment, line.lineNo),
      }))
      .sort((a, b) => packageRank(shipment, a.packageId) - packageRank(shipment, b.packageId)),
  };
}

/** The package a line travels in, when it travels whole in one. */
function packedIn(shipment: ShipmentData, lineNo: number): { packageId?: string } {
  const holding = shipment.packages.filter((pack) =>
    pack.contents.some((content) => content.lineNo === lineNo),
  );
  return holding.length === 1 ? { packageId: holding[0]!.packageId } : {};
}

const packageRank = (shipment: ShipmentData, packageId: string | undefined) =>
  packageId === undefined ? -1 : shipment.packages.findIndex((pack) => pack.packageId === packageId);

async function invoice(context: BuildContext, invoiceId: string): Promise<BusinessDocument> {
  const data = await ask<{ invoice: InvoiceData | null }>(
    context,
    'invoices',
    `query ($id: ID!) { invoice(id: $id) { id number currency issueDate dueDate order { id }
      lines { lineNo orderLineNo order { id } sku unit description quantity unitPrice { amount } netAmount { amount } taxRate }
      subtotal { amount } taxTotal { amount } total { amount } } }`,
    invoiceId,
  );
  const bill = data?.invoice;
  if (!bill) throw new SubgraphUnavailable(`invoice ${invoiceId} is not there`);
  const orderIds = [...new Set(bill.lines.map((line) => line.order.id))];
  const orders = new Map<string, OrderData>();
  for (const id of orderIds) orders.set(id, await orderOf(context, id));
  const reference = (id: string) => {
    const order = orders.get(id)!;
    return order.externalRef ?? order.number;
  };
  const { self, partner } = await parties(context);
  const codes = await itemCodes(
    context,
    bill.lines.map((line) => line.sku),
    'SELLER',
  );
  return {
    kind: 'Invoice',
    creditNote: false,
    number: bill.number,
    issueDate: bill.issueDate,
    dueDate: bill.dueDate,
    currency: bill.currency,
    ...(bill.order ? { orderNumber: reference(bill.order.id) } : {}),
    seller: self,
    buyer: partner,
    lines: bill.lines.map((line) => ({
      lineNo: line.lineNo,
      ...(bill.order && line.order.id === bill.order.id ? {} : { orderNumber: reference(line.order.id) }),
      orderLineNo: line.orderLineNo,
      item: { ...codes(line.sku), ...(line.description ? { description: line.description } : {}) },
      quantity: line.quantity,
      unit: unitToWire(line.unit, context.unitCodes),
      unitPrice: line.unitPrice.amount,
      netAmount: line.netAmount.amount,
      taxRate: line.taxRate,
    })),
    subtotal: bill.subtotal.amount,
    taxTotal: bill.taxTotal.amount,
    total: bill.total.amount,
  };
}

/** The business document a job owes, from the owning subgraph's current data. */
export function buildDocument(
  context: BuildContext,
  kind: BusinessDocumentKind,
  subjectId: string,
): Promise<BusinessDocument> {
  switch (kind) {
    case 'PurchaseOrder':
      return purchaseOrder(context, subjectId);
    case 'OrderResponse':
      return orderResponse(context, subjectId);
    case 'DespatchAdvice':
      return despatchAdvice(context, subjectId);
    case 'Invoice':
      return invoice(context, subjectId);
  }
}
