import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type {
  BusinessDocument,
  DespatchAdviceDocument,
  InvoiceDocument,
  OrderResponseDocument,
  PurchaseOrderDocument,
} from '../../subgraphs/exchange/formats/business.ts';
import type {
  Interchange,
  MessageOutcome,
  OutboundEnvelope,
} from '../../subgraphs/exchange/formats/types.ts';
import { x12Format } from '../../subgraphs/exchange/formats/x12/format.ts';

const x4010 = x12Format('004010');
const x5010 = x12Format('005010');
const fixture = (name: string) => readFileSync(new URL(`../fixtures/x12/${name}`, import.meta.url));

const envelope: OutboundEnvelope = {
  sender: { qualifier: 'ZZ', id: 'SUPPLYNET' },
  receiver: { qualifier: '01', id: '123456789' },
  interchangeControlNumber: '42',
  groupControlNumber: '42',
  messageControlNumber: '1',
  createdAt: new Date('2025-03-04T09:15:00Z'),
  test: false,
};

/** Locations are where a value was read; a document we build has none, so they are left out of comparisons. */
function withoutLocations<T>(value: T): T {
  return JSON.parse(JSON.stringify(value, (key, inner: unknown) => (key === 'at' ? undefined : inner))) as T;
}

function only(interchange: Interchange) {
  expect(interchange.findings).toEqual([]);
  expect(interchange.messages).toHaveLength(1);
  return interchange.messages[0]!;
}

function roundTrip(document: BusinessDocument, format = x4010) {
  const written = format.write!(document, envelope);
  const message = only(format.read(written));
  expect(message.findings.filter((finding) => finding.severity === 'ERROR')).toEqual([]);
  expect(message.body?.kind).toBe('business');
  return {
    written: written.toString('utf8'),
    document: message.body?.kind === 'business' ? withoutLocations(message.body.document) : null,
  };
}

const segmentsOf = (text: string) =>
  text
    .split('~')
    .filter((segment) => segment.trim() !== '')
    .map((segment) => segment.trim());

const order: PurchaseOrderDocument = {
  kind: 'PurchaseOrder',
  number: 'PO-1001',
  issueDate: '2025-03-01',
  currency: 'EUR',
  buyer: { name: 'Acme Retail', gln: '4012345000009' },
  seller: { name: 'Widget Works', ids: ['1:123456789'] },
  requestedDate: '2025-03-20',
  lines: [
    {
      lineNo: 1,
      item: {
        buyerPartNumber: 'A-100',
        vendorPartNumber: 'W-1',
        gtin: '04012345000016',
        description: 'Blue widget',
      },
      quantity: '120',
      unit: { code: 'EA', codeList: 'X12' },
      unitPrice: '9.25',
      requestedDate: '2025-03-18',
    },
    { lineNo: 2, item: { vendorPartNumber: 'W-2' }, quantity: '7.5', unit: { code: 'KG', codeList: 'X12' } },
  ],
};

const response: OrderResponseDocument = {
  kind: 'OrderResponse',
  number: 'SO-77',
  orderNumber: 'PO-1001',
  issueDate: '2025-03-02',
  status: 'CHANGED',
  note: 'Line 2 is discontinued; line 1 ships short.',
  sellerOrderNumber: 'SO-77-A',
  buyer: { name: 'Acme Retail', gln: '4012345000009' },
  seller: { name: 'Widget Works' },
  lines: [
    {
      lineNo: 1,
      status: 'CHANGED',
      item: { buyerPartNumber: 'A-100' },
      quantity: '100',
      unit: { code: 'EA', codeList: 'X12' },
      date: '2025-03-21',
    },
    {
      lineNo: 2,
      status: 'REJECTED',
      item: { vendorPartNumber: 'W-2' },
      quantity: '0',
      unit: { code: 'KG', codeList: 'X12' },
    },
  ],
};

