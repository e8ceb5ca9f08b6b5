import { describe, expect, it } from 'vitest';
import type {
  BusinessDocument,
  DespatchAdviceDocument,
  InvoiceDocument,
  OrderResponseDocument,
  PurchaseOrderDocument,
} from '../../subgraphs/exchange/formats/business.ts';
import { edifactFormat } from '../../subgraphs/exchange/formats/edifact/format.ts';
import { lex, type Segment } from '../../subgraphs/exchange/formats/edifact/syntax.ts';
import type {
  Finding,
  Interchange,
  MessageOutcome,
  OutboundEnvelope,
} from '../../subgraphs/exchange/formats/types.ts';

const d96a = edifactFormat('D96A');
const d01b = edifactFormat('D01B');

const envelope: OutboundEnvelope = {
  sender: { id: '5412345000013', qualifier: '14' },
  receiver: { id: '4012345500004', qualifier: '14' },
  interchangeControlNumber: '20250304001',
  groupControlNumber: '1',
  messageControlNumber: 'MSG1',
  createdAt: new Date('2025-03-04T10:20:00Z'),
  test: false,
};

const pce = { code: 'PCE', codeList: 'REC20' } as const;

const order: PurchaseOrderDocument = {
  kind: 'PurchaseOrder',
  number: 'PO-4711',
  issueDate: '2025-03-04',
  currency: 'EUR',
  buyer: { gln: '5412345000013', name: 'Buyer & Co: Central Purchasing Department Brussels' },
  seller: { ids: ['91:SUP-77'], name: "O'Brien+Sons" },
  requestedDate: '2025-03-20',
  lines: [
    {
      lineNo: 1,
      item: {
        gtin: '5412345111115',
        buyerPartNumber: 'B-100',
        vendorPartNumber: 'V?100',
        description: 'Hex bolt M8 x 40, zinc plated, box of one hundred',
      },
      quantity: '40',
      unit: pce,
      unitPrice: '12.5',
      requestedDate: '2025-03-18',
    },
    {
      lineNo: 2,
      item: { vendorPartNumber: 'V-200' },
      quantity: '2.5',
      unit: { code: 'KGM', codeList: 'REC20' },
    },
  ],
};

const response: OrderResponseDocument = {
  kind: 'OrderResponse',
  number: 'SO-88',
  orderNumber: 'PO-4711',
  issueDate: '2025-03-05',
  status: 'CHANGED',
  note: 'Line 2 is discontinued; line 1 ships in part',
  sellerOrderNumber: 'SO-88',
  buyer: { gln: '5412345000013' },
  seller: { gln: '4012345500004' },
  lines: [
    {
      lineNo: 1,
      status: 'CHANGED',
      item: { gtin: '5412345111115' },
      quantity: '30',
      unit: pce,
      date: '2025-03-21',
    },
    { lineNo: 2, status: 'REJECTED', item: { vendorPartNumber: 'V-200' }, quantity: '0', unit: pce },
    { lineNo: 3, status: 'ACCEPTED', item: { buyerPartNumber: 'B-300' }, quantity: '5', unit: pce },
  ],
};

const despatch: DespatchAdviceDocument = {
  kind: 'DespatchAdvice',
  number: 'DES-9',
  orderNumber: 'PO-4711',
  issueDate: '2025-03-06',
  shippedAt: '2025-03-06',
  expectedDeliveryDate: '2025-03-08',
  carrier: 'DHL Freight',
  trackingNumber: 'JD0146000012345678',
  buyer: { gln: '5412345000013' },
  seller: { gln: '4012345500004' },
  packages: [
    {
      id: '354123450000000012',
      type: 'CT',
      grossWeight: { value: '12.5', unit: { code: 'KGM', codeList: 'REC20' } },
    },
    { id: '354123450000000029', type: 'PX' },
  ],
  // Lines travelling unpacked come first: CPS 1 holds them, each package's CPS holds its own.
  lines: [
    {
      lineNo: 3,
      item: { buyerPartNumber: 'B-300' },
      quantity: '6',
      unit: pce,
      lots: [],
      serials: ['SN1', 'SN2', 'SN3', 'SN4', 'SN5', 'SN6'],
    },
    {
      lineNo: 1,
      item: { gtin: '5412345111115' },
      quantity: '20',
      unit: pce,
      lots: [
        { number: 'LOT-A', quantity: '12', expiryDate: '2026-01-31', productionDate: '2025-01-02' },
        { number: 'LOT-B', quantity: '8', expiryDate: '2026-02-28' },
      ],
      serials: [],
      packageId: '354123450000000012',
    },
    {
      lineNo: 1,
      item: { gtin: '5412345111115' },
      quantity: '10',
      unit: pce,
      lots: [],
      serials: [],
      packageId: '354123450000000029',
    },
  ],
};

