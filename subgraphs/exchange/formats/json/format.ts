import { readFileSync } from 'node:fs';
import { Ajv, type ErrorObject } from 'ajv';
import type { DocumentCommand, DocumentFormat, ParseResult } from '../types.ts';

/**
 * The project's own JSON document format (docs/exchange-document.schema.json): one envelope, a body per
 * document type that carries the input of the mutation it maps onto. The schema checks shape only; what a
 * value means (a known SKU, a confirmable order) is the owning subgraph's business.
 */
const SCHEMA_FILE = new URL('../../../../docs/exchange-document.schema.json', import.meta.url);
const FORMAT = 'supply-network-document';
const VERSION = '1';

const ajv = new Ajv({ allErrors: true, strict: false });

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

export const jsonFormat: DocumentFormat = {
  id: 'json',
  mediaTypes: ['application/json'],
  parse(content): ParseResult {
    let value: unknown;
    try {
      value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(content));
    } catch (error) {
      return {
        ok: false,
        documentType: null,
        controlNumber: null,
        errors: [`not UTF-8 JSON: ${(error as Error).message}`],
      };
    }
    const documentType = peek(value, 'documentType');
    const controlNumber = peek(value, 'documentNumber');
    if (!validate(value)) {
      return { ok: false, documentType, controlNumber, errors: (validate.errors ?? []).map(describe) };
    }
    const envelope = value;
    const command = commandOf(envelope);
    if (typeof command === 'string') return { ok: false, documentType, controlNumber, errors: [command] };
    return {
      ok: true,
      document: { documentType: envelope.documentType, controlNumber: envelope.documentNumber, command },
    };
  },
  acknowledgement(of, outcome) {
    return Buffer.from(
      JSON.stringify({
        format: FORMAT,
        version: VERSION,
        documentType: 'Acknowledgement',
        documentNumber: `ACK-${of.documentId}`,
        issuedAt: new Date().toISOString(),
        body: {
          acknowledges: {
            documentId: of.documentId,
            documentType: of.documentType,
            documentNumber: of.controlNumber,
          },
          status: outcome.accepted ? 'ACCEPTED' : 'REJECTED',
          reasons: outcome.reasons,
          effects: outcome.effects,
        },
      }),
    );
  },
};
