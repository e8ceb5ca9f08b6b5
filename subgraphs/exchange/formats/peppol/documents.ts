import type { RuleSetId } from './schematron/ruleSets.ts';

/** A Peppol document type we read: its UBL root, its XSD, its rules, and which party sends it. */
export interface PeppolDocumentType {
  /** As Message.documentType names it. */
  name: string;
  root: string;
  ruleSet: RuleSetId;
  /** The parties whose EndpointID is the sender's and the receiver's, as paths from the root. */
  sender: string;
  receiver: string;
}

const ORDER: PeppolDocumentType = {
  name: 'Order',
  root: 'Order',
  ruleSet: 'order',
  sender: 'BuyerCustomerParty/Party',
  receiver: 'SellerSupplierParty/Party',
};
const ORDER_RESPONSE: PeppolDocumentType = {
  name: 'OrderResponse',
  root: 'OrderResponse',
  ruleSet: 'orderResponse',
  sender: 'SellerSupplierParty/Party',
  receiver: 'BuyerCustomerParty/Party',
};
const DESPATCH_ADVICE: PeppolDocumentType = {
  name: 'DespatchAdvice',
  root: 'DespatchAdvice',
  ruleSet: 'despatchAdvice',
  sender: 'DespatchSupplierParty/Party',
  receiver: 'DeliveryCustomerParty/Party',
};
const BILLING = {
  ruleSet: 'invoice',
  sender: 'AccountingSupplierParty/Party',
  receiver: 'AccountingCustomerParty/Party',
} as const;
const INVOICE: PeppolDocumentType = { name: 'Invoice', root: 'Invoice', ...BILLING };
const CREDIT_NOTE: PeppolDocumentType = { name: 'CreditNote', root: 'CreditNote', ...BILLING };
const RESPONSE = { root: 'ApplicationResponse', sender: 'SenderParty', receiver: 'ReceiverParty' } as const;
export const MLR: PeppolDocumentType = { name: 'MessageLevelResponse', ruleSet: 'mlr', ...RESPONSE };
export const INVOICE_RESPONSE: PeppolDocumentType = {
  name: 'InvoiceResponse',
  ruleSet: 'invoiceResponse',
  ...RESPONSE,
};

const BY_ROOT = new Map(
  [ORDER, ORDER_RESPONSE, DESPATCH_ADVICE, INVOICE, CREDIT_NOTE].map((type) => [type.root, type]),
);

export const SUPPORTED =
  'Order, OrderResponse, DespatchAdvice, Invoice, CreditNote, ApplicationResponse (MLR, Invoice Response)';

export const UBL_NAMESPACE_PREFIX = 'urn:oasis:names:specification:ubl:schema:xsd:';

/** The type of a document by its root element, namespace and (for ApplicationResponse) CustomizationID. */
export function documentTypeOf(
  root: string,
  namespace: string | undefined,
  customization: string | undefined,
) {
  if (namespace !== `${UBL_NAMESPACE_PREFIX}${root}-2`) return undefined;
  if (root === 'ApplicationResponse') {
    if (customization?.includes(':invoice_response:')) return INVOICE_RESPONSE;
    return MLR;
  }
  return BY_ROOT.get(root);
}