const notice: DespatchAdviceDocument = {
  kind: 'DespatchAdvice',
  number: 'ASN-5',
  orderNumber: 'PO-1001',
  issueDate: '2025-03-10',
  shippedAt: '2025-03-10',
  expectedDeliveryDate: '2025-03-12',
  carrier: 'UPSN',
  trackingNumber: '1Z999AA10123456784',
  final: false,
  buyer: { name: 'Acme Retail', gln: '4012345000009' },
  seller: { name: 'Widget Works' },
  packages: [
    {
      id: '003456789012345675',
      type: 'CTN',
      grossWeight: { value: '12.5', unit: { code: 'KG', codeList: 'X12' } },
    },
    { id: '003456789012345682' },
  ],
  lines: [
    {
      lineNo: 3,
      item: { buyerPartNumber: 'A-300' },
      quantity: '2',
      unit: { code: 'EA', codeList: 'X12' },
      lots: [],
      serials: [],
    },
    {
      lineNo: 1,
      item: { buyerPartNumber: 'A-100', gtin: '04012345000016' },
      quantity: '60',
      unit: { code: 'EA', codeList: 'X12' },
      lots: [
        { number: 'L-7', quantity: '40', expiryDate: '2026-12-31', productionDate: '2025-01-15' },
        { number: 'L-8', quantity: '20', expiryDate: '2027-01-31' },
      ],
      serials: [],
      packageId: '003456789012345675',
    },
    {
      lineNo: 2,
      item: { vendorPartNumber: 'W-2' },
      quantity: '2',
      unit: { code: 'EA', codeList: 'X12' },
      lots: [],
      serials: ['SN-1', 'SN-2'],
      packageId: '003456789012345682',
    },
  ],
};

const credit: InvoiceDocument = {
  kind: 'Invoice',
  creditNote: true,
  number: 'CN-9',
  issueDate: '2025-03-15',
  dueDate: '2025-04-14',
  currency: 'EUR',
  orderNumber: 'PO-1001',
  seller: { name: 'Widget Works', gln: '4098765000001' },
  buyer: { name: 'Acme Retail', gln: '4012345000009' },
  lines: [
    {
      lineNo: 1,
      orderLineNo: 1,
      item: { buyerPartNumber: 'A-100' },
      quantity: '10',
      unit: { code: 'EA', codeList: 'X12' },
      unitPrice: '9.25',
      netAmount: '92.50',
      taxRate: '21',
    },
    {
      lineNo: 2,
      orderNumber: 'PO-0999',
      orderLineNo: 4,
      item: { vendorPartNumber: 'W-2' },
      quantity: '1',
      unit: { code: 'EA', codeList: 'X12' },
      unitPrice: '5',
      taxRate: '0',
    },
  ],
  subtotal: '97.50',
  taxTotal: '19.43',
  total: '116.93',
};

describe('X12 round trips: what we write reads back as the same business document', () => {
  it.each([
    ['004010', x4010],
    ['005010', x5010],
  ])('a purchase order (850) in %s', (_version, format) => {
    const { written, document } = roundTrip(order, format);
    expect(document).toEqual(order);
    expect(segmentsOf(written)).toContain('PO1*1*120*EA*9.25**BP*A-100*VP*W-1*UK*04012345000016');
  });

  it('an order response (855) with a changed and a rejected line and a note', () => {
    const { written, document } = roundTrip(response);
    expect(document).toEqual(response);
    const segments = segmentsOf(written);
    expect(segments).toContain('BAK*00*AC*PO-1001*20250302****SO-77*20250302');
    expect(segments).toContain('ACK*IR*0*KG');
    expect(segments).toContain('ACK*IC*100*EA*067*20250321');
  });

  it('a ship notice (856) with packages, lots and serials', () => {
    const { written, document } = roundTrip(notice);
    expect(document).toEqual(notice);
    const segments = segmentsOf(written);
    expect(segments).toContain('MAN*GM*003456789012345675');
    expect(segments).toContain('LIN*1*BP*A-100*UK*04012345000016*LT*L-7');
    expect(segments).toContain('DTM*036*20261231');
    expect(segments).toContain('REF*SE*SN-2');
    expect(segments.filter((segment) => segment.startsWith('HL*'))).toEqual([
      'HL*1**S',
      'HL*2*1*O',
      'HL*3*2*I',
      'HL*4*2*P',
      'HL*5*4*I',
      'HL*6*4*I',
      'HL*7*2*P',
      'HL*8*7*I',
    ]);
  });

  it('a credit note (810 with BIG07 CR), its total with two implied decimals', () => {
    const { written, document } = roundTrip(credit, x5010);
    expect(document).toEqual(credit);
    const segments = segmentsOf(written);
    expect(segments).toContain('BIG*20250315*CN-9**PO-1001***CR');
    expect(segments).toContain('TDS*11693');
    expect(segments).toContain('TXI*VA**21');
    expect(segments).toContain('ITD*01*3****20250414');
  });

  it('writes the envelope to the standard: 106-character ISA, counts and control numbers', () => {
    const segments = segmentsOf(x5010.write!(order, envelope).toString('utf8'));
    const isa = `${segments[0]}~`;
    expect(isa).toHaveLength(106);
    expect(isa).toBe(
      'ISA*00*          *00*          *ZZ*SUPPLYNET      *01*123456789      *250304*0915*^*00501*000000042*0*P*>~',
    );
    expect(segments[1]).toBe('GS*PO*SUPPLYNET*123456789*20250304*0915*42*X*005010');
    expect(segments[2]).toBe('ST*850*0001');
    const st = segments.indexOf('ST*850*0001');
    const se = segments.findIndex((segment) => segment.startsWith('SE*'));
    expect(segments[se]).toBe(`SE*${se - st + 1}*0001`);
    expect(segments.slice(-2)).toEqual(['GE*1*42', 'IEA*1*000000042']);
  });
});

