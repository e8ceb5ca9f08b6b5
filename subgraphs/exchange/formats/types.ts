/**
 * What a document asks the company to do: one of the GraphQL mutations partners may call, with its
 * arguments as the schema types them. Running it through the owning subgraph applies that subgraph's
 * checks and authorization exactly as for any other client.
 */
export type DocumentCommand =
  | { mutation: 'placeSalesOrder'; input: Record<string, unknown> }
  | { mutation: 'confirmOrder'; orderId: string; input: Record<string, unknown> }
  | { mutation: 'rejectOrder'; orderId: string; reason: string }
  | { mutation: 'shipOrder'; orderId: string; input: Record<string, unknown> }
  | { mutation: 'submitSupplierInvoice'; input: Record<string, unknown> };

export interface ParsedDocument {
  documentType: string;
  controlNumber: string;
  command: DocumentCommand;
}

/** What could be read of a document that is not valid, so the rejection can still name it. */
export interface ParseFailure {
  documentType: string | null;
  controlNumber: string | null;
  errors: string[];
}

export type ParseResult = { ok: true; document: ParsedDocument } | ({ ok: false } & ParseFailure);

export interface DocumentEffect {
  action: 'CREATED' | 'UPDATED';
  type: 'Order' | 'Shipment' | 'Invoice';
  id: string;
}

/** How a document ended: applied with its effects, or rejected with one reason per problem. */
export interface DocumentOutcome {
  accepted: boolean;
  reasons: string[];
  effects: DocumentEffect[];
}

export interface Acknowledged {
  /** Our id of the document acknowledged. */
  documentId: string;
  documentType: string | null;
  controlNumber: string | null;
}

export interface DocumentFormat {
  /** As partners name it in `submitDocument(format:)` and profiles. */
  id: string;
  /** Media types an inbound POST may declare for it; the first is what the outbox sends. */
  mediaTypes: readonly string[];
  parse(content: Buffer): ParseResult;
  acknowledgement(of: Acknowledged, outcome: DocumentOutcome): Buffer;
}
