import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { BusinessDocument } from '../../subgraphs/exchange/formats/business.ts';
import { peppolFormat } from '../../subgraphs/exchange/formats/peppol/format.ts';
import { runSchematron } from '../../subgraphs/exchange/formats/peppol/schematron/run.ts';
import type { RuleSetId } from '../../subgraphs/exchange/formats/peppol/schematron/ruleSets.ts';
import {
  all,
  first,
  parseTree,
  text,
  type XmlElement,
} from '../../subgraphs/exchange/formats/peppol/tree.ts';
import type { Interchange, Message, MessageOutcome } from '../../subgraphs/exchange/formats/types.ts';
import * as docs from './peppolDocuments.ts';

const format = peppolFormat();
const fixture = (name: string) => readFileSync(new URL(`../fixtures/peppol/${name}`, import.meta.url));

/** Locations are where a line was read; a document written from events has none. */
const withoutLocations = (value: unknown): unknown =>
  JSON.parse(JSON.stringify(value, (key, field: unknown) => (key === 'at' ? undefined : field)));

function only(interchange: Interchange): Message {
  expect(interchange.messages).toHaveLength(1);
  return interchange.messages[0]!;
}

function businessOf(interchange: Interchange): BusinessDocument {
  const body = only(interchange).body;
  if (body?.kind !== 'business') throw new Error(`expected a business document, got ${JSON.stringify(body)}`);
  return body.document;
}

const errors = (message: Message) => message.findings.filter((finding) => finding.severity === 'ERROR');

describe('Peppol BIS 3: documents we write read back as the same business document', () => {
  const cases: [string, BusinessDocument, string][] = [
    ['Order (T01)', docs.purchaseOrder, 'Order'],
    ['Order Response with a changed and a rejected line (T76 CA)', docs.orderResponse, 'OrderResponse'],
    ['Despatch Advice with lots, serials and an SSCC package (T16)', docs.despatchAdvice, 'DespatchAdvice'],
    ['Invoice (T10)', docs.invoice, 'Invoice'],
    ['Credit Note (T14)', docs.creditNote, 'CreditNote'],
  ];
  it.each(cases)(
    '%s passes the UBL XSD and the Peppol rules and round-trips',
    (_, document, documentType) => {
      const written = format.write!(document, docs.envelope);
      const read = format.read(written);
      const message = only(read);
      expect(errors(message)).toEqual([]);
      expect(message.documentType).toBe(documentType);
      expect(read.controlNumber).toBe(document.number);
      expect(read.sender).toEqual(docs.envelope.sender);
      expect(read.receiver).toEqual(docs.envelope.receiver);
      expect(withoutLocations(businessOf(read))).toEqual(document);
    },
  );

  it('an order response accepting everything is sent as AP without lines, as T76 requires', () => {
    const accepted = { ...docs.orderResponse, status: 'ACCEPTED' as const, note: undefined, lines: [] };
    const written = format.write!(accepted, docs.envelope);
    expect(text(parseTree(written.toString()), 'OrderResponseCode')).toBe('AP');
    const read = format.read(written);
    expect(errors(only(read))).toEqual([]);
    expect(withoutLocations(businessOf(read))).toEqual(withoutLocations(accepted));
  });

  it('an invoice names a buyer with several identifiers by its GLN alone, as EN 16931 allows one (UBL-SR-16)', () => {
    const buyer = { ...docs.invoice.buyer, ids: ['0192:987654325', '0007:5567321707'] };
    const read = format.read(format.write!({ ...docs.invoice, buyer }, docs.envelope));
    expect(errors(only(read))).toEqual([]);
    expect(businessOf(read)).toMatchObject({ buyer: { gln: buyer.gln } });
    expect(businessOf(read)).not.toHaveProperty('buyer.ids');
  });

  it('a despatch line from two lots is two DespatchLines with their own quantities, joined again on reading', () => {
    const tree = parseTree(format.write!(docs.despatchAdvice, docs.envelope).toString());
    const lines = all(tree, 'DespatchLine');
    expect(lines.map((line) => text(line, 'DeliveredQuantity'))).toEqual(['60', '40', '5']);
    expect(lines.map((line) => text(line, 'Item/ItemInstance/LotIdentification/LotNumberID'))).toEqual([
      'LOT-A',
      'LOT-B',
      undefined,
    ]);
    const unit = first(lines[0], 'Shipment/TransportHandlingUnit/ID');
    expect(unit?.text).toBe('373000100000000018');
    expect(unit?.attrs.schemeID).toBe('SSCC');
  });
});