const ISA =
  'ISA*00*          *00*          *ZZ*PARTNER        *ZZ*SUPPLYNET      *250304*0915*U*00401*000000007*0*T*>~';

function po(control: string, number: string, date = '20250301', count?: number) {
  const body = [`ST*850*${control}`, `BEG*00*SA*${number}**${date}`, 'PO1*1*10*EA*2.5**BP*A-100', 'CTT*1'];
  return [...body, `SE*${count ?? body.length + 1}*${control}`].join('~');
}

function interchange(
  sets: string[],
  { ge = String(sets.length), ge02 = '7', iea = '1', iea02 = '000000007' } = {},
) {
  return Buffer.from(
    `${ISA}GS*PO*PARTNER*SUPPLYNET*20250304*0915*7*X*004010~${sets.join('~')}~GE*${ge}*${ge02}~IEA*${iea}*${iea02}~`,
  );
}

const codes = (findings: readonly { code: string }[]) => findings.map((finding) => finding.code);

describe('X12 envelope errors are rejected with their code and location', () => {
  it('a wrong segment count rejects that transaction set only (AK5 4)', () => {
    const read = x4010.read(interchange([po('0001', 'PO-1'), po('0002', 'PO-2', '20250301', 9)]));
    expect(read.findings).toEqual([]);
    expect(read.messages[0]!.findings).toEqual([]);
    expect(read.messages[1]!.findings).toEqual([
      {
        severity: 'ERROR',
        code: 'AK5-4',
        message: 'SE01 says 9 segments, ST..SE counts 5',
        at: { segment: 'SE', position: 5, element: 1 },
        value: '9',
      },
    ]);
  });

  it('SE02 that does not match ST02 (AK5 3), and a control number repeated in the group (AK5 23)', () => {
    const mismatch = po('0002', 'PO-2').replace('SE*5*0002', 'SE*5*0003');
    const read = x4010.read(interchange([po('0001', 'PO-1'), mismatch, po('0001', 'PO-3')]));
    expect(codes(read.messages[1]!.findings)).toEqual(['AK5-3']);
    expect(read.messages[1]!.findings[0]!.at).toEqual({ segment: 'SE', position: 5, element: 2 });
    expect(codes(read.messages[2]!.findings)).toEqual(['AK5-23']);
  });

  it('GE01 and GE02 mismatches reject every set of the group (AK9 5 and 4)', () => {
    const read = x4010.read(interchange([po('0001', 'PO-1'), po('0002', 'PO-2')], { ge: '3', ge02: '8' }));
    for (const message of read.messages) expect(codes(message.findings)).toEqual(['AK9-5', 'AK9-4']);
    expect(read.messages[0]!.findings[0]!.at).toEqual({ segment: 'GE', element: 1 });
  });

  it('IEA01 and IEA02 mismatches reject the interchange (TA1 021 and 001)', () => {
    const read = x4010.read(interchange([po('0001', 'PO-1')], { iea: '2', iea02: '000000008' }));
    expect(read.findings.map((finding) => [finding.code, finding.at])).toEqual([
      ['TA1-021', { segment: 'IEA', element: 1 }],
      ['TA1-001', { segment: 'IEA', element: 2 }],
    ]);
  });

  it('a truncated interchange (TA1 023)', () => {
    const whole = interchange([po('0001', 'PO-1')]).toString('utf8');
    const read = x4010.read(Buffer.from(whole.slice(0, whole.indexOf('PO1*') + 9)));
    expect(codes(read.findings)).toEqual(['TA1-023', 'TA1-023']);
    expect(read.findings[0]!.value).toBe('PO1*1*10*');
    expect(x4010.read(Buffer.from(ISA.slice(0, 60))).findings[0]!.code).toBe('TA1-023');
  });

  it('an ISA that is not fixed-width, or whose separators clash (TA1 024, 027)', () => {
    const short = interchange([po('0001', 'PO-1')])
      .toString('utf8')
      .replace('PARTNER        ', 'PARTNER');
    expect(x4010.read(Buffer.from(short)).findings).toEqual([
      expect.objectContaining({
        code: 'TA1-024',
        at: { segment: 'ISA', position: 1, element: 6 },
        value: 'PARTNER*ZZ*SUPP',
      }),
    ]);
    const clash = interchange([po('0001', 'PO-1')])
      .toString('utf8')
      .replace('*T*>~', '*T***');
    expect(x4010.read(Buffer.from(clash)).findings).toEqual([
      expect.objectContaining({
        code: 'TA1-027',
        at: { segment: 'ISA', position: 1, element: 16 },
        value: '*',
      }),
    ]);
    const component = interchange([po('0001', 'PO-1')])
      .toString('utf8')
      .replace('*T*>~', '*T*A~');
    expect(codes(x4010.read(Buffer.from(component)).findings)).toEqual(['TA1-027']);
    expect(codes(x4010.read(Buffer.from('{"documentType":"Order"}')).findings)).toEqual(['TA1-022']);
  });

  it('mapping problems are findings at the element: a date that is not a date, a quantity that is not a number', () => {
    const bad = po('0001', 'PO-1', '20251341').replace('PO1*1*10*', 'PO1*1*ten*');
    const message = x4010.read(interchange([bad])).messages[0]!;
    expect(message.findings).toEqual([
      {
        severity: 'ERROR',
        code: 'AK4-8',
        message: 'BEG05 order date must be a date CCYYMMDD',
        at: { segment: 'BEG', position: 2, element: 5 },
        value: '20251341',
      },
      {
        severity: 'ERROR',
        code: 'AK4-6',
        message: 'PO102 quantity must be a decimal number',
        at: { segment: 'PO1', position: 3, element: 2 },
        value: 'ten',
      },
    ]);
    expect(message.body).toBeNull();
  });

  it('reads a 2 MB interchange of 500 transaction sets in one pass, judging each on its own', () => {
    const lines = Array.from(
      { length: 41 },
      (_, index) =>
        `PO1*${index + 1}*10*EA*2.5**BP*PART-${String(index).padStart(6, '0')}*VP*VENDOR-PART-${index}~PID*F****A DESCRIPTION OF THE ITEM ORDERED HERE`,
    ).join('~');
    const sets = Array.from({ length: 500 }, (_, index) => {
      const control = String(index + 1).padStart(4, '0');
      const body = [
        `ST*850*${control}`,
        `BEG*00*SA*PO-${index}**${index === 99 ? '20251399' : '20250301'}`,
        lines,
        'CTT*41',
      ].join('~');
      const count = body.split('~').length + 1;
      return `${body}~SE*${index === 249 ? count + 1 : count}*${control}`;
    });
    const content = interchange(sets);
    expect(content.length).toBeGreaterThan(2_000_000);
    const read = x4010.read(content);
    expect(read.findings).toEqual([]);
    expect(read.messages).toHaveLength(500);
    const rejected = read.messages.flatMap((message, index) =>
      message.findings.some((finding) => finding.severity === 'ERROR')
        ? [[index, codes(message.findings)]]
        : [],
    );
    expect(rejected).toEqual([
      [99, ['AK4-8']],
      [249, ['AK5-4']],
    ]);
    expect(read.messages.filter((message) => message.body?.kind === 'business')).toHaveLength(499);
  });
});

