import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  DespatchAdviceDocument,
  InvoiceDocument,
  Lot,
  OrderResponseDocument,
  PurchaseOrderDocument,
} from '../subgraphs/exchange/formats/business.ts';
import { partnerParty, sameParty } from '../subgraphs/exchange/mapping/envelope.ts';
import { PartnerEdi, verdictsOf } from './support/documents.ts';
import { SET_PROFILE, type DocumentView } from './support/exchange.ts';
import { INVOICE } from './support/invoices.ts';
import {
  caller,
  CLOSE,
  CONFIRM,
  CREATE_PO,
  ORDER,
  partnerIds,
  RECEIVE,
  SHIP,
  SUBMIT,
  type Caller,
} from './support/orders.ts';
import { bootStack, type TestStack } from './support/stack.ts';

/**
 * Purchase and sales orders driven by documents only, once per family, through the real inbox (HTTP POST
 * with the partner's API key) and the real outbox; each step's acknowledgement is read as the partner's
 * system would read it.
 */
const FAMILIES = [
  { id: 'x12-004010', unitCodes: 'X12' as const },
  { id: 'edifact-d96a', unitCodes: 'REC20' as const },
  { id: 'peppol-bis3', unitCodes: 'REC20' as const },
];

const NORTE_IDS = {
  x12Qualifier: 'ZZ',
  x12Id: 'NORTEEDI',
  edifactQualifier: '14',
  edifactId: '8412345000010',
  peppolParticipantId: '0088:8412345000010',
  gln: '8412345000010',
};
const VELOMARKT_IDS = {
  x12Qualifier: 'ZZ',
  x12Id: 'VELOMARKT',
  edifactQualifier: '14',
  edifactId: '4012345000016',
  peppolParticipantId: '0088:4012345000016',
  gln: '4012345000016',
};

let stack: TestStack;
let admin: Caller;
let buyer: Caller;
let sales: Caller;
let norte: string;
let velomarkt: string;
let norteKey: string;
let velomarktKey: string;
/** Outbound documents already looked at, over every family: each test waits for one it has not seen. */
const seen: { view: DocumentView }[] = [];

async function apiKey(partnerId: string): Promise<string> {
  const data = await admin.ok<{ createApiKey: { secret: string } }>(
    'mutation ($id: ID!) { createApiKey(partnerId: $id, name: "EDI") { secret } }',
    { id: partnerId },
  );
  return data.createApiKey.secret;
}

const ids = (documents: { view: DocumentView }[]) => new Set(documents.map((document) => document.view.id));

beforeAll(async () => {
  stack = await bootStack({ seedDemo: true });
  admin = caller(stack, await stack.as(['admin']));
  buyer = caller(stack, await stack.as(['buyer']));
  sales = caller(stack, await stack.as(['sales']));
  [norte, velomarkt] = (await partnerIds(admin, 'Norte', 'VeloMarkt')) as [string, string];
  norteKey = await apiKey(norte);
  velomarktKey = await apiKey(velomarkt);
  await admin.ok(
    'mutation ($id: ID!, $csv: String!) { importItemReferences(partnerId: $id, csv: $csv) { imported } }',
    {
      id: velomarkt,
      csv: 'kind,value,sku\nBUYER_PART,VM-WHEEL-29,WHEEL-29\nGTIN,4006381333931,BIKE-TRAIL-29\n',
    },
  );
});
afterAll(async () => {
  await stack?.close();
});