const invoice: InvoiceDocument = {
  kind: 'Invoice',
  creditNote: false,
  number: 'INV-2025-001',
  issueDate: '2025-03-07',
  dueDate: '2025-04-06',
  currency: 'EUR',
  orderNumber: 'PO-4711',
  seller: { gln: '4012345500004', name: 'Supplier GmbH' },
  buyer: { gln: '5412345000013' },
  lines: [
    {
      lineNo: 1,
      orderLineNo: 1,
      item: { gtin: '5412345111115' },
      quantity: '30',
      unit: pce,
      unitPrice: '12.5',
      netAmount: '375',
      taxRate: '21',
    },
    {
      lineNo: 2,
      orderNumber: 'PO-4712',
      orderLineNo: 4,
      item: { vendorPartNumber: 'V-9' },
      quantity: '1',
      unit: pce,
      unitPrice: '100',
      taxRate: '6',
    },
  ],
  subtotal: '475',
  taxTotal: '84.75',
  total: '559.75',
};

/** What was read, without where it was read: the business document `write` started from. */
function withoutLocations(document: BusinessDocument): BusinessDocument {
  return JSON.parse(
    JSON.stringify(document, (key, value: unknown) => (key === 'at' ? undefined : value)),
  ) as BusinessDocument;
}

function only(interchange: Interchange) {
  expect(interchange.findings).toEqual([]);
  expect(interchange.messages).toHaveLength(1);
  const message = interchange.messages[0]!;
  expect(message.findings.filter((finding) => finding.severity === 'ERROR')).toEqual([]);
  return message;
}

function documentOf(interchange: Interchange): BusinessDocument {
  const body = only(interchange).body;
  if (body?.kind !== 'business') throw new Error(`expected a business document, got ${JSON.stringify(body)}`);
  return body.document;
}

/** An interchange from segments written one a line, for readability; the line breaks are not data. */
function edi(...segments: string[]): Buffer {
  return Buffer.from(segments.map((segment) => `${segment}'`).join('\n'), 'latin1');
}

function ordersMessage(reference: string, number = 'PO-1', extra: string[] = []): string[] {
  const body = [
    `UNH+${reference}+ORDERS:D:96A:UN:EAN008`,
    `BGM+220+${number}+9`,
    'DTM+137:20250304:102',
    'NAD+BY+5412345000013::9',
    'NAD+SU+4012345500004::9',
    'CUX+2:EUR:9',
    'LIN+1++5412345111115:EN',
    'QTY+21:10:PCE',
    ...extra,
    'UNS+S',
  ];
  return [...body, `UNT+${body.length + 1}+${reference}`];
}

function interchange(messages: string[][], unz?: string): Buffer {
  return edi(
    'UNA:+.? ',
    'UNB+UNOC:3+5412345000013:14+4012345500004:14+250304:1020+ICR42',
    ...messages.flat(),
    unz ?? `UNZ+${messages.length}+ICR42`,
  );
}

function codes(findings: readonly Finding[]) {
  return findings
    .filter((finding) => finding.severity === 'ERROR')
    .map((finding) => ({ code: finding.code, at: finding.at }));
}

