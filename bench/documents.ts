import { parseArgs } from 'node:util';
import { signDevToken } from '../gateway/auth.ts';
import type { InvoiceDocument, PurchaseOrderDocument } from '../subgraphs/exchange/formats/business.ts';
import { requireFormat } from '../subgraphs/exchange/formats/registry.ts';
import { writeDocuments } from '../subgraphs/exchange/formats/x12/writer.ts';
import type { DocumentFormat, OutboundEnvelope } from '../subgraphs/exchange/formats/types.ts';
import { partnerParty, selfParty } from '../subgraphs/exchange/mapping/envelope.ts';
import { exchangeSettings } from '../subgraphs/exchange/settings.ts';
import { percentile } from './percentile.ts';
import { benchStack, BENCH_SECRETS } from './support.ts';

/**
 * `npm run bench:documents`: documents from receipt to effect through the real inbox (HTTP POST with the
 * partner's key, stored, read, resolved, applied by the owning subgraph, acknowledged), next to the same
 * effect through GraphQL in the same run; one 500-message interchange; outbound generation (write and read
 * back, as the outbox does) next to JSON; and reading a Peppol invoice with and without its validation.
 */
const { values } = parseArgs({
  options: {
    orders: { type: 'string', default: '200' },
    invoices: { type: 'string', default: '100' },
    messages: { type: 'string', default: '500' },
    generate: { type: 'string', default: '2000' },
  },
});
const ORDERS = Number(values.orders);
const INVOICES = Number(values.invoices);
const MESSAGES = Number(values.messages);
const GENERATE = Number(values.generate);
const CONCURRENCY = 8;

const stack = await benchStack({ seedDemo: true });
const graphqlUrl = new URL('/graphql', stack.gateway.url);
const admin = {
  authorization: `Bearer ${await signDevToken(BENCH_SECRETS.jwt, { subject: 'bench', roles: ['admin'] })}`,
};

async function gql<T>(
  headers: Record<string, string>,
  query: string,
  variables: Record<string, unknown> = {},
) {
  const response = await fetch(graphqlUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: T; errors?: { message: string }[] };
  if (body.errors?.length) throw new Error(body.errors.map((error) => error.message).join('; '));
  return body.data!;
}

const partners = await gql<{ partners: { nodes: { id: string; name: string }[] } }>(
  admin,
  '{ partners(first: 100) { nodes { id name } } }',
);
const partnerNamed = (name: string) =>
  partners.partners.nodes.find((partner) => partner.name.includes(name))!.id;
const velomarkt = partnerNamed('VeloMarkt');
const norte = partnerNamed('Norte');
const IDS = {
  [velomarkt]: {
    x12Qualifier: 'ZZ',
    x12Id: 'VELOMARKT',
    edifactQualifier: '14',
    edifactId: '4012345000016',
    peppolParticipantId: '0088:4012345000016',
  },
  [norte]: {
    x12Qualifier: 'ZZ',
    x12Id: 'NORTEEDI',
    edifactQualifier: '14',
    edifactId: '8412345000010',
    peppolParticipantId: '0088:8412345000010',
  },
};
const FORMATS = ['json', 'x12-004010', 'edifact-d96a', 'peppol-bis3'];
const keys: Record<string, string> = {};
for (const partnerId of [velomarkt, norte]) {
  await gql(
    admin,
    'mutation ($id: ID!, $input: ExchangeProfileInput!) { setExchangeProfile(partnerId: $id, input: $input) { profile { formats } } }',
    {
      id: partnerId,
      input: { formats: FORMATS, identifiers: IDS[partnerId] },
    },
  );
  keys[partnerId] = (
    await gql<{ createApiKey: { secret: string } }>(
      admin,
      'mutation ($id: ID!) { createApiKey(partnerId: $id, name: "bench") { secret } }',
      { id: partnerId },
    )
  ).createApiKey.secret;
}

let control = 100_000;
function envelope(format: DocumentFormat, partnerId: string): OutboundEnvelope {
  control += 1;
  return {
    sender: partnerParty(format.family, IDS[partnerId]!)!,
    receiver: selfParty(format.family, exchangeSettings())!,
    interchangeControlNumber: String(control).padStart(9, '0'),
    groupControlNumber: String(control),
    messageControlNumber: String(control).padStart(4, '0'),
    createdAt: new Date(),
    test: false,
  };
}

const today = new Date().toISOString().slice(0, 10);
const customerOrder = (n: number, unitList: 'X12' | 'REC20'): PurchaseOrderDocument => ({
  kind: 'PurchaseOrder',
  number: `BENCH-${n}-${control}`,
  issueDate: today,
  currency: 'EUR',
  buyer: { name: 'VeloMarkt', country: 'DE' },
  seller: { name: 'The company', country: 'ES' },
  lines: [
    {
      lineNo: 1,
      item: { vendorPartNumber: 'BIKE-TRAIL-29' },
      quantity: '1',
      unit: { code: 'EA', codeList: unitList },
    },
    {
      lineNo: 2,
      item: { vendorPartNumber: 'WHEEL-29' },
      quantity: '2',
      unit: { code: 'EA', codeList: unitList },
    },
  ],
});

