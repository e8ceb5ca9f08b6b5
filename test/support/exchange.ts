import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

export interface ReceivedWebhook {
  id: string;
  type: string;
  cursor: string | null;
  contentType: string;
  body: string;
  signatures: string[];
}

/**
 * A partner's webhook receiver on loopback, as a partner would write one: it verifies each request with
 * the Standard Webhooks verifier, keeps what it accepts, and deduplicates by `webhook-id`. `answer`
 * chooses the status for a request (a receiver that is down, gone or slow).
 */
export class WebhookReceiver {
  readonly received: ReceivedWebhook[] = [];
  /** Unique ids in the order they first arrived. */
  readonly firstArrivals: string[] = [];
  readonly attemptsById = new Map<string, number>();
  secrets: string[] = [];
  answer: (id: string, attempt: number) => { status: number; headers?: Record<string, string> } = () => ({
    status: 200,
  });
  rejectedSignatures = 0;
  /** How long the receiver takes to answer, as a busy ERP would. */
  latencyMs = 0;
  private server: http.Server | undefined;
  private waiters: { predicate: () => boolean; resolve: () => void }[] = [];

  async start(): Promise<string> {
    this.server = http.createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () =>
        setTimeout(() => this.handle(request, Buffer.concat(chunks), response), this.latencyMs),
      );
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hooks`;
  }

  private handle(request: http.IncomingMessage, body: Buffer, response: http.ServerResponse) {
    const headers = Object.fromEntries(
      Object.entries(request.headers).map(([name, value]) => [
        name,
        Array.isArray(value) ? value.join(',') : (value ?? ''),
      ]),
    );
    const id = headers['webhook-id'] ?? '';
    const verified = this.secrets.some((secret) => {
      try {
        new Webhook(secret).verify(body.toString('utf8'), headers);
        return true;
      } catch {
        return false;
      }
    });
    if (!verified) {
      this.rejectedSignatures += 1;
      response.writeHead(401).end();
      return;
    }
    const attempt = (this.attemptsById.get(id) ?? 0) + 1;
    this.attemptsById.set(id, attempt);
    const { status, headers: extra } = this.answer(id, attempt);
    if (status >= 200 && status < 300) {
      const text = body.toString('utf8');
      let type = 'document';
      let cursor: string | null = null;
      if (headers['content-type']?.startsWith('application/json')) {
        const parsed = JSON.parse(text) as { type?: string; data?: { cursor?: string } };
        type = parsed.type ?? 'document';
        cursor = parsed.data?.cursor ?? null;
      }
      this.received.push({
        id,
        type,
        cursor,
        contentType: headers['content-type'] ?? '',
        body: text,
        signatures: (headers['webhook-signature'] ?? '').split(' '),
      });
      if (!this.firstArrivals.includes(id)) this.firstArrivals.push(id);
    }
    response.writeHead(status, extra).end();
    this.check();
  }

  private check() {
    for (const waiter of [...this.waiters]) {
      if (waiter.predicate()) {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
  }

  /** Resolves once `predicate` holds; the test's own timeout bounds the wait. */
  until(predicate: () => boolean): Promise<void> {
    if (predicate()) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ predicate, resolve }));
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

export const SET_PROFILE = `mutation ($partnerId: ID!, $input: ExchangeProfileInput!) {
  setExchangeProfile(partnerId: $partnerId, input: $input) {
    webhookSecret
    profile { channel eventTypes formats mode identifiers { gln peppolParticipantId x12Id }
      endpoint { url enabled disabledReason consecutiveFailures secrets { hint expiresAt } } } } }`;

export const DELIVERIES = `query ($partnerId: ID, $status: DeliveryStatus, $first: Int) {
  deliveries(partnerId: $partnerId, status: $status, first: $first) {
    nodes { id messageId eventType eventCursor status url partner { id }
      attempts { httpStatus latencyMs error } } } }`;

export const DOCUMENT_FIELDS = `id direction status format mediaType documentType controlNumber reasons contentHash
  size content partner { id } duplicateOf { id }
  effects { action order { id number status } shipment { id } invoice { id } }
  acknowledgement { id status content }`;

export const DOCUMENTS = `query ($direction: DocumentDirection, $partnerId: ID, $status: DocumentStatus) {
  documents(direction: $direction, partnerId: $partnerId, status: $status, first: 100) {
    nodes { ${DOCUMENT_FIELDS} } } }`;

export const DOCUMENT = `query ($id: ID!) { document(id: $id) { ${DOCUMENT_FIELDS} } }`;

export interface DocumentView {
  id: string;
  direction: string;
  status: string;
  documentType: string | null;
  controlNumber: string | null;
  reasons: string[];
  contentHash: string;
  content: string;
  duplicateOf: { id: string } | null;
  effects: {
    action: string;
    order: { id: string; number: string; status: string } | null;
    shipment: { id: string } | null;
    invoice: { id: string } | null;
  }[];
  acknowledgement: { id: string; status: string; content: string } | null;
}

export function salesOrderDocument(number: string, lines = [{ sku: 'BIKE-TRAIL-29', quantity: '2' }]) {
  return JSON.stringify({
    format: 'supply-network-document',
    version: '1',
    documentType: 'SalesOrder',
    documentNumber: number,
    body: { currency: 'EUR', lines },
  });
}