describe('X12 acknowledgements', () => {
  const accepted: MessageOutcome = { accepted: true, findings: [], effects: [] };
  const reply = {
    ...envelope,
    sender: { qualifier: 'ZZ', id: 'SUPPLYNET' },
    receiver: { qualifier: 'ZZ', id: 'PARTNER' },
  };

  it('a 997 accepting every set of an accepted interchange', () => {
    const received = x4010.read(interchange([po('0001', 'PO-1'), po('0002', 'PO-2')]));
    const ack = segmentsOf(x4010.acknowledge(received, [accepted, accepted], reply).toString('utf8'));
    expect(ack.slice(1)).toEqual([
      'GS*FA*SUPPLYNET*PARTNER*20250304*0915*42*X*004010',
      'ST*997*0001',
      'AK1*PO*7',
      'AK2*850*0001',
      'AK5*A',
      'AK2*850*0002',
      'AK5*A',
      'AK9*A*2*2*2',
      'SE*8*0001',
      'GE*1*42',
      'IEA*1*000000042',
    ]);
    const verdicts = only(x4010.read(x4010.acknowledge(received, [accepted, accepted], reply))).body;
    expect(verdicts).toEqual({
      kind: 'acknowledgement',
      verdicts: [
        { interchangeControlNumber: '7', messageControlNumber: '0001', accepted: true, findings: [] },
        { interchangeControlNumber: '7', messageControlNumber: '0002', accepted: true, findings: [] },
      ],
    });
  });

  it('a 997 rejecting a set with segment and element detail, ours and X12s', () => {
    const received = x4010.read(
      interchange([po('0001', 'PO-1'), po('0002', 'PO-2', '20251399'), po('0003', 'PO-3', '20250301', 4)]),
    );
    const unknownItem = {
      severity: 'ERROR' as const,
      code: 'UNKNOWN_ITEM',
      message: 'no item A-100 for this partner',
      at: { segment: 'PO1', position: 3, element: 7 },
      value: 'A-100',
    };
    const outcomes: MessageOutcome[] = [
      { accepted: false, findings: [unknownItem], effects: [] },
      { accepted: false, findings: received.messages[1]!.findings, effects: [] },
      { accepted: false, findings: received.messages[2]!.findings, effects: [] },
    ];
    const ack = segmentsOf(x4010.acknowledge(received, outcomes, reply).toString('utf8'));
    expect(ack.slice(3, -3)).toEqual([
      'AK1*PO*7',
      'AK2*850*0001',
      'AK3*PO1*3**8',
      'AK4*7**7*A-100',
      'AK5*R*5',
      'AK2*850*0002',
      'AK3*BEG*2**8',
      'AK4*5**8*20251399',
      'AK5*R*5',
      'AK2*850*0003',
      'AK5*R*4',
      'AK9*R*3*3*0',
    ]);
  });

  it('a 999 for 005010 with IK3, IK4 and IK5', () => {
    const received = x5010.read(
      Buffer.from(
        interchange([po('0001', 'PO-1', '20251399')])
          .toString('utf8')
          .replace('*U*00401*', '*^*00501*')
          .replace('*X*004010~', '*X*005010~'),
      ),
    );
    expect(received.formatId).toBe('x12-005010');
    const ack = segmentsOf(
      x5010
        .acknowledge(
          received,
          [{ accepted: false, findings: received.messages[0]!.findings, effects: [] }],
          reply,
        )
        .toString('utf8'),
    );
    expect(ack.slice(1, -2)).toEqual([
      'GS*FA*SUPPLYNET*PARTNER*20250304*0915*42*X*005010X231A1',
      'ST*999*0001*005010X231A1',
      'AK1*PO*7*005010',
      'AK2*850*0001',
      'IK3*BEG*2**8',
      'IK4*5**8*20251399',
      'IK5*R*5',
      'AK9*R*1*1*0',
      'SE*8*0001',
    ]);
  });

  it('a TA1 when the interchange envelope itself is broken', () => {
    const received = x4010.read(interchange([po('0001', 'PO-1')], { iea02: '000000009' }));
    const ack = segmentsOf(x4010.acknowledge(received, [], reply).toString('utf8'));
    expect(ack.slice(1)).toEqual(['TA1*000000007*250304*0915*R*001', 'IEA*0*000000042']);
    expect(only(x4010.read(x4010.acknowledge(received, [], reply))).body).toEqual({
      kind: 'acknowledgement',
      verdicts: [
        {
          interchangeControlNumber: '000000007',
          accepted: false,
          findings: [expect.objectContaining({ code: 'TA1-001' })],
        },
      ],
    });
  });
});