function report(label: string, count: number, seconds: number, latencies: number[]) {
  const sorted = [...latencies].sort((a, b) => a - b);
  console.log(
    `${label.padEnd(58)} ${(count / seconds).toFixed(1).padStart(9)}/s  p50 ${(percentile(sorted, 0.5) ?? NaN).toFixed(0).padStart(6)} ms  p99 ${(percentile(sorted, 0.99) ?? NaN).toFixed(0).padStart(6)} ms`,
  );
}

async function inParallel(
  count: number,
  work: (n: number) => Promise<number>,
): Promise<{ seconds: number; latencies: number[] }> {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < count) latencies.push(await work(next++));
    }),
  );
  return { seconds: (performance.now() - started) / 1_000, latencies };
}

async function waitProcessed(ids: string[]): Promise<Map<string, number>> {
  for (;;) {
    const { rows } = await stack.db.query<{ id: string; status: string; ms: string; reasons: string[] }>(
      `SELECT id, status, reasons, extract(epoch FROM processed_at - received_at) * 1000 AS ms FROM exchange.document WHERE id = ANY($1::text[])`,
      [ids],
    );
    if (rows.every((row) => row.status !== 'RECEIVED')) {
      const rejected = rows.filter((row) => row.status === 'REJECTED');
      if (rejected.length > 0)
        throw new Error(
          `${rejected.length} documents were rejected, e.g. ${rejected[0]!.reasons.join('; ')}`,
        );
      return new Map(rows.map((row) => [row.id, Number(row.ms)]));
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function post(partnerId: string, format: DocumentFormat, content: Buffer): Promise<string> {
  const response = await fetch(new URL(`/exchange/inbound?format=${format.id}`, stack.gateway.url), {
    method: 'POST',
    headers: { 'content-type': format.mediaTypes[0]!, 'x-api-key': keys[partnerId]! },
    body: content,
  });
  if (response.status !== 202)
    throw new Error(`inbound answered ${response.status}: ${await response.text()}`);
  return ((await response.json()) as { id: string }).id;
}

/** Posts every document, then waits: throughput from the first POST to the last effect, latency per document. */
async function inbound(label: string, partnerId: string, format: DocumentFormat, documents: Buffer[]) {
  const started = performance.now();
  const ids: string[] = [];
  await inParallel(documents.length, async (n) => {
    ids.push(await post(partnerId, format, documents[n]!));
    return 0;
  });
  const latencies = await waitProcessed(ids);
  report(label, documents.length, (performance.now() - started) / 1_000, [...latencies.values()]);
}

console.log(`\n${'documents, receipt to effect'.padEnd(58)} ${'rate'.padStart(11)}`);
const x12 = requireFormat('x12-004010');
const peppol = requireFormat('peppol-bis3');

// Sales orders: through GraphQL (the baseline), then by 850 and by Peppol Order.
const asCustomer = { 'x-api-key': keys[velomarkt]! };
const direct = await inParallel(ORDERS, async (n) => {
  const t0 = performance.now();
  await gql(
    asCustomer,
    'mutation ($input: PlaceSalesOrderInput!) { placeSalesOrder(input: $input) { id } }',
    {
      input: {
        currency: 'EUR',
        externalRef: `GQL-${n}`,
        lines: [
          { sku: 'BIKE-TRAIL-29', quantity: '1' },
          { sku: 'WHEEL-29', quantity: '2' },
        ],
      },
    },
  );
  return performance.now() - t0;
});
report(
  `placeSalesOrder by GraphQL (baseline), ${CONCURRENCY} clients`,
  ORDERS,
  direct.seconds,
  direct.latencies,
);
await inbound(
  '850 in, one order per interchange',
  velomarkt,
  x12,
  Array.from({ length: ORDERS }, (_, n) => x12.write!(customerOrder(n, 'X12'), envelope(x12, velomarkt))),
);
await inbound(
  'Peppol Order in',
  velomarkt,
  peppol,
  Array.from({ length: ORDERS }, (_, n) =>
    peppol.write!(customerOrder(n + ORDERS, 'REC20'), envelope(peppol, velomarkt)),
  ),
);

// One interchange of many 850s: each message decided on its own, in one pass.
{
  const content = writeDocuments(
    Array.from({ length: MESSAGES }, (_, n) => customerOrder(n + 10 * ORDERS, 'X12')),
    envelope(x12, velomarkt),
    '004010',
  );
  const started = performance.now();
  const id = await post(velomarkt, x12, content);
  await waitProcessed([id]);
  const seconds = (performance.now() - started) / 1_000;
  console.log(
    `${`one 850 interchange of ${MESSAGES} orders (${(content.length / 1024).toFixed(0)} KiB)`.padEnd(58)} ${(MESSAGES / seconds).toFixed(1).padStart(9)}/s  total ${seconds.toFixed(1)} s`,
  );
}

// Supplier invoices against one purchase order received in full: by GraphQL, then as Peppol invoices.
const buyer = admin;
const asSupplier = { 'x-api-key': keys[norte]! };
const { createPurchaseOrder: po } = await gql<{ createPurchaseOrder: { id: string; number: string } }>(
  buyer,
  'mutation ($input: CreatePurchaseOrderInput!) { createPurchaseOrder(input: $input) { id number } }',
  {
    input: {
      supplierId: norte,
      currency: 'EUR',
      lines: [{ sku: 'TYRE-29', quantity: '100000', unitPrice: { amount: '30.00', currency: 'EUR' } }],
    },
  },
);
await gql(buyer, 'mutation ($id: ID!) { submitOrder(id: $id) { id } }', { id: po.id });
await gql(asSupplier, 'mutation ($id: ID!) { confirmOrder(id: $id) { id } }', { id: po.id });
const { shipOrder: shipment } = await gql<{ shipOrder: { id: string } }>(
  asSupplier,
  'mutation ($id: ID!, $input: ShipOrderInput!) { shipOrder(id: $id, input: $input) { id } }',
  { id: po.id, input: { lines: [{ lineNo: 1, quantity: '100000' }] } },
);
await gql(buyer, 'mutation ($id: ID!) { receiveShipment(shipmentId: $id) { id } }', { id: shipment.id });
await stack.settled();
const directInvoices = await inParallel(INVOICES, async (n) => {
  const t0 = performance.now();
  await gql(
    asSupplier,
    'mutation ($input: SupplierInvoiceInput!) { submitSupplierInvoice(input: $input) { id } }',
    {
      input: {
        number: `GQL-INV-${n}`,
        currency: 'EUR',
        lines: [{ orderId: po.id, lineNo: 1, quantity: '1', unitPrice: '30.00', taxRate: '21' }],
      },
    },
  );
  return performance.now() - t0;
});
report(
  `submitSupplierInvoice by GraphQL (baseline), ${CONCURRENCY} clients`,
  INVOICES,
  directInvoices.seconds,
  directInvoices.latencies,
);
const peppolInvoice = (n: number): InvoiceDocument => ({
  kind: 'Invoice',
  creditNote: false,
  number: `PEPPOL-INV-${n}`,
  issueDate: today,
  dueDate: today,
  currency: 'EUR',
  orderNumber: po.number,
  seller: { name: 'Norte', country: 'ES', ids: ['VAT:ESB12345674'] },
  buyer: { name: 'The company', country: 'ES' },
  lines: [
    {
      lineNo: 1,
      orderLineNo: 1,
      item: { buyerPartNumber: 'TYRE-29' },
      quantity: '1',
      unit: { code: 'EA', codeList: 'REC20' },
      unitPrice: '30.00',
      netAmount: '30.00',
      taxRate: '21',
    },
  ],
  subtotal: '30.00',
  taxTotal: '6.30',
  total: '36.30',
});
await inbound(
  'Peppol Invoice in (XSD and Schematron checked)',
  norte,
  peppol,
  Array.from({ length: INVOICES }, (_, n) => peppol.write!(peppolInvoice(n), envelope(peppol, norte))),
);

// Outbound: write and read back, as the outbox does before a document may leave.
console.log(`\n${'outbound generation, write + read back'.padEnd(58)} ${'rate'.padStart(11)}`);
const outboundOrder: PurchaseOrderDocument = {
  ...customerOrder(0, 'X12'),
  lines: Array.from({ length: 5 }, (_, i) => ({
    lineNo: i + 1,
    item: { buyerPartNumber: `SKU-${i}`, vendorPartNumber: `V-${i}` },
    quantity: '12.5',
    unit: { code: 'EA', codeList: 'X12' as const },
    unitPrice: '10.25',
  })),
};
function generation(label: string, once: () => void) {
  const latencies: number[] = [];
  const started = performance.now();
  for (let n = 0; n < GENERATE; n += 1) {
    const t0 = performance.now();
    once();
    latencies.push(performance.now() - t0);
  }
  const seconds = (performance.now() - started) / 1_000;
  const sorted = latencies.sort((a, b) => a - b);
  console.log(
    `${label.padEnd(58)} ${(GENERATE / seconds).toFixed(0).padStart(9)}/s  p50 ${(percentile(sorted, 0.5) ?? NaN).toFixed(3)} ms  p99 ${(percentile(sorted, 0.99) ?? NaN).toFixed(3)} ms`,
  );
}
generation('JSON.stringify + JSON.parse (baseline)', () => {
  JSON.parse(JSON.stringify(outboundOrder));
});
for (const id of ['x12-004010', 'edifact-d96a', 'peppol-bis3']) {
  const format = requireFormat(id);
  const document =
    format.family === 'x12'
      ? outboundOrder
      : {
          ...outboundOrder,
          lines: outboundOrder.lines.map((line) => ({
            ...line,
            unit: { code: 'EA', codeList: 'REC20' as const },
          })),
        };
  const env = envelope(format, velomarkt);
  generation(`850 / ORDERS / Order, 5 lines: ${id}`, () => format.read(format.write!(document, env)));
}
{
  const invoice = peppol.write!(peppolInvoice(0), envelope(peppol, norte));
  generation('Peppol Invoice read (parse, XSD, Schematron)', () => peppol.read(invoice));
}

await stack.stopAll();
