import { expect } from 'vitest';
import type { BusinessDocument } from '../../subgraphs/exchange/formats/business.ts';
import { requireFormat } from '../../subgraphs/exchange/formats/registry.ts';
import type {
  DocumentFormat,
  Interchange,
  OutboundEnvelope,
  WireParty,
} from '../../subgraphs/exchange/formats/types.ts';
import { exchangeSettings } from '../../subgraphs/exchange/settings.ts';
import { partnerParty, selfParty } from '../../subgraphs/exchange/mapping/envelope.ts';
import type { WireIdentifiers } from '../../subgraphs/exchange/store/profiles.ts';
import { DOCUMENT, DOCUMENTS, type DocumentView } from './exchange.ts';
import type { Caller } from './orders.ts';
import type { TestStack } from './stack.ts';

/** Waits for `read` to give a value `done` accepts; the test's timeout bounds it. */
export async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/**
 * A partner's EDI system on the other side of the inbox: it writes its documents in its format with its
 * own identifiers and control numbers, posts them with its API key, and reads what the company sends it.
 */
/** One sequence for every partner in a run, so no two test documents share a control number by accident. */
let control = 7000;

export class PartnerEdi {
  readonly format: DocumentFormat;

  constructor(
    private readonly stack: TestStack,
    formatId: string,
    readonly identifiers: WireIdentifiers,
    private readonly apiKey: string,
    readonly as: Caller,
  ) {
    this.format = requireFormat(formatId);
  }

  private party(): WireParty {
    const party = partnerParty(this.format.family, this.identifiers);
    if (!party) throw new Error(`no ${this.format.family} identifiers for the partner`);
    return party;
  }

  envelope(overrides: Partial<OutboundEnvelope> = {}): OutboundEnvelope {
    control += 1;
    return {
      sender: this.party(),
      receiver: selfParty(this.format.family, exchangeSettings())!,
      interchangeControlNumber: String(control).padStart(9, '0'),
      groupControlNumber: String(control),
      messageControlNumber: String(control).padStart(4, '0'),
      createdAt: new Date(),
      test: false,
      ...overrides,
    };
  }

  write(document: BusinessDocument, overrides: Partial<OutboundEnvelope> = {}): Buffer {
    return this.format.write!(document, this.envelope(overrides));
  }

  post(content: Buffer | string, format: string = this.format.family): Promise<Response> {
    return fetch(new URL(`/exchange/inbound?format=${format}`, this.stack.gateway.url), {
      method: 'POST',
      headers: { 'content-type': this.format.mediaTypes[0]!, 'x-api-key': this.apiKey },
      body: content,
    });
  }

  /** Posts and waits until the inbox decided the document. */
  async send(content: Buffer | string): Promise<DocumentView> {
    const response = await this.post(content);
    expect(response.status).toBe(202);
    const { id } = (await response.json()) as { id: string };
    return this.decided(id);
  }

  decided(id: string): Promise<DocumentView> {
    return eventually(
      async () => (await this.as.ok<{ document: DocumentView }>(DOCUMENT, { id })).document,
      (document) => document.status !== 'RECEIVED' && document.acknowledgement !== null,
    );
  }

  /** What our acknowledgement of an inbound document says, read as the partner's system reads it. */
  acknowledgementOf(document: DocumentView): Interchange {
    return this.format.read(Buffer.from(document.acknowledgement!.content, 'base64'));
  }

  /** The next outbound business document of a kind the company owes it, read back. */
  async nextOutbound(kind: BusinessDocument['kind'], after: ReadonlySet<string>) {
    const found = await eventually(
      async () =>
        (
          await this.as.ok<{ documents: { nodes: DocumentView[] } }>(DOCUMENTS, { direction: 'OUTBOUND' })
        ).documents.nodes.filter((document) => document.documentType === kind && !after.has(document.id)),
      (documents) => documents.length > 0,
    );
    const view = found[found.length - 1]!;
    // Written, read back by our own validators, and released: not HELD.
    expect({ status: view.status, reasons: view.reasons }).toEqual({ status: 'PENDING', reasons: [] });
    const interchange = this.format.read(Buffer.from(view.content, 'base64'));
    const body = interchange.messages[0]?.body;
    if (body?.kind !== 'business')
      throw new Error(`outbound ${kind} did not read back: ${JSON.stringify(interchange.findings)}`);
    return { view, interchange, document: body.document };
  }
}

/** Every verdict of an acknowledgement, as booleans: one per message it answers. */
export function verdictsOf(acknowledgement: Interchange): boolean[] {
  return acknowledgement.messages.flatMap((message) =>
    message.body?.kind === 'acknowledgement' ? message.body.verdicts.map((verdict) => verdict.accepted) : [],
  );
}
