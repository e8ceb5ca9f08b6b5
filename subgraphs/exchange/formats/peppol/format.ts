import type { BusinessDocument } from '../business.ts';
import type { DocumentFormat, OutboundEnvelope } from '../types.ts';
import { acknowledgePeppol } from './acknowledge.ts';
import { UBL_NAMESPACE_PREFIX } from './documents.ts';
import { FORMAT_ID, readPeppol, type ReadOptions } from './read.ts';
import { writeDespatchAdvice } from './write/despatchAdvice.ts';
import { writeInvoice } from './write/invoice.ts';
import { writeOrder } from './write/order.ts';
import { writeOrderResponse } from './write/orderResponse.ts';

/** Peppol BIS 3 identifies itself in the first lines: a UBL root and a Peppol or EN 16931 customization. */
function sniffPeppol(content: Buffer): boolean {
  const head = content.subarray(0, 4096).toString('utf8');
  return head.includes(UBL_NAMESPACE_PREFIX) && /urn:fdc:peppol\.eu|urn:cen\.eu:en16931/.test(head);
}

function writePeppol(document: BusinessDocument, envelope: OutboundEnvelope): Buffer {
  switch (document.kind) {
    case 'PurchaseOrder':
      return writeOrder(document, envelope);
    case 'OrderResponse':
      return writeOrderResponse(document, envelope);
    case 'DespatchAdvice':
      return writeDespatchAdvice(document, envelope);
    case 'Invoice':
      return writeInvoice(document, envelope);
  }
}

/** Peppol BIS 3 on UBL 2.1: Order, Order Response, Despatch Advice, Invoice and Credit Note, MLR. */
export function peppolFormat(options: ReadOptions = {}): DocumentFormat {
  return {
    id: FORMAT_ID,
    family: 'peppol',
    mediaTypes: ['application/xml', 'text/xml'],
    sniff: sniffPeppol,
    read: (content) => {
      try {
        return readPeppol(content, options);
      } catch (error) {
        // A validator failing on input that passed libxml2 is our bug, but the partner still gets an answer.
        const message = error instanceof Error ? error.message : String(error);
        return {
          formatId: FORMAT_ID,
          sender: null,
          receiver: null,
          controlNumber: null,
          test: false,
          findings: [
            {
              severity: 'ERROR',
              code: 'VALIDATION_FAILED',
              message: `The document could not be validated: ${message}`,
            },
          ],
          messages: [],
        };
      }
    },
    acknowledge: acknowledgePeppol,
    write: writePeppol,
  };
}