describe('Peppol BIS 3: the Peppol example documents read as their authors meant', () => {
  it('sniffs every example as Peppol and nothing else', () => {
    for (const name of ['order-example.xml', 'invoice-base-example.xml', 'mlr-example.xml']) {
      expect(format.sniff(fixture(name))).toBe(true);
    }
    expect(format.sniff(Buffer.from('ISA*00*          *00*          *ZZ*SENDER'))).toBe(false);
    expect(format.sniff(Buffer.from("UNA:+.? 'UNB+UNOC:3+SENDER+RECEIVER"))).toBe(false);
    expect(format.sniff(Buffer.from('{"documentType":"SalesOrder"}'))).toBe(false);
  });

  it('Order_Example: order 34 from endpoint 0192:987654325, three lines, needles first', () => {
    const read = format.read(fixture('order-example.xml'));
    expect(errors(only(read))).toEqual([]);
    expect(read.sender).toEqual({ qualifier: '0192', id: '987654325' });
    expect(read.receiver).toEqual({ qualifier: '0192', id: '123456785' });
    const order = businessOf(read);
    if (order.kind !== 'PurchaseOrder') throw new Error(order.kind);
    expect(order.number).toBe('34');
    expect(order.currency).toBe('NOK');
    expect(order.lines.length).toBeGreaterThanOrEqual(2);
    expect(order.lines[0]).toMatchObject({
      lineNo: 1,
      quantity: '120',
      unit: { code: 'EA', codeList: 'REC20' },
      unitPrice: '50.000',
      item: { buyerPartNumber: '123456', vendorPartNumber: '121212', gtin: '7560000012345' },
      at: { segment: 'OrderLine', path: '/Order[1]/cac:OrderLine[1]' },
    });
  });

  it('OrderResponse_Example: CA on order 11233, a substituted line taken as ordered with a warning', () => {
    const message = only(format.read(fixture('order-response-example.xml')));
    expect(errors(message)).toEqual([]);
    expect(message.findings.map((finding) => finding.code)).toContain('QUANTITY_AS_ORDERED');
    const response = businessOf(format.read(fixture('order-response-example.xml')));
    if (response.kind !== 'OrderResponse') throw new Error(response.kind);
    expect(response).toMatchObject({
      number: '101',
      orderNumber: '11233',
      status: 'CHANGED',
      sellerOrderNumber: '101-111',
    });
    expect(response.lines[0]).toMatchObject({
      lineNo: 1,
      status: 'CHANGED',
      quantity: '10',
      date: '2018-08-12',
    });
  });

  it('UC3_Order_response: order 5 rejected as a whole', () => {
    const response = businessOf(format.read(fixture('order-response-rejected-uc3.xml')));
    expect(response).toMatchObject({
      kind: 'OrderResponse',
      orderNumber: '5',
      status: 'REJECTED',
      lines: [],
    });
  });

  it('DespatchAdvice_Example: lot 546378239 expiring 2010-01-01, serial 4558784, handling unit 5454', () => {
    const advice = businessOf(format.read(fixture('despatch-advice-example.xml')));
    if (advice.kind !== 'DespatchAdvice') throw new Error(advice.kind);
    expect(advice).toMatchObject({
      number: '565899',
      orderNumber: 'AEG012345',
      trackingNumber: '456789',
      shippedAt: '2018-09-25',
    });
    expect(advice.lines).toHaveLength(1);
    expect(advice.lines[0]).toMatchObject({
      lineNo: 1,
      quantity: '10',
      lots: [{ number: '546378239', quantity: '10', expiryDate: '2010-01-01', productionDate: '2018-01-01' }],
      serials: ['4558784'],
      packageId: '5454',
    });
    expect(advice.packages).toEqual([{ id: '5454', type: '4H' }]);
  });

  it('base-example: invoice Snippet1, two lines, totals as printed', () => {
    const read = format.read(fixture('invoice-base-example.xml'));
    expect(errors(only(read))).toEqual([]);
    const invoice = businessOf(read);
    if (invoice.kind !== 'Invoice') throw new Error(invoice.kind);
    expect(invoice).toMatchObject({
      creditNote: false,
      number: 'Snippet1',
      currency: 'EUR',
      dueDate: '2017-12-01',
    });
    expect(invoice.lines).toHaveLength(2);
    expect(invoice.lines[1]).toMatchObject({
      quantity: '-3',
      unitPrice: '500',
      netAmount: '-1500',
      taxRate: '25.0',
    });
    expect(invoice).toMatchObject({ subtotal: '1325', taxTotal: '331.25', total: '1656.25' });
  });

  it('base-creditnote-correction: a credit note', () => {
    const note = businessOf(format.read(fixture('creditnote-correction.xml')));
    expect(note).toMatchObject({ kind: 'Invoice', creditNote: true, number: 'Snippet1' });
  });

  it('MessageLevelResponse_Example: our envelope EnvelopeID-12456789 rejected for CL-T77-R002 at its XPath', () => {
    const body = only(format.read(fixture('mlr-example.xml'))).body;
    expect(body).toEqual({
      kind: 'acknowledgement',
      verdicts: [
        {
          interchangeControlNumber: 'EnvelopeID-12456789',
          accepted: false,
          findings: [
            {
              severity: 'ERROR',
              code: 'CL-T77-R002',
              message:
                'Validation gives error [CL-T77-R002]- Tax categories MUST be coded using UN/ECE 5305 code list',
              at: {
                path: '/Catalogue/cac:CatalogueLine[3]/cac:Item[1]/cac:ClassifiedTaxCategory[1]/cbc:ID[1]',
              },
            },
          ],
        },
      ],
    });
  });

  it('T111 use case 4a: invoice inv021 rejected with status reason REF', () => {
    const message = only(format.read(fixture('invoice-response-rejected.xml')));
    expect(message.documentType).toBe('InvoiceResponse');
    expect(message.body).toMatchObject({
      kind: 'acknowledgement',
      verdicts: [{ interchangeControlNumber: 'inv021', accepted: false, findings: [{ code: 'REF' }] }],
    });
  });
});

