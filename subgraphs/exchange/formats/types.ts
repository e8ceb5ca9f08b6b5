import type { BusinessDocument, Location } from './business.ts';

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

/**
 * One problem found in a document, precise enough for a partner's EDI analyst to fix it: where (segment,
 * position, element), what (a stable code: an X12 or EDIFACT syntax error code, a Schematron rule id, or
 * one of ours such as UNKNOWN_ITEM), and the value found.
 */
export interface Finding {
  severity: 'ERROR' | 'WARNING';
  code: string;
  message: string;
  at?: Location;
  value?: string;
}

/** How a party names itself on the wire: ISA05/06, UNB 0004 with 0007, a Peppol endpoint scheme and id. */
export interface WireParty {
  qualifier?: string;
  id: string;
}

/** A received acknowledgement's verdict on one of our messages (997 AK2/AK5, CONTRL UCM, MLR). */
export interface ReceivedVerdict {
  /** The interchange control number of ours it answers (ISA13, UNB 0020, the UBL document ID). */
  interchangeControlNumber: string;
  /** The message answered within it (ST02, UNH 0062), when the acknowledgement names one. */
  messageControlNumber?: string;
  accepted: boolean;
  findings: Finding[];
}

export type MessageBody =
  /** A business document of an EDI family: resolved to a command in `inbox/resolve.ts`. */
  | { kind: 'business'; document: BusinessDocument }
  /** The project's own JSON documents name their command directly. */
  | { kind: 'command'; command: DocumentCommand }
  /** An acknowledgement of documents we sent. */
  | { kind: 'acknowledgement'; verdicts: ReceivedVerdict[] };

/** One transaction set (ST..SE), message (UNH..UNT) or XML document within an interchange. */
export interface Message {
  /** As the family names it: 850, ORDERS, Order, Invoice, 997. */
  documentType: string | null;
  /** ST02, UNH 0062, or the XML document's ID. */
  controlNumber: string | null;
  /** The functional group it came in (X12 GS), which the acknowledgement answers group by group. */
  group?: { functionalId: string; controlNumber: string; version: string };
  /** Null when the message could not be read; its findings say why. */
  body: MessageBody | null;
  /** Problems of this message only; any ERROR rejects it (and only it). */
  findings: Finding[];
}

/** A received document as its family reads it: the envelope and each message in it. */
export interface Interchange {
  /** The format id the content was read as, such as x12-004010 (a family detects its version). */
  formatId: string;
  sender: WireParty | null;
  receiver: WireParty | null;
  /** ISA13, UNB 0020, the XML document's ID, the JSON documentNumber. */
  controlNumber: string | null;
  /** True when the sender marked it a test interchange (ISA15 T, UNB 0035 1). */
  test: boolean;
  /** When the sender stamped the envelope, ISO `YYYY-MM-DDTHH:MM` (ISA09/ISA10, UNB S004): a TA1 repeats it. */
  preparedAt?: string;
  /** Envelope problems: any ERROR rejects every message in it. */
  findings: Finding[];
  messages: Message[];
}

export interface DocumentEffect {
  action: 'CREATED' | 'UPDATED';
  type: 'Order' | 'Shipment' | 'Invoice';
  id: string;
}

/** How one message ended: applied with its effects, or rejected with its findings. */
export interface MessageOutcome {
  accepted: boolean;
  findings: Finding[];
  effects: DocumentEffect[];
}

/** The envelope of a document we write: who to whom, and its control numbers (never repeated). */
export interface OutboundEnvelope {
  sender: WireParty;
  receiver: WireParty;
  /** ISA13 / UNB 0020 / the UBL document's own envelope id: at most 9 digits for X12, 14 characters for EDIFACT. */
  interchangeControlNumber: string;
  /** GS06 / the message reference (ST02, UNH 0062). */
  groupControlNumber: string;
  messageControlNumber: string;
  createdAt: Date;
  test: boolean;
}

export interface DocumentFormat {
  /** As profiles and `submitDocument(format:)` name it: json, x12-004010, edifact-d96a, peppol-bis3. */
  id: string;
  /** Several ids (versions) share a family; a partner may post to the family and the version is read. */
  family: 'json' | 'x12' | 'edifact' | 'peppol';
  /** Media types an inbound POST may declare for it; the first is what the outbox sends. */
  mediaTypes: readonly string[];
  /** Whether these bytes look like this format and version (used when a partner names only the family). */
  sniff(content: Buffer): boolean;
  /** Never throws on bad input: what cannot be read becomes findings. */
  read(content: Buffer): Interchange;
  /** The acknowledgement of a received interchange (997/999, CONTRL, MLR), one verdict per message. */
  acknowledge(received: Interchange, outcomes: MessageOutcome[], envelope: OutboundEnvelope): Buffer;
  /** Writes a business document we send; absent for formats that only receive. */
  write?(document: BusinessDocument, envelope: OutboundEnvelope): Buffer;
}
