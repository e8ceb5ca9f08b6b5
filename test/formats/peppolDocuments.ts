import type {
  DespatchAdviceDocument,
  InvoiceDocument,
  OrderResponseDocument,
  PurchaseOrderDocument,
} from '../../subgraphs/exchange/formats/business.ts';
import type { OutboundEnvelope } from '../../subgraphs/exchange/formats/types.ts';

/** Business documents as the outbox hands them to the Peppol writer, used by the Peppol format tests. */
export const envelope: OutboundEnvelope = {
  sender: { qualifier: '0088', id: '7300010000001' },
  receiver: { qualifier: '0192', id: '987654325' },
  interchangeControlNumber: 'ACK-000042',
  groupControlNumber: '42',
  messageControlNumber: '42',
  createdAt: new Date('2025-03-04T10:20:30Z'),
  test: false,
};

/** Order Response and Despatch Advice name a party by identifiers and legal name only. */
const us = { name: 'Acme Components', gln: '7300010000001', ids: ['0192:123456785'] };
const them = { name: 'Helseforetak AS', gln: '5790000435951' };
/** Orders and invoices add the address country and the VAT number. */
const usBilling = { ...us, ids: ['0192:123456785', 'VAT:NO123456785MVA'], country: 'NO' };
const themBilling = { ...them, country: 'NO' };

export const purchaseOrder: PurchaseOrderDocument = {
  kind: 'PurchaseOrder',
  number: 'PO-1001',
  issueDate: '2025-03-01',
  currency: 'NOK',
  buyer: usBilling,
  seller: themBilling,
  requestedDate: '2025-03-20',
  lines: [
    {
      lineNo: 1,
      item: {
        buyerPartNumber: 'SKU-1',
        vendorPartNumber: 'V-77',
        gtin: '7560000012345',
        description: 'Needle 4mm',
      },
      quantity: '120',
      unit: { code: 'EA', codeList: 'REC20' },
      unitPrice: '50.000',
      requestedDate: '2025-03-15',
    },
    {
      lineNo: 2,
      item: { vendorPartNumber: 'V-78', description: 'Syringe 5ml' },
      quantity: '12.5',
      unit: { code: 'KGM', codeList: 'REC20' },
    },
  ],
};

export const orderResponse: OrderResponseDocument = {
  kind: 'OrderResponse',
  number: 'SO-555',
  orderNumber: 'PO-1001',
  issueDate: '2025-03-02',
  status: 'CHANGED',
  note: 'Line 2 discontinued',
  sellerOrderNumber: 'SO-555',
  buyer: them,
  seller: us,
  lines: [
    {
      lineNo: 1,
      status: 'CHANGED',
      item: { vendorPartNumber: 'V-77', description: 'Needle 4mm' },
      quantity: '100',
      unit: { code: 'EA', codeList: 'REC20' },
      date: '2025-03-18',
    },
    {
      lineNo: 2,
      status: 'REJECTED',
      item: { vendorPartNumber: 'V-78', description: 'Syringe 5ml' },
      quantity: '0',
      unit: { code: 'KGM', codeList: 'REC20' },
    },
  ],
};

export const despatchAdvice: DespatchAdviceDocument = {
  kind: 'DespatchAdvice',
  number: 'ASN-9',
  orderNumber: 'PO-1001',
  issueDate: '2025-03-10',
  shippedAt: '2025-03-10',
  expectedDeliveryDate: '2025-03-12',
  carrier: 'Bring',
  trackingNumber: 'TRK-123',
  buyer: them,
  seller: us,
  packages: [
    {
      id: '373000100000000018',
      type: 'PX',
      grossWeight: { value: '120.5', unit: { code: 'KGM', codeList: 'REC20' } },
    },
  ],
  lines: [
    {
      lineNo: 1,
      item: { vendorPartNumber: 'V-77', gtin: '7560000012345', description: 'Needle 4mm' },
      quantity: '100',
      unit: { code: 'EA', codeList: 'REC20' },
      lots: [
        { number: 'LOT-A', quantity: '60', expiryDate: '2027-01-31', productionDate: '2025-01-02' },
        { number: 'LOT-B', quantity: '40', expiryDate: '2027-02-28' },
      ],
      serials: ['SN-1', 'SN-2'],
      packageId: '373000100000000018',
    },
    {
      lineNo: 2,
      item: { vendorPartNumber: 'V-78', description: 'Syringe 5ml' },
      quantity: '5',
      unit: { code: 'KGM', codeList: 'REC20' },
      lots: [],
      serials: [],
    },
  ],
};

export const invoice: InvoiceDocument = {
  kind: 'Invoice',
  creditNote: false,
  number: 'INV-2025-17',
  issueDate: '2025-03-11',
  dueDate: '2025-04-10',
  currency: 'NOK',
  orderNumber: 'PO-1001',
  seller: usBilling,
  buyer: themBilling,
  lines: [
    {
      lineNo: 1,
      orderLineNo: 1,
      item: { vendorPartNumber: 'V-77', gtin: '7560000012345', description: 'Needle 4mm' },
      quantity: '100',
      unit: { code: 'EA', codeList: 'REC20' },
      unitPrice: '50.00',
      netAmount: '5000.00',
      taxRate: '25',
    },
    {
      lineNo: 2,
      orderLineNo: 2,
      item: { vendorPartNumber: 'V-78', description: 'Syringe 5ml' },
      quantity: '5',
      unit: { code: 'KGM', codeList: 'REC20' },
      unitPrice: '12.10',
      netAmount: '60.50',
      taxRate: '0',
    },
  ],
  subtotal: '5060.50',
  taxTotal: '1250.00',
  total: '6310.50',
};

export const creditNote: InvoiceDocument = {
  ...invoice,
  creditNote: true,
  number: 'CN-2025-3',
  lines: [invoice.lines[0]!],
  subtotal: '5000.00',
  taxTotal: '1250.00',
  total: '6250.00',
};