/** The Peppol repositories test each rule with fragments that must pass or fail it; so do we. */
describe('Peppol BIS 3: the rules fire where the Peppol unit tests say they must', () => {
  const units: [string, RuleSetId][] = [
    ['unit-PEPPOL-EN16931-R001.xml', 'invoice'],
    ['unit-PEPPOL-T01-R004.xml', 'order'],
    ['unit-PEPPOL-T76-R001.xml', 'orderResponse'],
    ['unit-PEPPOL-T16-R003.xml', 'despatchAdvice'],
  ];
  it.each(units)('%s', (name, ruleSet) => {
    const source = fixture(name).toString();
    const tests = all(parseTree(source), 'test');
    expect(tests.length).toBeGreaterThan(0);
    // The fragments are cut out of the file as written, so the rules see exactly what Peppol's tests see.
    const fragments = [
      ...source.matchAll(/<test(?:\s[^>]*)?>[\s\S]*?<\/assert>\s*([\s\S]*?)\s*<\/test>/g),
    ].map((m) => m[1]!);
    expect(fragments).toHaveLength(tests.length);
    tests.forEach((test: XmlElement, index) => {
      const codes = runSchematron(fragments[index]!, ruleSet).map((finding) => finding.code);
      for (const rule of all(test, 'assert/error')) expect(codes).toContain(rule.text.trim());
      for (const rule of all(test, 'assert/success')) expect(codes).not.toContain(rule.text.trim());
    });
  });
});

