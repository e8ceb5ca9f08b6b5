import { readFileSync } from 'node:fs';
import { Ajv, type ErrorObject } from 'ajv';
import ajvFormats from 'ajv-formats';
import type { DocumentCommand, DocumentFormat, Finding, Interchange, Message } from '../types.ts';

/**
 * The project's own JSON document format (docs/exchange-document.schema.json): one envelope, a body per
 * document type that carries the input of the mutation it maps onto. The schema checks shape only; what a
 * value means (a known SKU, a confirmable order) is the owning subgraph's business.
 */
const SCHEMA_FILE = new URL('../../../../docs/exchange-document.schema.json', import.meta.url);
const FORMAT = 'supply-network-document';
const VERSION = '1';

// Formats are checked, not merely noted: `issuedAt: "yesterday"` is a rejection the sender can act on.
const ajv = ajvFormats.default(new Ajv({ allErrors: true, strict: false }), ['date-time', 'date']);

interface Envelope {
  documentType: string;
  documentNumber: string;
  body: Record<string, unknown>;
}

const validate = ajv.compile<Envelope>(JSON.parse(readFileSync(SCHEMA_FILE, 'utf8')) as object);

const describe = (error: ErrorObject) =>
  `${error.instancePath || '(document)'} ${error.message ?? 'is invalid'}${
    error.keyword === 'additionalProperties'
      ? `: ${String((error.params as { additionalProperty?: string }).additionalProperty)}`
      : ''
  }`;

function commandOf(envelope: Envelope): DocumentCommand | string {
  const { body, documentNumber } = envelope;
  const { orderId, ...rest } = body;
  switch (envelope.documentType) {
    case 'SalesOrder':
      return { mutation: 'placeSalesOrder', input: { externalRef: documentNumber, ...body } };
    case 'OrderConfirmation':
      return { mutation: 'confirmOrder', orderId: String(orderId), input: rest };
    case 'OrderRejection':
      return { mutation: 'rejectOrder', orderId: String(orderId), reason: String(body.reason) };
    case 'ShipNotice':
      return {
        mutation: 'shipOrder',
        orderId: String(orderId),
        input: { reference: documentNumber, ...rest },
      };
    case 'SupplierInvoice':
      return { mutation: 'submitSupplierInvoice', input: { number: documentNumber, ...body } };
    default:
      return `${envelope.documentType} is what we send, not a document the inbox takes`;
  }
}

function peek(value: unknown, key: string): string | null {
  if (value === null || typeof value !== 'object') return null;
  const field = (value as Record<string, unknown>)[key];
  return typeof field === 'string' ? field.slice(0, 64) : null;
}

const finding = (code: string, message: string): Finding => ({ severity: 'ERROR', code, message });

function readMessage(content: Buffer): Message {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(content));
  } catch (error) {
    return {
      documentType: null,
      controlNumber: null,
      body: null,
      findings: [finding('NOT_JSON', `not UTF-8 JSON: ${(error as Error).message}`)],
    };
  }
  const documentType = peek(value, 'documentType');
  const controlNumber = peek(value, 'documentNumber');
  if (!validate(value)) {
    const findings = (validate.errors ?? []).map((error) => finding('SCHEMA', describe(error)));
    return { documentType, controlNumber, body: null, findings };
  }
  const command = commandOf(value);
  if (typeof command === 'string')
    return { documentType, controlNumber, body: null, findings: [finding('NOT_INBOUND', command)] };
  return { documentType, controlNumber, body: { kind: 'command', command }, findings: [] };
}

export const jsonFormat: DocumentFormat = {
  id: 'json',
  family: 'json',
  mediaTypes: ['application/json'],
  sniff: (content) => /^\s*\{/.test(content.subarray(0, 64).toString('utf8')),
  read(content): Interchange {
    const message = readMessage(content);
    return {
      formatId: 'json',
      sender: null,
      receiver: null,
      controlNumber: message.controlNumber,
      test: false,
      findings: [],
      messages: [message],
    };
  },
  // JSON documents carry no control numbers of ours: the envelope names the answered document by its id.
  acknowledge(received, outcomes, envelope) {
    const message = received.messages[0];
    const outcome = outcomes[0];
    const findings = [...received.findings, ...(message?.findings ?? []), ...(outcome?.findings ?? [])];
    const accepted = findings.every((found) => found.severity !== 'ERROR') && (outcome?.accepted ?? false);
    return Buffer.from(
      JSON.stringify({
        format: FORMAT,
        version: VERSION,
        documentType: 'Acknowledgement',
        documentNumber: `ACK-${envelope.interchangeControlNumber}`,
        issuedAt: envelope.createdAt.toISOString(),
        body: {
          acknowledges: {
            documentId: envelope.interchangeControlNumber,
            documentType: message?.documentType ?? null,
            documentNumber: received.controlNumber,
          },
          status: accepted ? 'ACCEPTED' : 'REJECTED',
          reasons: findings.filter((found) => found.severity === 'ERROR').map((found) => found.message),
          effects: outcome?.effects ?? [],
        },
      }),
    );
  },
};