describe('public X12 samples read as their authors intended', () => {
  const business = (interchange: Interchange, index = 0) => {
    const body = interchange.messages[index]!.body;
    if (body?.kind !== 'business') throw new Error(`message ${index} is not a business document`);
    return body.document;
  };

  it('node-x12 850 (VICS 4010): six lines, DUNS ship-to, no CUR means US dollars; the same with newline terminators', () => {
    for (const name of ['node-x12-850.edi', 'node-x12-850_2.edi']) {
      const read = x4010.read(fixture(name));
      expect(read).toMatchObject({
        formatId: 'x12-004010',
        controlNumber: '000003438',
        sender: { qualifier: '12', id: '4405197800' },
        findings: [],
      });
      const po = business(read) as PurchaseOrderDocument;
      expect(po).toMatchObject({
        number: '08292233294',
        issueDate: '2010-11-27',
        currency: 'USD',
        requestedDate: '2010-12-14',
        buyer: { name: 'XYZ RETAIL', ids: ['9:0003947268292'] },
      });
      expect(po.lines).toHaveLength(6);
      expect(withoutLocations(po.lines[0])).toEqual({
        lineNo: 1,
        item: { buyerPartNumber: '065322-117', vendorPartNumber: 'AB3542', description: 'SMALL WIDGET' },
        quantity: '120',
        unit: { code: 'EA', codeList: 'X12' },
        unitPrice: '9.25',
      });
    }
  });

  it('node-x12 850_3: a PO1 without its line number takes its position', () => {
    const po = business(x4010.read(fixture('node-x12-850_3.edi'))) as PurchaseOrderDocument;
    expect(
      po.lines.map((line) => [line.lineNo, line.quantity, line.unit.code, line.item.vendorPartNumber]),
    ).toEqual([[1, '1', 'KI', 'UNKNOWN']]);
  });

  it('node-x12 850_fat: a second interchange repeating control number 000003438 is refused (TA1 025)', () => {
    expect(x4010.read(fixture('node-x12-850_fat.edi')).findings).toEqual([
      expect.objectContaining({ code: 'TA1-025', value: '000003438' }),
    ]);
  });

  it('node-x12 855: two lines accepted, two rejected with quantity 0', () => {
    const ack = business(x4010.read(fixture('node-x12-855.edi'))) as OrderResponseDocument;
    expect(ack).toMatchObject({ orderNumber: 'POTEST1112', status: 'ACCEPTED', issueDate: '2020-10-15' });
    expect(ack.lines.map((line) => [line.lineNo, line.status, line.quantity, line.item.gtin])).toEqual([
      [1, 'ACCEPTED', '3', '9780446360265'],
      [2, 'REJECTED', '0', '9780767928427'],
      [3, 'REJECTED', '0', '9780099599531'],
      [4, 'ACCEPTED', '2', '9780446360272'],
    ]);
  });

  it('node-x12 856 in version 004060: read, and rejected as a version we do not support (AK9 2)', () => {
    const read = x4010.read(fixture('node-x12-856.edi'));
    expect(codes(read.messages[0]!.findings)).toEqual(['AK9-2']);
    const asn = business(read) as DespatchAdviceDocument;
    expect(asn).toMatchObject({
      number: '829716',
      orderNumber: '99999817',
      shippedAt: '2011-12-06',
      carrier: 'XXXX',
      trackingNumber: '5787970539',
    });
    expect(asn.lines.map((line) => [line.lineNo, line.quantity, line.item.gtin])).toEqual([
      [1, '24', '999999310145'],
      [2, '6', '999999311746'],
    ]);
  });

  it('StAEDI 810s: two invoices in one group, totals from TDS, IT101 absent is a warning', () => {
    const read = x4010.read(fixture('staedi-simple810.edi'));
    const first = business(read) as InvoiceDocument;
    expect(first).toMatchObject({
      number: '00001',
      orderNumber: 'A99999-01',
      issueDate: '1997-12-11',
      total: '2554.38',
      creditNote: false,
      seller: { name: 'FOODSELLER' },
    });
    expect(first.lines).toHaveLength(7);
    expect(first.lines[0]).toMatchObject({
      orderLineNo: 1,
      quantity: '16',
      unit: { code: 'CA' },
      unitPrice: '12.34',
      item: { gtin: '002840022222' },
    });
    expect((business(read, 1) as InvoiceDocument).lines).toHaveLength(2);
    expect(read.messages[0]!.findings.every((finding) => finding.severity === 'WARNING')).toBe(true);
  });

  it('StAEDI 810 + 850 dual: the 003010 group is rejected (AK9 2), the 004010 invoices stand', () => {
    const read = x4010.read(fixture('staedi-invoice810_po850_dual.edi'));
    expect(
      read.messages.map((message) => [
        message.documentType,
        message.group?.version,
        codes(message.findings.filter((finding) => finding.severity === 'ERROR')),
      ]),
    ).toEqual([
      ['810', '004010', []],
      ['810', '004010', []],
      ['850', '003010', ['AK9-2']],
    ]);
  });

  it('StAEDI 997 and 999: the partner verdicts with their segment and element detail', () => {
    const ack997 = x4010.read(fixture('staedi-simple997.edi'));
    expect(ack997.formatId).toBe('x12-005010');
    expect(ack997.messages[0]!.body).toEqual({
      kind: 'acknowledgement',
      verdicts: [
        {
          interchangeControlNumber: '000001',
          messageControlNumber: '0021',
          accepted: false,
          findings: [
            expect.objectContaining({ code: 'AK3-8', at: { segment: 'NM1', position: 8 } }),
            expect.objectContaining({
              code: 'AK4-7',
              at: { segment: 'NM1', position: 8, element: 8 },
              value: 'MI',
            }),
            expect.objectContaining({ code: 'AK5-5' }),
          ],
        },
      ],
    });
    const ack999 = x5010.read(fixture('staedi-simple999.edi')).messages[0]!.body;
    expect(
      ack999?.kind === 'acknowledgement' &&
        ack999.verdicts.map((verdict) => [verdict.messageControlNumber, verdict.accepted]),
    ).toEqual([
      ['0001', true],
      ['0002', false],
      ['0003', false],
    ]);
  });

  it('StAEDI ISB/ISE interchange services and a group-level 997 (AK9 only)', () => {
    const read = x4010.read(fixture('staedi-optionalInterchangeServices.edi'));
    expect(read.findings).toEqual([]);
    expect(read.messages[0]!.body).toEqual({
      kind: 'acknowledgement',
      verdicts: [{ interchangeControlNumber: '000001', accepted: true, findings: [] }],
    });
  });

  it('StAEDI 214 with an ellipsis terminator: separators read, the set named as unsupported (AK5 1)', () => {
    const read = x4010.read(fixture('staedi-ts214_ellipses_segterm.edi'));
    expect(read.findings).toEqual([]);
    expect(read.messages[0]!.findings).toEqual([expect.objectContaining({ code: 'AK5-1', value: '214' })]);
    expect(read.messages[0]!.findings[0]!.message).toContain('supported: 810, 850, 855, 856, 997, 999');
  });

  it('pyx12 trailer errors: SE01, GE02, IEA01 and IEA02 wrong, each reported at its level', () => {
    const read = x4010.read(fixture('pyx12-trailer_errors.edi'));
    expect(codes(read.findings)).toEqual(['TA1-021', 'TA1-001']);
    expect(codes(read.messages[0]!.findings)).toEqual(['AK9-4', 'AK5-4', 'AK5-1']);
    expect(read.messages[0]!.findings[1]).toMatchObject({
      at: { segment: 'SE', position: 59, element: 1 },
      value: '60',
    });
  });

  it('pyx12 interchange cut short: no GE/IEA (TA1 023) and SE*0', () => {
    const read = x4010.read(fixture('pyx12-fail_no_IEA.edi'));
    expect(codes(read.findings)).toEqual(['TA1-023']);
    expect(codes(read.messages[0]!.findings)).toEqual(['AK5-4', 'AK5-1']);
  });

  it('sniffs the version from GS08, else ISA12', () => {
    expect(x4010.sniff(fixture('node-x12-850.edi'))).toBe(true);
    expect(x5010.sniff(fixture('node-x12-850.edi'))).toBe(false);
    expect(x5010.sniff(fixture('staedi-simple999.edi'))).toBe(true);
    expect(x4010.sniff(fixture('node-x12-856.edi'))).toBe(false);
    expect(x4010.sniff(Buffer.from("UNA:+.? 'UNB+UNOC:3"))).toBe(false);
  });
});
