import type { Principal } from '../../../platform/auth/principal.ts';
import type {
  BusinessDocument,
  DespatchAdviceDocument,
  InvoiceDocument,
  ItemIdentifiers,
  Location,
  OrderResponseDocument,
  PurchaseOrderDocument,
  WireUnit,
} from '../formats/business.ts';
import type { DocumentCommand, Finding } from '../formats/types.ts';
import { skusByReference, type ReferenceKind } from '../store/references.ts';
import type { Queryable } from '../../../platform/db/database.ts';
import type { SubgraphClient } from '../subgraphClient.ts';
import { shipLines, shipPackages } from './shipNotice.ts';
import { toItemUnit, unitFromWire } from './units.ts';

/**
 * Turns a business document a partner sent into the GraphQL command that applies it, or into findings
 * that say why it cannot be: the order it names is not one the partner is party to, a line it names does
 * not exist, an item code nobody maps, a unit that cannot be converted. Everything the owning subgraph
 * checks anyway (quantities, statuses, prices, tolerances) is left to it, so the two doors never disagree.
 */
export interface Resolution {
  command: DocumentCommand | null;
  findings: Finding[];
  /** Where the document said each line, by the input path the command gives it (`lines[0]`). */
  lineLocations: Map<string, Location>;
}

export interface ResolveContext {
  db: Queryable;
  client: SubgraphClient;
  /** The partner that sent the document, as whom lookups and the command run. */
  sender: Principal & { partnerId: string };
}

interface OrderView {
  id: string;
  number: string;
  kind: 'PURCHASE' | 'SALES';
  currency: string;
  buyer: { id: string };
  seller: { id: string };
  lines: { lineNo: number; quantity: string; unit: string; item: { sku: string } }[];
}

const ORDER_BY_NUMBER = `query ($number: String!) {
  orders(filter: { number: $number }, first: 2) {
    nodes { id number kind currency buyer { id } seller { id } lines { lineNo quantity unit item { sku } } }
  }
}`;

const error = (code: string, message: string, at?: Location, value?: string): Finding => ({
  severity: 'ERROR',
  code,
  message,
  ...(at ? { at } : {}),
  ...(value !== undefined ? { value } : {}),
});

/** The order the partner names by our number or its own reference, among the orders it is party to. */
async function findOrder(context: ResolveContext, number: string): Promise<OrderView | null> {
  const answer = await context.client.request<{ orders: { nodes: OrderView[] } }>(
    'orders',
    context.sender,
    ORDER_BY_NUMBER,
    { number },
  );
  const nodes = answer.data?.orders.nodes ?? [];
  return nodes.length === 1 ? nodes[0]! : null;
}

/**
 * Which of the line's codes is the company's own SKU depends on who the company is in the document: the
 * buyer's part number when we bought, the vendor's when we sell. The partner's own code and a GTIN are
 * looked up in its cross-reference.
 */
async function skuOf(
  context: ResolveContext,
  item: ItemIdentifiers,
  we: 'BUYER' | 'SELLER',
): Promise<string | null> {
  const ours = we === 'BUYER' ? item.buyerPartNumber : item.vendorPartNumber;
  const theirs: { kind: ReferenceKind; value: string | undefined }[] = [
    {
      kind: we === 'BUYER' ? 'VENDOR_PART' : 'BUYER_PART',
      value: we === 'BUYER' ? item.vendorPartNumber : item.buyerPartNumber,
    },
    { kind: 'GTIN', value: item.gtin },
  ];
  const codes = theirs.filter((code): code is { kind: ReferenceKind; value: string } => !!code.value);
  const found = await skusByReference(context.db, context.sender.partnerId, codes);
  for (const code of codes) {
    const sku = found.get(`${code.kind}:${code.value}`);
    if (sku) return sku;
  }
  return ours ?? null;
}

const describeItem = (item: ItemIdentifiers) =>
  [
    item.buyerPartNumber && `buyer's part ${item.buyerPartNumber}`,
    item.vendorPartNumber && `vendor's part ${item.vendorPartNumber}`,
    item.gtin && `GTIN ${item.gtin}`,
  ]
    .filter(Boolean)
    .join(', ') || 'no item code';

function orderRefusal(number: string, order: OrderView | null, kind: OrderView['kind'], partnerId: string) {
  if (!order) return error('ORDER_NOT_FOUND', `no order ${number} of yours was found`, undefined, number);
  const ourRole = kind === 'PURCHASE' ? order.seller.id : order.buyer.id;
  if (order.kind !== kind || ourRole !== partnerId)
    return error(
      'ORDER_NOT_FOUND',
      `order ${number} is not a ${kind === 'PURCHASE' ? 'purchase order to you' : 'sales order from you'}`,
      undefined,
      number,
    );
  return null;
}