describe('Peppol BIS 3: bad input is refused with the reason and the place', () => {
  const order = fixture('order-example.xml').toString();

  it('refuses an external entity (XXE) before any parser sees it', () => {
    const xxe = order
      .replace('<Order ', '<!DOCTYPE Order [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n<Order ')
      .replace('<cbc:Note>Information text for the whole order</cbc:Note>', '<cbc:Note>&xxe;</cbc:Note>');
    const read = format.read(Buffer.from(xxe));
    expect(read.messages).toEqual([]);
    expect(read.findings).toMatchObject([
      { severity: 'ERROR', code: 'XML_DOCTYPE_REFUSED', at: { segment: 'DOCTYPE' } },
    ]);
    expect(read.findings[0]!.message).toContain('line 3');
  });

  it('refuses entity expansion (billion laughs)', () => {
    const laughs = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]><lolz>&lol2;</lolz>`;
    expect(format.read(Buffer.from(laughs)).findings[0]!.code).toBe('XML_DOCTYPE_REFUSED');
  });

  it('rejects a truncated document as not well-formed, naming the line', () => {
    const read = format.read(Buffer.from(order.slice(0, 2000)));
    expect(read.messages).toEqual([]);
    expect(read.findings[0]).toMatchObject({ severity: 'ERROR', code: 'XML_NOT_WELL_FORMED' });
    expect(read.findings[0]!.message).toMatch(/^line \d+: /);
  });

  it('rejects bytes that are not UTF-8', () => {
    const latin1 = Buffer.from(order.replace('Lørenskog', 'L\u00f8renskog'), 'latin1');
    expect(format.read(latin1).findings[0]!.code).toBe('XML_ENCODING');
  });

  it('names the supported documents when given another UBL document', () => {
    const catalogue = `<?xml version="1.0"?><Catalogue xmlns="urn:oasis:names:specification:ubl:schema:xsd:Catalogue-2"
      xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"><cbc:ID>C1</cbc:ID></Catalogue>`;
    const message = only(format.read(Buffer.from(catalogue)));
    expect(message).toMatchObject({ documentType: 'Catalogue', controlNumber: 'C1', body: null });
    expect(message.findings[0]).toMatchObject({ code: 'UNSUPPORTED_DOCUMENT', value: 'Catalogue' });
    expect(message.findings[0]!.message).toContain(
      'Order, OrderResponse, DespatchAdvice, Invoice, CreditNote',
    );
  });

  it('reports a UBL XSD violation at its XPath', () => {
    const bad = order.replace(
      '<cbc:IssueDate>2018-09-01</cbc:IssueDate>',
      '<cbc:IssueDate>tomorrow</cbc:IssueDate>',
    );
    const message = only(format.read(Buffer.from(bad)));
    expect(message.findings).toContainEqual(
      expect.objectContaining({ code: 'UBL_XSD', at: { path: '/*/cbc:IssueDate' } }),
    );
    const invalid = message.findings.find((finding) => finding.code === 'INVALID_DATE');
    expect(invalid).toMatchObject({ value: 'tomorrow', at: { path: '/Order[1]/cbc:IssueDate[1]' } });
  });

  it('rejects an invoice whose totals do not add up with the EN 16931 rule id and the element', () => {
    const invoice = fixture('invoice-base-example.xml')
      .toString()
      .replace(
        /<cbc:TaxInclusiveAmount currencyID="EUR">[^<]*</,
        '<cbc:TaxInclusiveAmount currencyID="EUR">1999.00<',
      );
    const message = only(format.read(Buffer.from(invoice)));
    expect(message.findings).toContainEqual(
      expect.objectContaining({ severity: 'ERROR', code: 'BR-CO-15', at: { path: '/Invoice[1]' } }),
    );
    expect(message.findings).toContainEqual(
      expect.objectContaining({
        severity: 'ERROR',
        code: 'BR-CO-16',
        at: { path: '/Invoice[1]/cac:LegalMonetaryTotal[1]' },
      }),
    );
  });

  it('rejects an order response code we cannot act on, naming the ones we can', () => {
    const acknowledged = fixture('order-response-rejected-uc3.xml').toString().replace('>RE<', '>AB<');
    const message = only(format.read(Buffer.from(acknowledged)));
    expect(message.body).toBeNull();
    const unsupported = message.findings.find((finding) => finding.code === 'UNSUPPORTED_CODE');
    expect(unsupported).toMatchObject({ value: 'AB' });
    expect(unsupported?.message).toContain('AP, CA, RE');
  });
});