describe.each(FAMILIES)('$id', ({ id: formatId }) => {
  let supplier: PartnerEdi;
  let customer: PartnerEdi;

  beforeAll(async () => {
    for (const [partnerId, identifiers] of [
      [norte, NORTE_IDS],
      [velomarkt, VELOMARKT_IDS],
    ] as const)
      await admin.ok(SET_PROFILE, {
        partnerId,
        input: { formats: ['json', formatId], outboundFormat: formatId, identifiers },
      });
    supplier = new PartnerEdi(stack, formatId, NORTE_IDS, norteKey, caller(stack, { 'x-api-key': norteKey }));
    customer = new PartnerEdi(
      stack,
      formatId,
      VELOMARKT_IDS,
      velomarktKey,
      caller(stack, { 'x-api-key': velomarktKey }),
    );
  });

  it('a purchase order goes out, comes back confirmed one line short, shipped twice, received and invoiced: CLOSED', async () => {
    const { createPurchaseOrder: order } = await buyer.ok<{
      createPurchaseOrder: { id: string; number: string };
    }>(CREATE_PO, {
      input: {
        supplierId: norte,
        currency: 'EUR',
        lines: [
          { sku: 'DRIVE-12S', quantity: '10', unitPrice: { amount: '100.00', currency: 'EUR' } },
          { sku: 'TYRE-29', quantity: '20', unitPrice: { amount: '30.00', currency: 'EUR' } },
        ],
      },
    });
    await buyer.ok(SUBMIT, { id: order.id });

    // Out: the purchase order, addressed to the supplier, our SKUs as the buyer's part numbers.
    const sent = await supplier.nextOutbound('PurchaseOrder', ids(seen));
    seen.push(sent);
    const po = sent.document as PurchaseOrderDocument;
    expect(po.number).toBe(order.number);
    expect(sameParty(sent.interchange.receiver!, partnerParty(supplier.format.family, NORTE_IDS)!)).toBe(
      true,
    );
    expect(po.lines.map((line) => [line.lineNo, line.item.buyerPartNumber, line.quantity])).toEqual([
      [1, 'DRIVE-12S', expect.stringMatching(/^10(\.0+)?$/)],
      [2, 'TYRE-29', expect.stringMatching(/^20(\.0+)?$/)],
    ]);

    // In: the order response, line 1 two short.
    const response: OrderResponseDocument = {
      kind: 'OrderResponse',
      number: `NORTE-SO-${order.number.slice(-6)}`,
      orderNumber: po.number,
      sellerOrderNumber: `NORTE-SO-${order.number.slice(-6)}`,
      issueDate: new Date().toISOString().slice(0, 10),
      status: 'CHANGED',
      buyer: po.buyer,
      seller: po.seller,
      lines: [
        { lineNo: 1, status: 'CHANGED', item: po.lines[0]!.item, quantity: '8', unit: po.lines[0]!.unit },
        { lineNo: 2, status: 'ACCEPTED', item: po.lines[1]!.item, quantity: '20', unit: po.lines[1]!.unit },
      ],
    };
    const confirmed = await supplier.send(supplier.write(response));
    expect(confirmed.reasons).toEqual([]);
    expect(confirmed.status).toBe('PROCESSED');
    expect(verdictsOf(supplier.acknowledgementOf(confirmed))).toEqual([true]);
    const afterConfirm = await buyer.ok<{
      order: { status: string; lines: { confirmedQuantity: string }[] };
    }>(ORDER, { id: order.id });
    expect(afterConfirm.order.lines.map((line) => Number(line.confirmedQuantity))).toEqual([8, 20]);

    // In: two ship notices.
    const despatch = (
      number: string,
      lines: [number, string, Lot[]?][],
      final: boolean,
    ): DespatchAdviceDocument => ({
      kind: 'DespatchAdvice',
      number,
      orderNumber: po.number,
      issueDate: new Date().toISOString().slice(0, 10),
      shippedAt: new Date().toISOString().slice(0, 10),
      carrier: 'SEUR',
      trackingNumber: `TRK${number}`,
      final,
      buyer: po.buyer,
      seller: po.seller,
      packages: [],
      lines: lines.map(([lineNo, quantity, lots]) => ({
        lineNo,
        // A supplier names items its own way too (Peppol requires its code on a despatch line).
        item: { ...po.lines[lineNo - 1]!.item, vendorPartNumber: `NORTE-${lineNo}` },
        quantity,
        unit: po.lines[lineNo - 1]!.unit,
        lots: lots ?? [],
        serials: [],
      })),
    });
    const shipments: string[] = [];
    for (const notice of [
      despatch(
        `ASN-${order.number.slice(-6)}-1`,
        [
          [
            1,
            '5',
            [
              { number: 'L-2026-11', quantity: '3', expiryDate: '2028-11-30' },
              { number: 'L-2026-12', quantity: '2' },
            ],
          ],
          [2, '20'],
        ],
        false,
      ),
      despatch(`ASN-${order.number.slice(-6)}-2`, [[1, '3']], true),
    ]) {
      const shipped = await supplier.send(supplier.write(notice));
      expect(shipped.reasons).toEqual([]);
      expect(verdictsOf(supplier.acknowledgementOf(shipped))).toEqual([true]);
      shipments.push(shipped.effects.find((effect) => effect.shipment)!.shipment!.id);
    }
    expect((await buyer.ok<{ order: { status: string } }>(ORDER, { id: order.id })).order.status).toBe(
      'SHIPPED',
    );

    // The goods receipt is the buyer's, by GraphQL.
    for (const shipment of shipments) await buyer.ok(RECEIVE, { id: shipment, input: {} });

    // In: the invoice, matched against what was ordered, confirmed and received.
    const invoice: InvoiceDocument = {
      kind: 'Invoice',
      creditNote: false,
      number: `NORTE-INV-${order.number.slice(-6)}`,
      issueDate: new Date().toISOString().slice(0, 10),
      currency: 'EUR',
      orderNumber: po.number,
      seller: { ...po.seller, ids: ['VAT:ESB12345674'] },
      buyer: po.buyer,
      lines: [
        {
          lineNo: 1,
          orderLineNo: 1,
          item: po.lines[0]!.item,
          quantity: '8',
          unit: po.lines[0]!.unit,
          unitPrice: '100.00',
          netAmount: '800.00',
          taxRate: '21',
        },
        {
          lineNo: 2,
          orderLineNo: 2,
          item: po.lines[1]!.item,
          quantity: '20',
          unit: po.lines[1]!.unit,
          unitPrice: '30.00',
          netAmount: '600.00',
          taxRate: '21',
        },
      ],
      subtotal: '1400.00',
      taxTotal: '294.00',
      total: '1694.00',
    };
    const invoiced = await supplier.send(supplier.write(invoice));
    expect(invoiced.reasons).toEqual([]);
    expect(verdictsOf(supplier.acknowledgementOf(invoiced))).toEqual([true]);
    const invoiceId = invoiced.effects.find((effect) => effect.invoice)!.invoice!.id;
    await stack.settled();
    const { invoice: matched } = await buyer.ok<{ invoice: { status: string; match: { status: string } } }>(
      INVOICE,
      { id: invoiceId },
    );
    expect(matched.match.status).toBe('MATCHED');

    await buyer.ok(CLOSE, { id: order.id });
    expect((await buyer.ok<{ order: { status: string } }>(ORDER, { id: order.id })).order.status).toBe(
      'CLOSED',
    );
  });

  it('a customer orders by document and is answered with an order response, a ship notice and an invoice', async () => {
    const customerPo: PurchaseOrderDocument = {
      kind: 'PurchaseOrder',
      number: `VM-${formatId}-${Date.now()}`.slice(0, 22),
      issueDate: new Date().toISOString().slice(0, 10),
      currency: 'EUR',
      buyer: { name: 'VeloMarkt', gln: VELOMARKT_IDS.gln, country: 'DE' },
      seller: { name: 'The company', country: 'ES' },
      lines: [
        {
          lineNo: 1,
          item: { gtin: '4006381333931' },
          quantity: '2',
          unit:
            customer.format.family === 'x12'
              ? { code: 'EA', codeList: 'X12' }
              : { code: 'C62', codeList: 'REC20' },
        },
        {
          lineNo: 2,
          item: { buyerPartNumber: 'VM-WHEEL-29' },
          quantity: '4',
          unit:
            customer.format.family === 'x12'
              ? { code: 'EA', codeList: 'X12' }
              : { code: 'EA', codeList: 'REC20' },
        },
      ],
    };
    const placed = await customer.send(customer.write(customerPo));
    expect(placed.reasons).toEqual([]);
    expect(verdictsOf(customer.acknowledgementOf(placed))).toEqual([true]);
    const orderId = placed.effects.find((effect) => effect.order)!.order!.id;

    await sales.ok(CONFIRM, { id: orderId, input: { lines: [{ lineNo: 2, quantity: '3' }] } });
    const answer = await customer.nextOutbound('OrderResponse', ids(seen));
    seen.push(answer);
    const ordrsp = answer.document as OrderResponseDocument;
    expect(ordrsp.orderNumber).toBe(customerPo.number);
    expect(ordrsp.lines.map((line) => [line.lineNo, line.status, Number(line.quantity)])).toEqual([
      [1, 'ACCEPTED', 2],
      [2, 'CHANGED', 3],
    ]);
    expect(ordrsp.lines[1]!.item.buyerPartNumber).toBe('VM-WHEEL-29');

    await sales.ok(SHIP, {
      id: orderId,
      input: {
        lines: [
          { lineNo: 1, quantity: '2' },
          { lineNo: 2, quantity: '3' },
        ],
        carrier: 'DHL',
        trackingNumber: 'JD0001',
      },
    });
    const notice = await customer.nextOutbound('DespatchAdvice', ids(seen));
    seen.push(notice);
    const desadv = notice.document as DespatchAdviceDocument;
    expect(desadv.orderNumber).toBe(customerPo.number);
    expect(desadv.lines.map((line) => Number(line.quantity))).toEqual([2, 3]);

    await sales.ok('mutation ($orderId: ID!) { issueInvoice(orderId: $orderId) { id } }', { orderId });
    const billed = await customer.nextOutbound('Invoice', ids(seen));
    seen.push(billed);
    const invoic = billed.document as InvoiceDocument;
    expect(invoic.orderNumber).toBe(customerPo.number);
    expect(invoic.lines).toHaveLength(2);
    expect(invoic.total).toBeDefined();
  });

  it("a document naming another partner's order is rejected with a negative acknowledgement, nothing changed", async () => {
    const { createPurchaseOrder: other } = await buyer.ok<{
      createPurchaseOrder: { id: string; number: string };
    }>(CREATE_PO, {
      input: {
        supplierId: (await partnerIds(admin, 'Iberframe'))[0],
        currency: 'EUR',
        lines: [{ sku: 'DRIVE-12S', quantity: '1', unitPrice: { amount: '1.00', currency: 'EUR' } }],
      },
    });
    await buyer.ok(SUBMIT, { id: other.id });
    const response: OrderResponseDocument = {
      kind: 'OrderResponse',
      number: 'STEAL-1',
      orderNumber: other.number,
      issueDate: new Date().toISOString().slice(0, 10),
      status: 'ACCEPTED',
      buyer: { name: 'The company', country: 'ES' },
      seller: { name: 'Norte', country: 'ES' },
      lines: [],
    };
    const refused = await supplier.send(supplier.write(response));
    expect(refused.status).toBe('REJECTED');
    expect(refused.reasons.join(' ')).toMatch(/ORDER_NOT_FOUND/);
    expect(verdictsOf(supplier.acknowledgementOf(refused))).toEqual([false]);
    expect((await buyer.ok<{ order: { status: string } }>(ORDER, { id: other.id })).order.status).toBe(
      'SUBMITTED',
    );
  });

  it('an envelope naming another sender is refused; a format the profile does not allow is refused at the door', async () => {
    const po: PurchaseOrderDocument = {
      kind: 'PurchaseOrder',
      number: 'SPOOF-1',
      issueDate: new Date().toISOString().slice(0, 10),
      currency: 'EUR',
      buyer: { name: 'VeloMarkt', country: 'DE' },
      seller: { name: 'The company', country: 'ES' },
      lines: [
        {
          lineNo: 1,
          item: { vendorPartNumber: 'BIKE-TRAIL-29' },
          quantity: '1',
          unit:
            customer.format.family === 'x12'
              ? { code: 'EA', codeList: 'X12' }
              : { code: 'EA', codeList: 'REC20' },
        },
      ],
    };
    // Norte's key, VeloMarkt's identifiers in the envelope.
    const spoofed = await supplier.send(customer.write(po));
    expect(spoofed.status).toBe('REJECTED');
    expect(spoofed.reasons.join(' ')).toMatch(/UNKNOWN_SENDER/);
    expect(spoofed.effects).toEqual([]);

    await admin.ok(SET_PROFILE, { partnerId: velomarkt, input: { formats: ['json'] } });
    const refused = await customer.post(customer.write(po));
    expect(refused.status).toBe(403);
    expect(await refused.text()).toMatch(/does not allow/);
    await admin.ok(SET_PROFILE, { partnerId: velomarkt, input: { formats: ['json', formatId] } });
  });

  it('the same interchange again is answered with the first outcome and applied once', async () => {
    const po: PurchaseOrderDocument = {
      kind: 'PurchaseOrder',
      number: `DUP-${formatId}`.slice(0, 20),
      issueDate: new Date().toISOString().slice(0, 10),
      currency: 'EUR',
      buyer: { name: 'VeloMarkt', country: 'DE' },
      seller: { name: 'The company', country: 'ES' },
      lines: [
        {
          lineNo: 1,
          item: { vendorPartNumber: 'BIKE-TRAIL-29' },
          quantity: '1',
          unit:
            customer.format.family === 'x12'
              ? { code: 'EA', codeList: 'X12' }
              : { code: 'EA', codeList: 'REC20' },
        },
      ],
    };
    const envelope = customer.envelope();
    const first = await customer.send(customer.format.write!(po, envelope));
    expect(first.status).toBe('PROCESSED');
    // Sent again later: X12 and EDIFACT stamp the time in the envelope, so only the control number repeats;
    // a UBL document has no envelope time, so the very same bytes arrive and are the same document.
    const repeat = customer.format.write!(po, { ...envelope, createdAt: new Date(Date.now() + 60_000) });
    const response = await customer.post(repeat);
    const answer = (await response.json()) as { id: string; duplicate: boolean };
    if (response.status === 200) {
      expect(answer).toMatchObject({ id: first.id, duplicate: true });
    } else {
      expect(response.status).toBe(202);
      const again = await customer.decided(answer.id);
      expect(again.duplicateOf?.id).toBe(first.id);
      expect(again.effects).toEqual(first.effects);
      expect(verdictsOf(customer.acknowledgementOf(again))).toEqual([true]);
    }
    const orders = await sales.ok<{ orders: { nodes: { id: string }[] } }>(
      'query ($n: String!) { orders(filter: { number: $n }) { nodes { id } } }',
      { n: po.number },
    );
    expect(orders.orders.nodes).toHaveLength(1);
  });
});