interface LineCheck {
  lineNo: number;
  item: ItemIdentifiers;
  quantity: string;
  unit: WireUnit;
  at?: Location | undefined;
}

/** The line in the order's unit, or findings: the line must exist, name its item, and come in a unit we convert. */
async function orderLine(
  context: ResolveContext,
  order: OrderView,
  line: LineCheck,
  we: 'BUYER' | 'SELLER',
): Promise<{ quantity: string } | Finding> {
  const ordered = order.lines.find((candidate) => candidate.lineNo === line.lineNo);
  if (!ordered)
    return error(
      'UNKNOWN_LINE',
      `order ${order.number} has no line ${line.lineNo}`,
      line.at,
      String(line.lineNo),
    );
  const named = await skuOf(context, line.item, we);
  if (named !== null && named !== ordered.item.sku)
    return error(
      'ITEM_MISMATCH',
      `line ${line.lineNo} of order ${order.number} is item ${ordered.item.sku}, not ${describeItem(line.item)}`,
      line.at,
      named,
    );
  const quantity = toItemUnit(line.quantity, line.unit, ordered.unit);
  if (quantity === null)
    return error(
      'UNIT_NOT_CONVERTIBLE',
      `line ${line.lineNo}: unit ${line.unit.code} cannot be converted to the line's unit ${ordered.unit}`,
      line.at,
      line.unit.code,
    );
  return { quantity };
}

const isFinding = (value: unknown): value is Finding =>
  typeof value === 'object' && value !== null && 'severity' in value;

async function purchaseOrder(context: ResolveContext, document: PurchaseOrderDocument): Promise<Resolution> {
  const findings: Finding[] = [];
  const lineLocations = new Map<string, Location>();
  const lines = [];
  for (const line of document.lines) {
    const sku = await skuOf(context, line.item, 'SELLER');
    if (!sku) {
      findings.push(
        error('UNKNOWN_ITEM', `line ${line.lineNo}: no item of ours is ${describeItem(line.item)}`, line.at),
      );
      continue;
    }
    const unit = unitFromWire(line.unit);
    if (!unit) {
      findings.push(
        error(
          'UNIT_NOT_CONVERTIBLE',
          `line ${line.lineNo}: unit ${line.unit.code} is not one we read`,
          line.at,
          line.unit.code,
        ),
      );
      continue;
    }
    if (line.at) lineLocations.set(`lines[${lines.length}]`, line.at);
    lines.push({
      sku,
      quantity: line.quantity,
      unit,
      ...((line.requestedDate ?? document.requestedDate)
        ? { requestedDate: line.requestedDate ?? document.requestedDate }
        : {}),
    });
  }
  if (findings.length > 0) return { command: null, findings, lineLocations };
  return {
    command: {
      mutation: 'placeSalesOrder',
      input: { currency: document.currency, externalRef: document.number, lines },
    },
    findings,
    lineLocations,
  };
}

async function orderResponse(context: ResolveContext, document: OrderResponseDocument): Promise<Resolution> {
  const lineLocations = new Map<string, Location>();
  const order = await findOrder(context, document.orderNumber);
  const refusal = orderRefusal(document.orderNumber, order, 'PURCHASE', context.sender.partnerId);
  if (refusal || !order) return { command: null, findings: [refusal!], lineLocations };
  if (document.status === 'REJECTED')
    return {
      command: {
        mutation: 'rejectOrder',
        orderId: order.id,
        reason: document.note?.trim() || `rejected by the supplier's order response ${document.number}`,
      },
      findings: [],
      lineLocations,
    };
  const findings: Finding[] = [];
  const lines = [];
  for (const line of document.lines) {
    const checked = await orderLine(context, order, line, 'BUYER');
    if (isFinding(checked)) {
      findings.push(checked);
      continue;
    }
    if (line.at) lineLocations.set(`lines[${lines.length}]`, line.at);
    lines.push({
      lineNo: line.lineNo,
      quantity: line.status === 'REJECTED' ? '0' : checked.quantity,
      ...(line.date ? { date: line.date } : {}),
    });
  }
  if (findings.length > 0) return { command: null, findings, lineLocations };
  return {
    command: {
      mutation: 'confirmOrder',
      orderId: order.id,
      input: { lines, externalRef: document.sellerOrderNumber ?? document.number },
    },
    findings,
    lineLocations,
  };
}

