import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { BusinessDocument } from '../../subgraphs/exchange/formats/business.ts';
import { edifactFormat } from '../../subgraphs/exchange/formats/edifact/format.ts';
import type { Finding, Interchange, Message } from '../../subgraphs/exchange/formats/types.ts';

const d96a = edifactFormat('D96A');
const d01b = edifactFormat('D01B');

function sample(name: string): Buffer {
  return readFileSync(new URL(`../fixtures/edifact/${name}`, import.meta.url));
}

function errors(findings: readonly Finding[]) {
  return findings
    .filter((finding) => finding.severity === 'ERROR')
    .map((finding) => ({ code: finding.code, at: finding.at, value: finding.value }));
}

function documentOf(message: Message | undefined): BusinessDocument {
  if (message?.body?.kind !== 'business') throw new Error('expected a business document');
  return message.body.document;
}

function readAs(name: string): Interchange {
  const content = sample(name);
  const format = [d96a, d01b].find((candidate) => candidate.sniff(content));
  if (!format) throw new Error(`${name} is not EDIFACT D96A or D01B`);
  return format.read(content);
}

describe('public EDIFACT samples', () => {
  it("Wikipedia's ORDERS reads as its order, and its UNZ reference is caught (28)", () => {
    const read = readAs('pydifact-wikipedia-de-orders-d96a.edi');
    expect(read.formatId).toBe('edifact-d96a');
    expect(errors(read.findings)).toEqual([
      { code: '28', at: { segment: 'UNZ', position: 11, element: 2, component: 1 }, value: '1234567' },
    ]);
    expect(documentOf(read.messages[0])).toMatchObject({
      kind: 'PurchaseOrder',
      number: 'B10001',
      issueDate: '2006-06-20',
      buyer: { name: 'Bestellername' },
      lines: [{ lineNo: 1, item: { vendorPartNumber: 'Produkt Schrauben' }, quantity: '1000' }],
    });
  });

  it('an EANCOM ORDERS with a decimal comma reads line by line, and its missing UNZ is caught (13)', () => {
    const read = readAs('pydifact-order-ean008-d96a.edi');
    expect(errors(read.findings)).toEqual([{ code: '13', at: { segment: 'UNZ' }, value: undefined }]);
    expect(errors(read.messages[0]!.findings)).toEqual([]);
    expect(documentOf(read.messages[0])).toMatchObject({
      number: '801715918011',
      issueDate: '2015-08-03',
      requestedDate: '2015-08-06',
      buyer: { gln: '8711576000012' },
      seller: { gln: '5020436000004' },
      lines: [
        { lineNo: 1, item: { gtin: '5020436373085' }, quantity: '8' },
        { lineNo: 2, item: { gtin: '5020436373108' }, quantity: '8' },
      ],
    });

    const minimal = readAs('pydifact-order2-d96a.edi');
    expect(errors(minimal.findings).map((finding) => finding.code)).toEqual(['13']);
    expect(documentOf(minimal.messages[0])).toMatchObject({
      number: 'PO123456',
      buyer: { ids: ['9:123456789'] },
      lines: [{ lineNo: 1, item: { buyerPartNumber: 'ABC123' }, quantity: '10', unitPrice: '25.00' }],
    });
  });

  it('a D97A credit note is refused for its directory (17), with its own errors pointed at', () => {
    const content = sample('pydifact-invoice1-d97a.edi');
    expect([d96a.sniff(content), d01b.sniff(content)]).toEqual([false, false]);
    const read = d96a.read(content);
    expect(read.findings).toEqual([]);
    const message = read.messages[0]!;
    expect(message.documentType).toBe('INVOIC');
    expect(errors(message.findings).slice(0, 2)).toEqual([
      { code: '17', at: { segment: 'UNH', position: 1, element: 2, component: 3 }, value: '97A' },
      { code: '12', at: { segment: 'DTM', position: 3, element: 1, component: 2 }, value: '199910060000' },
    ]);
    expect(errors(message.findings)).toContainEqual({
      code: '13',
      at: { segment: 'LIN', position: 11, element: 1, component: 1 },
      value: undefined,
    });
  });

  it('duplicate message references (26), wrong UNT references (28) and a wrong UNZ count (29) are each caught', () => {
    const read = readAs('edinet-issue188-duplicates.edi');
    expect(errors(read.findings)).toEqual([
      { code: '29', at: { segment: 'UNZ', position: 14, element: 1, component: 1 }, value: '1' },
    ]);
    expect(read.messages.map((message) => [message.documentType, message.controlNumber])).toEqual([
      ['IFTMIN', '42'],
      ['INVOIC', '44'],
      ['IFTMIN', '43'],
      ['INVOIC', '44'],
    ]);
    const codesOf = (message: Message) => errors(message.findings).map((finding) => finding.code);
    expect(codesOf(read.messages[3]!)).toContain('26');
    expect(codesOf(read.messages[1]!)).toContain('28');
    expect(codesOf(read.messages[0]!)).toEqual(['29', '17']);
  });

  it('an ORDRSP of another directory with wrong counts is rejected for each reason', () => {
    const read = d96a.read(sample('edinet-ordrsp-d10a.edi'));
    expect(errors(read.findings)).toEqual([
      { code: '28', at: { segment: 'UNZ', position: 33, element: 2, component: 1 }, value: 'DAREFNR00001' },
    ]);
    expect(errors(read.messages[0]!.findings).slice(0, 3)).toEqual([
      { code: '29', at: { segment: 'UNT', position: 31, element: 1, component: 1 }, value: '17' },
      { code: '28', at: { segment: 'UNT', position: 31, element: 2, component: 1 }, value: '9IM20YSP9' },
      { code: '17', at: { segment: 'UNH', position: 1, element: 2, component: 3 }, value: '10A' },
    ]);
  });

  it('an EANCOM ORDERS D01B of 146 lines reads whole, and its copy with a stray release character does not (22)', () => {
    const content = sample('php-edifact-orders-d01b-ok.edi');
    expect(d01b.sniff(content)).toBe(true);
    expect(d96a.sniff(content)).toBe(false);
    const read = d01b.read(content);
    expect(read.findings).toEqual([]);
    expect(read.test).toBe(true);
    expect(errors(read.messages[0]!.findings)).toEqual([]);
    const order = documentOf(read.messages[0]);
    if (order.kind !== 'PurchaseOrder') throw new Error('expected an order');
    expect(order).toMatchObject({
      number: '2019265563',
      issueDate: '2018-12-05',
      requestedDate: '2018-12-06',
      buyer: { gln: '4250159300001' },
      seller: { gln: '4399901760448', name: 'FooBar GmbH & Co. KG' },
    });
    expect(order.buyer.name).toMatch(/^A\+A K/);
    expect(order.lines).toHaveLength(146);
    expect(order.lines[0]).toMatchObject({
      lineNo: 1,
      item: { vendorPartNumber: '1001', buyerPartNumber: '6001001', description: 'Butter 40x250g Alu' },
      quantity: '2',
      unit: { code: 'GBND' },
    });

    const broken = d01b.read(sample('php-edifact-orders-d01b-error.edi'));
    expect(errors(broken.messages[0]!.findings)).toEqual([
      { code: '22', at: { segment: 'IMD', position: 83, element: 3, component: 4 }, value: '?*' },
    ]);
  });

  it('a DESADV naming version 0 instead of D is refused (17)', () => {
    const read = d96a.read(sample('php-edifact-desadv-d96a.edi'));
    expect(read.findings).toEqual([]);
    expect(errors(read.messages[0]!.findings)[0]).toEqual({
      code: '17',
      at: { segment: 'UNH', position: 1, element: 2, component: 2 },
      value: '0',
    });
  });

  it("the edifact package's own INVOIC reads as EANCOM's example invoice; without UNB (13) and with BGM twice (35)", () => {
    const read = d01b.read(sample('node-edifact-invoic-d01b-ean011.edi'));
    expect(errors(read.findings).map((finding) => finding.code)).toEqual(['13']);
    const message = read.messages[0]!;
    expect(errors(message.findings)).toEqual([
      { code: '35', at: { segment: 'BGM', position: 3 }, value: 'IN432097' },
    ]);
    expect(documentOf(message)).toMatchObject({
      kind: 'Invoice',
      creditNote: false,
      number: 'IN432097',
      issueDate: '2002-03-08',
      currency: 'EUR',
      orderNumber: 'ORD9523',
      buyer: { gln: '5412345000013' },
      seller: { gln: '4012345500004' },
      lines: [
        {
          lineNo: 1,
          item: { gtin: '4000862141404' },
          quantity: '40',
          unitPrice: '60',
          netAmount: '2160',
          taxRate: '21',
        },
        {
          lineNo: 2,
          quantity: '12.65',
          unit: { code: 'KGM' },
          unitPrice: '200',
          netAmount: '2530',
          taxRate: '19',
        },
      ],
      subtotal: '4690',
      taxTotal: '957.10',
      total: '5767.10',
    });
  });
});