describe('EDIFACT writes what it reads back', () => {
  for (const [format, document] of [
    [d96a, order],
    [d01b, order],
    [d96a, response],
    [d01b, response],
    [d96a, despatch],
    [d01b, despatch],
    [d96a, invoice],
    [d01b, { ...invoice, creditNote: true, number: 'CN-7', dueDate: undefined }],
  ] as const)
    it(`${document.kind}${document.kind === 'Invoice' && document.creditNote ? ' (credit note)' : ''} in ${format.id}`, () => {
      const written = format.write!(document, envelope);
      expect(format.sniff(written)).toBe(true);
      expect(withoutLocations(documentOf(format.read(written)))).toEqual(
        JSON.parse(JSON.stringify(document)),
      );
    });

  it('escapes service characters with the release character and counts UNT and UNZ', () => {
    const text = d96a.write!(order, envelope).toString('latin1');
    expect(
      text.startsWith("UNA:+.? 'UNB+UNOC:3+5412345000013:14+4012345500004:14+250304:1020+20250304001'"),
    ).toBe(true);
    expect(text).toContain("NAD+SU+SUP-77::91++O?'Brien?+Sons'");
    expect(text).toContain("PIA+1+B-100:IN+V??100:SA'");
    expect(text).toContain("UNH+MSG1+ORDERS:D:96A:UN'");
    const segments = text
      .slice(9)
      .split(/(?<!\?)'/)
      .filter(Boolean);
    const unh = segments.findIndex((segment) => segment.startsWith('UNH'));
    const unt = segments.findIndex((segment) => segment.startsWith('UNT'));
    expect(segments[unt]).toBe(`UNT+${unt - unh + 1}+MSG1`);
    expect(segments[segments.length - 1]).toBe('UNZ+1+20250304001');
  });

  it('writes UNOY with syntax version 4 when a name needs more than ISO 8859-1, and marks test interchanges', () => {
    const written = d96a.write!({ ...order, buyer: { name: 'Łódź Hurtownia' } }, { ...envelope, test: true });
    expect(written.toString('utf8')).toContain(
      'UNB+UNOY:4+5412345000013:14+4012345500004:14+20250304:1020+20250304001++++++1',
    );
    const read = d96a.read(written);
    expect(read.test).toBe(true);
    expect(documentOf(read)).toMatchObject({ buyer: { name: 'Łódź Hurtownia' } });
  });

  it('refuses to write a control number longer than 14 characters', () => {
    expect(() => d96a.write!(order, { ...envelope, interchangeControlNumber: '123456789012345' })).toThrow(
      /1 to 14/,
    );
  });
});

describe('EDIFACT envelope and syntax errors', () => {
  it('reads several messages, each on its own', () => {
    const read = d96a.read(
      interchange([ordersMessage('1', 'PO-1'), ordersMessage('2', 'PO-2', ['DTM+2:20250231:102'])]),
    );
    expect(read.findings).toEqual([]);
    expect(read.controlNumber).toBe('ICR42');
    expect(read.sender).toEqual({ id: '5412345000013', qualifier: '14' });
    expect(read.messages.map((message) => message.controlNumber)).toEqual(['1', '2']);
    expect(read.messages[0]!.findings).toEqual([]);
    expect(codes(read.messages[1]!.findings)).toEqual([
      { code: '12', at: { segment: 'DTM', position: 9, element: 1, component: 2 } },
    ]);
    expect(read.messages[1]!.findings[0]!.value).toBe('20250231');
  });

  it('rejects a message whose UNT counts the wrong number of segments (29) or names another message (28)', () => {
    const message = ordersMessage('1');
    message[message.length - 1] = 'UNT+7+9';
    const read = d96a.read(interchange([message, ordersMessage('2')]));
    expect(read.findings).toEqual([]);
    expect(codes(read.messages[0]!.findings)).toEqual([
      { code: '29', at: { segment: 'UNT', position: 10, element: 1, component: 1 } },
      { code: '28', at: { segment: 'UNT', position: 10, element: 2, component: 1 } },
    ]);
    expect(read.messages[0]!.findings.map((finding) => finding.value)).toEqual(['7', '9']);
    expect(read.messages[1]!.findings).toEqual([]);
  });

  it('rejects the interchange when UNZ counts wrong (29) or does not repeat UNB 0020 (28)', () => {
    const read = d96a.read(interchange([ordersMessage('1')], 'UNZ+2+ICR43'));
    expect(codes(read.findings)).toEqual([
      { code: '29', at: { segment: 'UNZ', position: 12, element: 1, component: 1 } },
      { code: '28', at: { segment: 'UNZ', position: 12, element: 2, component: 1 } },
    ]);
  });

  it('rejects a truncated interchange (13)', () => {
    const whole = interchange([ordersMessage('1')]).toString('latin1');
    const cut = d96a.read(Buffer.from(whole.slice(0, whole.indexOf('UNS+S')), 'latin1'));
    expect(codes(cut.findings)).toEqual([{ code: '13', at: { segment: 'UNZ' } }]);
    expect(codes(cut.messages[0]!.findings)).toContainEqual({
      code: '13',
      at: { segment: 'UNT', position: 9 },
    });

    const midSegment = d96a.read(Buffer.from(whole.slice(0, whole.indexOf('UNZ') + 5), 'latin1'));
    expect(codes(midSegment.findings)[0]).toEqual({ code: '13', at: { segment: 'UNZ', position: 12 } });
    expect(midSegment.findings[0]!.message).toMatch(/truncated/);
  });

  it('rejects separators the interchange does not declare (22) and a UNA that declares letters (20 or 22)', () => {
    const star = d96a.read(
      Buffer.from("UNB*UNOC:3*SENDER*RECEIVER*250304:1020*1'UNH*1*ORDERS:D:96A:UN'UNT*2*1'UNZ*1*1'"),
    );
    expect(codes(star.findings)[0]).toEqual({ code: '22', at: { segment: 'UNB', position: 1 } });
    expect(star.messages[0]!.findings).toContainEqual(
      expect.objectContaining({ code: '15', value: 'UNH*1*ORDERS:D:96A:UN' }),
    );

    const letters = d96a.read(Buffer.from("UNAX+.? 'UNB+UNOC:3+S+R+250304:1020+1'UNZ+0+1'"));
    expect(codes(letters.findings)[0]).toEqual({ code: '20', at: { segment: 'UNA', element: 1 } });
  });

  it('rejects characters outside the syntax level (21) where they are, and reads the rest', () => {
    const content = Buffer.concat([
      Buffer.from(
        "UNB+UNOA:3+SENDER+RECEIVER+250304:1020+1'UNH+1+ORDERS:D:96A:UN'BGM+220+PO1+9'DTM+137:20250304:102'NAD+BY+++",
        'latin1',
      ),
      Buffer.from('Müller', 'latin1'),
      Buffer.from(
        "'CUX+2:EUR:9'LIN+1++5412345111115:EN'QTY+21:1'UNT+8+1'" + ordersMessage('2').join("'") + "'UNZ+2+1'",
      ),
    ]);
    const read = d96a.read(content);
    expect(read.findings).toEqual([]);
    expect(codes(read.messages[0]!.findings)).toEqual([
      { code: '21', at: { segment: 'NAD', position: 4, element: 4, component: 1 } },
    ]);
    expect(read.messages[0]!.findings[0]!.value).toBe('ü');
    expect(read.messages[1]!.findings).toEqual([]);
  });

  it('rejects an unknown syntax level (2), a repeated message reference (26), another directory (17), an unknown message (17)', () => {
    expect(codes(d96a.read(Buffer.from("UNB+UNOX:3+S+R+250304:1020+1'UNZ+0+1'")).findings)[0]).toEqual({
      code: '2',
      at: { segment: 'UNB', position: 1, element: 1, component: 1 },
    });

    const duplicate = d96a.read(interchange([ordersMessage('7'), ordersMessage('7')]));
    expect(duplicate.messages[0]!.findings).toEqual([]);
    expect(codes(duplicate.messages[1]!.findings)).toEqual([
      { code: '26', at: { segment: 'UNH', position: 1, element: 1, component: 1 } },
    ]);

    const d01bMessage = ordersMessage('1').map((segment) => segment.replace('D:96A', 'D:01B'));
    expect(codes(d96a.read(interchange([d01bMessage])).messages[0]!.findings)).toEqual([
      { code: '17', at: { segment: 'UNH', position: 1, element: 2, component: 3 } },
    ]);
    expect(d01b.read(interchange([d01bMessage])).messages[0]!.findings).toEqual([]);

    const quotes = d96a.read(interchange([['UNH+1+QUOTES:D:96A:UN', 'BGM+310+Q1', 'UNT+3+1']]));
    expect(quotes.messages[0]!.findings[0]).toMatchObject({ code: '17', value: 'QUOTES' });
    expect(quotes.messages[0]!.findings[0]!.message).toMatch(/ORDERS, ORDRSP, DESADV, INVOIC, CONTRL/);
  });

  it('reads a segment outside any message (33) and an empty interchange (32) as interchange errors', () => {
    const stray = d96a.read(interchange([ordersMessage('1'), ['FTX+AAI+++stray']], 'UNZ+1+ICR42'));
    expect(codes(stray.findings)).toEqual([{ code: '33', at: { segment: 'FTX', position: 12 } }]);
    expect(codes(d96a.read(interchange([], 'UNZ+0+ICR42')).findings)).toEqual([
      { code: '32', at: { segment: 'UNB', position: 1 } },
    ]);
  });

  it('points at what a mapping needs and does not find', () => {
    const read = d96a.read(
      interchange([
        [
          'UNH+1+INVOIC:D:96A:UN',
          'BGM+380+INV1+9',
          'DTM+137:20250304:102',
          'CUX+2:EUR:4',
          'LIN+1++5412345111115:EN',
          'QTY+47:1O',
          'PRI+AAA:5',
          'UNS+S',
          'UNT+9+1',
        ],
      ]),
    );
    expect(codes(read.messages[0]!.findings)).toEqual([
      { code: '37', at: { segment: 'QTY', position: 6, element: 1, component: 2 } },
      { code: '13', at: { segment: 'QTY', position: 6 } },
      { code: '13', at: { segment: 'TAX', position: 6 } },
    ]);
  });

  it('reads 500 messages in a 2 MB interchange in one pass, judging each on its own', () => {
    const filler = Array.from({ length: 40 }, (_, i) => [
      `LIN+${i + 2}++54123451${String(i).padStart(5, '0')}:EN`,
      `IMD+F++:::${'Zinc plated hex bolt with washer'}`,
      'QTY+21:10:PCE',
      'PRI+AAA:1.25',
    ]).flat();
    const messages = Array.from({ length: 500 }, (_, i) =>
      ordersMessage(
        String(i + 1),
        `PO-${i + 1}`,
        i % 100 === 99 ? ['DTM+2:2025-13-01:102', ...filler] : filler,
      ),
    );
    const content = interchange(messages, `UNZ+500+ICR42`);
    expect(content.length).toBeGreaterThan(2_000_000);
    const read = d96a.read(content);
    expect(read.findings).toEqual([]);
    expect(read.messages).toHaveLength(500);
    const rejected = read.messages.filter((message) =>
      message.findings.some((finding) => finding.severity === 'ERROR'),
    );
    expect(rejected.map((message) => message.controlNumber)).toEqual(['100', '200', '300', '400', '500']);
    const first = read.messages[0]!.body;
    expect(
      first?.kind === 'business' && first.document.kind === 'PurchaseOrder' && first.document.lines,
    ).toHaveLength(41);
  });
});

/** The CONTRL's segments, read with the same lexer the inbox uses. */
function segmentsOf(contrl: Buffer): Segment[] {
  const lexed = lex(contrl);
  expect(lexed.findings).toEqual([]);
  return lexed.segments;
}

function elements(segments: Segment[], tag: string) {
  return segments.filter((segment) => segment.tag === tag).map((segment) => segment.elements);
}

describe('CONTRL', () => {
  const ack: OutboundEnvelope = {
    ...envelope,
    sender: { id: '4012345500004', qualifier: '14' },
    receiver: { id: '5412345000013', qualifier: '14' },
    interchangeControlNumber: 'ACK1',
    messageControlNumber: 'C1',
  };
  const accepted: MessageOutcome = { accepted: true, findings: [], effects: [] };

  it('accepts an interchange and each of its messages with action 7', () => {
    const received = d96a.read(interchange([ordersMessage('1'), ordersMessage('2')]));
    const segments = segmentsOf(d96a.acknowledge(received, [accepted, accepted], ack));
    expect(segments.map((segment) => segment.tag)).toEqual(['UNB', 'UNH', 'UCI', 'UCM', 'UCM', 'UNT', 'UNZ']);
    expect(elements(segments, 'UNH')).toEqual([[['C1'], ['CONTRL', 'D', '3', 'UN']]]);
    expect(elements(segments, 'UCI')).toEqual([
      [['ICR42'], ['5412345000013', '14'], ['4012345500004', '14'], ['7']],
    ]);
    expect(elements(segments, 'UCM')).toEqual([
      [['1'], ['ORDERS', 'D', '96A', 'UN', 'EAN008'], ['7']],
      [['2'], ['ORDERS', 'D', '96A', 'UN', 'EAN008'], ['7']],
    ]);
    expect(elements(segments, 'UNT')).toEqual([[['5'], ['C1']]]);
    expect(elements(segments, 'UNZ')).toEqual([[['1'], ['ACK1']]]);
  });

  it('rejects a message with UCM 4 and a UCS/UCD for each finding, and leaves the others accepted', () => {
    const bad = ordersMessage('2', 'PO-2', ['DTM+2:20250231:102']);
    bad[bad.length - 1] = 'UNT+99+2';
    const received = d96a.read(interchange([ordersMessage('1'), bad]));
    const unknownItem: Finding = {
      severity: 'ERROR',
      code: 'UNKNOWN_ITEM',
      message: 'no item 5412345111115',
      at: { segment: 'LIN', position: 7, element: 3, component: 1 },
    };
    const outcomes = [accepted, { accepted: false, findings: [unknownItem], effects: [] }];
    const segments = segmentsOf(d96a.acknowledge(received, outcomes, ack));
    expect(elements(segments, 'UCI')[0]![3]).toEqual(['7']);
    expect(elements(segments, 'UCM')).toEqual([
      [['1'], ['ORDERS', 'D', '96A', 'UN', 'EAN008'], ['7']],
      [['2'], ['ORDERS', 'D', '96A', 'UN', 'EAN008'], ['4'], ['29'], ['UNT'], ['1', '1']],
    ]);
    // The UNT count leads in UCM; the unknown item (a business code: 12 on CONTRL) and the date follow.
    expect(
      segments.filter((segment) => ['UCS', 'UCD'].includes(segment.tag)).map((s) => [s.tag, ...s.elements]),
    ).toEqual([
      ['UCS', ['7']],
      ['UCD', ['12'], ['3', '1']],
      ['UCS', ['9']],
      ['UCD', ['12'], ['1', '2']],
    ]);
  });

  it('rejects the whole interchange with UCI 4 and the envelope error', () => {
    const received = d96a.read(interchange([ordersMessage('1')], 'UNZ+3+ICR42'));
    const segments = segmentsOf(d96a.acknowledge(received, [accepted], ack));
    expect(elements(segments, 'UCI')).toEqual([
      [['ICR42'], ['5412345000013', '14'], ['4012345500004', '14'], ['4'], ['29'], ['UNZ'], ['1', '1']],
    ]);
    expect(elements(segments, 'UCM')).toEqual([[['1'], ['ORDERS', 'D', '96A', 'UN', 'EAN008'], ['4']]]);
  });

  it('reads the CONTRL it writes as verdicts on our interchange', () => {
    const received = d96a.read(
      interchange([ordersMessage('1'), ordersMessage('2', 'PO-2', ['DTM+2:20250231:102'])]),
    );
    const contrl = d96a.acknowledge(
      received,
      [accepted, { accepted: false, findings: [], effects: [] }],
      ack,
    );
    const read = d96a.read(contrl);
    expect(read.findings).toEqual([]);
    const body = only(read).body;
    expect(body?.kind).toBe('acknowledgement');
    if (body?.kind !== 'acknowledgement') return;
    expect(body.verdicts).toMatchObject([
      { interchangeControlNumber: 'ICR42', messageControlNumber: '1', accepted: true, findings: [] },
      {
        interchangeControlNumber: 'ICR42',
        messageControlNumber: '2',
        accepted: false,
        findings: [{ code: '12' }, { code: '12', at: { position: 9, element: 1, component: 2 } }],
      },
    ]);
  });
});

describe('sniff', () => {
  it('tells the directories apart, with or without UNA', () => {
    const d96aContent = interchange([ordersMessage('1')]);
    expect(d96a.sniff(d96aContent)).toBe(true);
    expect(d01b.sniff(d96aContent)).toBe(false);
    const bare = Buffer.from("UNB+UNOC:3+S+R+250304:1020+1'UNH+1+INVOIC:D:01B:UN:EAN011'UNT+2+1'UNZ+1+1'");
    expect(d01b.sniff(bare)).toBe(true);
    expect(d96a.sniff(bare)).toBe(false);
    expect(d96a.sniff(Buffer.from('ISA*00*          *00*'))).toBe(false);
    expect(d96a.sniff(Buffer.from('{"documentType":"SalesOrder"}'))).toBe(false);
  });
});

describe('groups and received CONTRL', () => {
  it('checks UNE against its UNG: message count (29) and reference (28)', () => {
    const read = d96a.read(
      edi(
        'UNB+UNOC:3+SENDER+RECEIVER+250304:1020+ICR7',
        'UNG+ORDERS+SENDER+RECEIVER+250304:1020+G1+UN+D:96A',
        ...ordersMessage('1'),
        'UNE+2+G2',
        'UNZ+1+ICR7',
      ),
    );
    expect(read.messages[0]!.group).toEqual({
      functionalId: 'ORDERS',
      controlNumber: 'G1',
      version: 'D:96A',
    });
    expect(codes(read.findings)).toEqual([
      { code: '29', at: { segment: 'UNE', position: 13, element: 1, component: 1 } },
      { code: '28', at: { segment: 'UNE', position: 13, element: 2, component: 1 } },
    ]);
  });

  it("reads a partner's CONTRL rejecting one of our messages down to the data element", () => {
    const read = d01b.read(
      edi(
        'UNA:+.? ',
        'UNB+UNOC:3+4012345500004:14+5412345000013:14+250305:0800+C77',
        'UNH+1+CONTRL:D:3:UN',
        'UCI+20250304001+5412345000013:14+4012345500004:14+7',
        'UCM+MSG1+ORDERS:D:01B:UN+4+12',
        'UCS+9',
        'UCD+12+2:1',
        'UCM+MSG2+ORDERS:D:01B:UN+7',
        'UNT+7+1',
        'UNZ+1+C77',
      ),
    );
    const body = only(read).body;
    expect(body).toEqual({
      kind: 'acknowledgement',
      verdicts: [
        {
          interchangeControlNumber: '20250304001',
          messageControlNumber: 'MSG1',
          accepted: false,
          findings: [
            expect.objectContaining({ code: '12', message: 'message MSG1: 12 invalid value' }),
            expect.objectContaining({ code: '12', at: { position: 9, element: 2, component: 1 } }),
          ],
        },
        {
          interchangeControlNumber: '20250304001',
          messageControlNumber: 'MSG2',
          accepted: true,
          findings: [],
        },
      ],
    });
  });
});