async function despatchAdvice(
  context: ResolveContext,
  document: DespatchAdviceDocument,
): Promise<Resolution> {
  const lineLocations = new Map<string, Location>();
  const order = await findOrder(context, document.orderNumber);
  const refusal = orderRefusal(document.orderNumber, order, 'PURCHASE', context.sender.partnerId);
  if (refusal || !order) return { command: null, findings: [refusal!], lineLocations };
  const findings: Finding[] = [];
  const quantities: string[] = [];
  for (const line of document.lines) {
    const checked = await orderLine(context, order, line, 'BUYER');
    if (isFinding(checked)) findings.push(checked);
    else quantities.push(checked.quantity);
  }
  if (findings.length > 0) return { command: null, findings, lineLocations };
  const lines = shipLines(document, quantities);
  lines.forEach((line, index) => {
    const at = document.lines.find((candidate) => candidate.lineNo === line.lineNo)?.at;
    if (at) lineLocations.set(`lines[${index}]`, at);
  });
  const optional = {
    // Ship notices date the dispatch; the order history records an instant, the start of that day in UTC.
    shippedAt:
      document.shippedAt && /^\d{4}-\d{2}-\d{2}$/.test(document.shippedAt)
        ? `${document.shippedAt}T00:00:00Z`
        : document.shippedAt,
    expectedDeliveryDate: document.expectedDeliveryDate,
    carrier: document.carrier,
    trackingNumber: document.trackingNumber,
    final: document.final,
    packages: document.packages.length > 0 ? shipPackages(document) : undefined,
  };
  return {
    command: {
      mutation: 'shipOrder',
      orderId: order.id,
      input: {
        reference: document.number,
        lines,
        ...Object.fromEntries(Object.entries(optional).filter(([, value]) => value !== undefined)),
      },
    },
    findings,
    lineLocations,
  };
}

async function invoice(context: ResolveContext, document: InvoiceDocument): Promise<Resolution> {
  const lineLocations = new Map<string, Location>();
  if (document.creditNote)
    return {
      command: null,
      findings: [
        error(
          'CREDIT_NOTE_NOT_APPLIED',
          `credit note ${document.number}: credit notes are entered by the company's finance team, not applied from documents`,
        ),
      ],
      lineLocations,
    };
  const orders = new Map<string, OrderView | null>();
  const findings: Finding[] = [];
  const lines = [];
  for (const line of document.lines) {
    const number = line.orderNumber ?? document.orderNumber;
    if (!number) {
      findings.push(error('ORDER_MISSING', `line ${line.lineNo} names no order`, line.at));
      continue;
    }
    if (!orders.has(number)) orders.set(number, await findOrder(context, number));
    const order = orders.get(number) ?? null;
    const refusal = orderRefusal(number, order, 'PURCHASE', context.sender.partnerId);
    if (refusal || !order) {
      findings.push({ ...refusal!, ...(line.at ? { at: line.at } : {}) });
      continue;
    }
    const checked = await orderLine(
      context,
      order,
      { lineNo: line.orderLineNo, item: line.item, quantity: line.quantity, unit: line.unit, at: line.at },
      'BUYER',
    );
    if (isFinding(checked)) {
      findings.push(checked);
      continue;
    }
    if (line.at) lineLocations.set(`lines[${lines.length}]`, line.at);
    lines.push({
      orderId: order.id,
      lineNo: line.orderLineNo,
      quantity: checked.quantity,
      unitPrice: line.unitPrice,
      taxRate: line.taxRate,
      ...(line.item.description ? { description: line.item.description } : {}),
    });
  }
  if (findings.length > 0) return { command: null, findings, lineLocations };
  const totals = { subtotal: document.subtotal, taxTotal: document.taxTotal, total: document.total };
  return {
    command: {
      mutation: 'submitSupplierInvoice',
      input: {
        number: document.number,
        currency: document.currency,
        issueDate: document.issueDate,
        ...(document.dueDate ? { dueDate: document.dueDate } : {}),
        lines,
        ...Object.fromEntries(Object.entries(totals).filter(([, value]) => value !== undefined)),
      },
    },
    findings,
    lineLocations,
  };
}

export async function resolveDocument(
  context: ResolveContext,
  document: BusinessDocument,
): Promise<Resolution> {
  switch (document.kind) {
    case 'PurchaseOrder':
      return purchaseOrder(context, document);
    case 'OrderResponse':
      return orderResponse(context, document);
    case 'DespatchAdvice':
      return despatchAdvice(context, document);
    case 'Invoice':
      return invoice(context, document);
  }
}
