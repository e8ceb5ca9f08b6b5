import Reader from 'edifact/reader.js';
import type { PurchaseOrderDocument } from '../subgraphs/exchange/formats/business.ts';
import { edifactFormat } from '../subgraphs/exchange/formats/edifact/format.ts';
import type { OutboundEnvelope } from '../subgraphs/exchange/formats/types.ts';

/**
 * `npx tsx bench/edifact.ts`: reading a 2 MB interchange of 500 ORDERS (40 lines each) to business documents,
 * against a baseline in the same run: the `edifact` package's own Reader turning the same bytes into arrays of
 * segments, with no envelope check and no mapping. Then writing ORDERS and CONTRL per second.
 */
const format = edifactFormat('D96A');
const envelope: OutboundEnvelope = {
  sender: { id: '5412345000013', qualifier: '14' },
  receiver: { id: '4012345500004', qualifier: '14' },
  interchangeControlNumber: '1',
  groupControlNumber: '1',
  messageControlNumber: '1',
  createdAt: new Date('2025-03-04T10:20:00Z'),
  test: false,
};

function order(n: number): PurchaseOrderDocument {
  return {
    kind: 'PurchaseOrder',
    number: `PO-${n}`,
    issueDate: '2025-03-04',
    currency: 'EUR',
    buyer: { gln: '5412345000013', name: 'Buyer Central Purchasing' },
    seller: { gln: '4012345500004' },
    lines: Array.from({ length: 40 }, (_, i) => ({
      lineNo: i + 1,
      item: {
        gtin: `541234510${String(i).padStart(4, '0')}`,
        description: 'Zinc plated hex bolt with washer M8',
      },
      quantity: '10',
      unit: { code: 'PCE', codeList: 'REC20' as const },
      unitPrice: '1.25',
      requestedDate: '2025-03-20',
    })),
  };
}

// One interchange of 500 messages: the message parts of 500 written ORDERS between one UNB and UNZ.
const messages = Array.from({ length: 500 }, (_, n) => {
  const text = format.write!(order(n), { ...envelope, messageControlNumber: String(n + 1) }).toString(
    'latin1',
  );
  return text.slice(text.indexOf("'UNH") + 1, text.lastIndexOf("'UNZ") + 1);
});
const content = Buffer.from(
  `UNA:+.? 'UNB+UNOC:3+5412345000013:14+4012345500004:14+250304:1020+1'${messages.join('')}UNZ+500+1'`,
  'latin1',
);

function time(rounds: number, run: () => void): number[] {
  const times: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const start = performance.now();
    run();
    times.push(performance.now() - start);
  }
  return times.sort((a, b) => a - b);
}

const median = (times: number[]) => times[Math.floor(times.length / 2)]!;

const baseline = time(7, () => new Reader({ autoDetectEncoding: true }).parse(content.toString('latin1')));
let accepted = 0;
const read = time(7, () => {
  const interchange = format.read(content);
  accepted = interchange.messages.filter((message) => message.findings.length === 0).length;
});
const mb = content.length / 1_000_000;
console.log(`interchange: ${mb.toFixed(2)} MB, 500 messages, ${accepted} read without findings`);
console.log(
  `baseline (edifact Reader to segment arrays): ${median(baseline).toFixed(0)} ms median, ${(mb / (median(baseline) / 1000)).toFixed(1)} MB/s`,
);
console.log(
  `read (syntax, envelope, mapping): ${median(read).toFixed(0)} ms median, ${(mb / (median(read) / 1000)).toFixed(1)} MB/s, ${(500 / (median(read) / 1000)).toFixed(0)} messages/s`,
);

const documents = Array.from({ length: 1000 }, (_, n) => order(n));
const [writeTime] = time(1, () => documents.forEach((document) => format.write!(document, envelope)));
console.log(`write: ${(documents.length / (writeTime! / 1000)).toFixed(0)} ORDERS of 40 lines per second`);
const received = format.read(content);
const outcomes = received.messages.map(() => ({ accepted: true, findings: [], effects: [] }));
const ack = time(7, () => format.acknowledge(received, outcomes, envelope));
console.log(`CONTRL for the 500-message interchange: ${median(ack).toFixed(1)} ms median`);
