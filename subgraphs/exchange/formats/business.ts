/**
 * The business documents every EDI family reads into and writes from. A family knows its segments and
 * elements; these types know purchase orders, confirmations, ship notices and invoices. What a document
 * means to the company (which order, which item, which unit) is resolved from them in one place
 * (`inbox/resolve.ts`), so X12, EDIFACT and UBL can never disagree about it.
 *
 * Quantities and amounts are decimal strings exactly as written on the wire (no float ever touches them);
 * dates are ISO `YYYY-MM-DD`. Every line keeps where it was read (`at`), so a finding about it can point a
 * partner's EDI analyst at the segment or the XML element.
 */

/** Where something was read: a segment and element for X12 and EDIFACT, an XPath for XML. */
export interface Location {
  /** Segment tag, such as PO1 or LIN; for XML, the element name. */
  segment?: string;
  /** 1-based position of the segment within its transaction set or message (ST/UNH counts as 1). */
  position?: number;
  /** 1-based element position within the segment. */
  element?: number;
  /** 1-based component position within a composite element. */
  component?: number;
  /** XPath of the element, for XML families. */
  path?: string;
}

export interface PartyIdentifiers {
  name?: string;
  /** GS1 Global Location Number (13 digits). */
  gln?: string;
  /** Any other identification as `qualifier:value` in the family's own code list (X12 N104 with N103). */
  ids?: string[];
  /** ISO 3166-1 alpha-2 country of the party's address: Peppol invoices require the seller's and buyer's. */
  country?: string;
}

/** How a line names the item: every code the document carries. The company's SKU is resolved from them. */
export interface ItemIdentifiers {
  /** The buyer's part number (X12 BP, EDIFACT PIA IN, UBL BuyersItemIdentification). */
  buyerPartNumber?: string;
  /** The seller's part number (X12 VP/VN, EDIFACT PIA SA, UBL SellersItemIdentification). */
  vendorPartNumber?: string;
  /** GTIN / EAN / UPC (X12 UP/EN/UK, EDIFACT LIN 7143 SRV or EN, UBL StandardItemIdentification 0160). */
  gtin?: string;
  description?: string;
}

/** A unit as the wire names it, and in which code list. */
export interface WireUnit {
  code: string;
  /** X12 element 355, or UN/ECE Recommendation 20 (EDIFACT and UBL). */
  codeList: 'X12' | 'REC20';
}

export interface PurchaseOrderLine {
  lineNo: number;
  item: ItemIdentifiers;
  quantity: string;
  unit: WireUnit;
  unitPrice?: string;
  requestedDate?: string;
  at?: Location;
}

/** 850 / ORDERS / Peppol Order: the buyer's order. */
export interface PurchaseOrderDocument {
  kind: 'PurchaseOrder';
  /** The buyer's purchase order number. */
  number: string;
  issueDate: string;
  currency: string;
  buyer: PartyIdentifiers;
  seller: PartyIdentifiers;
  requestedDate?: string;
  lines: PurchaseOrderLine[];
}

export type LineResponse = 'ACCEPTED' | 'CHANGED' | 'REJECTED';

export interface OrderResponseLine {
  /** The line of the order it answers. */
  lineNo: number;
  status: LineResponse;
  item: ItemIdentifiers;
  /** What the seller commits to deliver; 0 for a rejected line. */
  quantity: string;
  unit: WireUnit;
  /** When the seller will deliver it. */
  date?: string;
  at?: Location;
}

/** 855 / ORDRSP / Peppol Order Response: the seller's answer to an order. */
export interface OrderResponseDocument {
  kind: 'OrderResponse';
  /** The response's own number (the seller's order number when it has one). */
  number: string;
  /** The order answered: the buyer's purchase order number. */
  orderNumber: string;
  issueDate: string;
  status: 'ACCEPTED' | 'CHANGED' | 'REJECTED';
  /** Why the order, or part of it, was rejected or changed. */
  note?: string;
  /** The seller's own order number, kept as the order's external reference. */
  sellerOrderNumber?: string;
  buyer: PartyIdentifiers;
  seller: PartyIdentifiers;
  /** Lines left out are accepted as ordered. */
  lines: OrderResponseLine[];
}

export interface Lot {
  number: string;
  quantity: string;
  expiryDate?: string;
  productionDate?: string;
}

export interface DespatchLine {
  /** The order line shipped. */
  lineNo: number;
  item: ItemIdentifiers;
  quantity: string;
  unit: WireUnit;
  lots: Lot[];
  serials: string[];
  /** The package (SSCC) the line travels in, when packed. */
  packageId?: string;
  at?: Location;
}

export interface Package {
  /** SSCC-18 or the shipper's package id. */
  id: string;
  /** Package type code (X12 TD1, UN/ECE Rec 21), such as CTN or PX. */
  type?: string;
  grossWeight?: { value: string; unit: WireUnit };
}

/** 856 / DESADV / Peppol Despatch Advice: one shipment against one order. */
export interface DespatchAdviceDocument {
  kind: 'DespatchAdvice';
  /** The shipper's ship notice number. */
  number: string;
  orderNumber: string;
  issueDate: string;
  shippedAt?: string;
  expectedDeliveryDate?: string;
  carrier?: string;
  trackingNumber?: string;
  /** True when nothing more will be shipped against the order. */
  final?: boolean;
  buyer: PartyIdentifiers;
  seller: PartyIdentifiers;
  packages: Package[];
  lines: DespatchLine[];
}

export interface InvoiceLine {
  lineNo: number;
  /** The order this line bills, when it differs from the header's or the header has none. */
  orderNumber?: string;
  /** The order line billed. */
  orderLineNo: number;
  item: ItemIdentifiers;
  quantity: string;
  unit: WireUnit;
  unitPrice: string;
  /** quantity × unitPrice as printed, when printed. */
  netAmount?: string;
  /** Percent, such as "21". */
  taxRate: string;
  at?: Location;
}

/** 810 / INVOIC / Peppol Invoice and Credit Note. */
export interface InvoiceDocument {
  kind: 'Invoice';
  /** A credit note (X12 BIG07 CR, EDIFACT BGM 381, UBL CreditNote) takes quantities back. */
  creditNote: boolean;
  number: string;
  issueDate: string;
  dueDate?: string;
  currency: string;
  orderNumber?: string;
  seller: PartyIdentifiers;
  buyer: PartyIdentifiers;
  lines: InvoiceLine[];
  subtotal?: string;
  taxTotal?: string;
  total?: string;
}

export type BusinessDocument =
  PurchaseOrderDocument | OrderResponseDocument | DespatchAdviceDocument | InvoiceDocument;

export type BusinessDocumentKind = BusinessDocument['kind'];