describe('Peppol BIS 3: acknowledgements', () => {
  const outcome = (accepted: boolean, findings: Message['findings'] = []): MessageOutcome => ({
    accepted,
    findings,
    effects: [],
  });

  it('answers an applied order with an MLR AP naming it, which passes the T71 rules', () => {
    const received = format.read(fixture('order-example.xml'));
    const mlr = format.acknowledge(received, [outcome(true)], docs.envelope);
    const tree = parseTree(mlr.toString());
    expect(tree.name).toBe('ApplicationResponse');
    expect(text(tree, 'CustomizationID')).toBe('urn:fdc:peppol.eu:poacc:trns:mlr:3');
    expect(text(tree, 'ID')).toBe('ACK-000042');
    expect(text(tree, 'IssueDate')).toBe('2025-03-04');
    expect(first(tree, 'SenderParty/EndpointID')?.attrs.schemeID).toBe('0088');
    expect(text(tree, 'ReceiverParty/EndpointID')).toBe('987654325');
    expect(text(tree, 'DocumentResponse/Response/ResponseCode')).toBe('AP');
    expect(text(tree, 'DocumentResponse/DocumentReference/ID')).toBe('34');
    expect(all(tree, 'DocumentResponse/LineResponse')).toEqual([]);
    const back = only(format.read(mlr));
    expect(errors(back)).toEqual([]);
    expect(back.body).toEqual({
      kind: 'acknowledgement',
      verdicts: [{ interchangeControlNumber: '34', accepted: true, findings: [] }],
    });
  });

  it('answers an invoice the rules refuse with an MLR RE: one LineResponse per located error, rule id and XPath', () => {
    const invoice = fixture('invoice-base-example.xml')
      .toString()
      .replace(
        /<cbc:TaxInclusiveAmount currencyID="EUR">[^<]*</,
        '<cbc:TaxInclusiveAmount currencyID="EUR">1999.00<',
      );
    const received = format.read(Buffer.from(invoice));
    const mlr = format.acknowledge(received, [outcome(false, only(received).findings)], docs.envelope);
    const tree = parseTree(mlr.toString());
    expect(text(tree, 'CustomizationID')).toBe('urn:fdc:peppol.eu:poacc:trns:mlr:3');
    expect(text(tree, 'DocumentResponse/Response/ResponseCode')).toBe('RE');
    expect(text(tree, 'DocumentResponse/DocumentReference/ID')).toBe('Snippet1');
    const lines = all(tree, 'DocumentResponse/LineResponse');
    const total = lines.find((line) => text(line, 'Response/Description')?.startsWith('[BR-CO-16]'));
    expect(text(total, 'LineReference/LineID')).toBe('/Invoice[1]/cac:LegalMonetaryTotal[1]');
    expect(text(total, 'Response/ResponseCode')).toBe('RE');
    expect(text(total, 'Response/Status/StatusReasonCode')).toBe('BV');
    expect(errors(only(format.read(mlr)))).toEqual([]);
    const verdict = only(format.read(mlr)).body;
    expect(verdict).toMatchObject({
      kind: 'acknowledgement',
      verdicts: [{ interchangeControlNumber: 'Snippet1', accepted: false }],
    });
  });

  it('answers a document that is not XML with an MLR RE with a syntax violation', () => {
    const received = format.read(Buffer.from('<Invoice><cbc:ID>1</Invoice>'));
    const tree = parseTree(format.acknowledge(received, [], docs.envelope).toString());
    expect(text(tree, 'DocumentResponse/Response/ResponseCode')).toBe('RE');
  });

  it('answers a valid invoice with an Invoice Response: AP when booked, RE with our reason when not', () => {
    const received = format.read(fixture('invoice-base-example.xml'));
    const accepted = parseTree(format.acknowledge(received, [outcome(true)], docs.envelope).toString());
    expect(text(accepted, 'CustomizationID')).toBe('urn:fdc:peppol.eu:poacc:trns:invoice_response:3');
    expect(text(accepted, 'DocumentResponse/Response/ResponseCode')).toBe('AP');
    expect(text(accepted, 'DocumentResponse/DocumentReference/ID')).toBe('Snippet1');
    expect(text(accepted, 'DocumentResponse/DocumentReference/DocumentTypeCode')).toBe('380');

    const refusal = {
      severity: 'ERROR' as const,
      code: 'PRICE_MISMATCH',
      message: 'Line 1 is billed at 400, ordered at 390',
    };
    const rejected = format.acknowledge(received, [outcome(false, [refusal])], docs.envelope);
    const tree = parseTree(rejected.toString());
    expect(text(tree, 'DocumentResponse/Response/ResponseCode')).toBe('RE');
    expect(text(tree, 'DocumentResponse/Response/Status/StatusReasonCode')).toBe('OTH');
    expect(text(tree, 'DocumentResponse/Response/Status/StatusReason')).toBe(
      '[PRICE_MISMATCH]-Line 1 is billed at 400, ordered at 390',
    );
    const back = only(format.read(rejected));
    expect(errors(back)).toEqual([]);
    expect(back.body).toMatchObject({
      verdicts: [{ interchangeControlNumber: 'Snippet1', accepted: false }],
    });
  });
});

describe('Peppol BIS 3: a large invoice', () => {
  it('reads a 2 MB invoice of 2000 lines in one pass, each line where it was', () => {
    const base = docs.invoice.lines[0]!;
    const lines = Array.from({ length: 2000 }, (_, i) => ({
      ...base,
      lineNo: i + 1,
      orderLineNo: i + 1,
      item: { ...base.item, description: `Needle ${i + 1} `.padEnd(600, '.') },
    }));
    const big = { ...docs.invoice, lines, subtotal: undefined, taxTotal: undefined, total: undefined };
    const written = format.write!(big, docs.envelope);
    expect(written.length).toBeGreaterThan(2_000_000);
    const read = peppolFormat({ schematron: false }).read(written);
    expect(errors(only(read))).toEqual([]);
    const invoice = businessOf(read);
    if (invoice.kind !== 'Invoice') throw new Error(invoice.kind);
    expect(invoice.lines).toHaveLength(2000);
    expect(invoice.lines[1999]).toMatchObject({
      lineNo: 2000,
      at: { path: '/Invoice[1]/cac:InvoiceLine[2000]' },
    });
    expect(invoice.total).toBe('12500000.00');
  });
});
