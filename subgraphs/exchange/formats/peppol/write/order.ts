import { Decimal } from 'decimal.js';
import type { PurchaseOrderDocument } from '../../business.ts';
import type { OutboundEnvelope } from '../../types.ts';
import { amount, cac, cbc, item, party, quantity, serialize, ublDocument } from './xml.ts';

/** T01 requires the seller's postal address (PEPPOL-T01-B07202) and carries VAT numbers. */
const T01_PARTY = { address: true, taxScheme: true, legalEntity: true };

/** PurchaseOrder → Peppol Order (T01), from the buyer (our) endpoint to the seller's. */
export function writeOrder(order: PurchaseOrderDocument, envelope: OutboundEnvelope): Buffer {
  const root = ublDocument('Order');
  cbc(root, 'CustomizationID', 'urn:fdc:peppol.eu:poacc:trns:order:3');
  cbc(root, 'ProfileID', 'urn:fdc:peppol.eu:poacc:bis:ordering:3');
  cbc(root, 'ID', order.number);
  cbc(root, 'IssueDate', order.issueDate);
  cbc(root, 'DocumentCurrencyCode', order.currency);
  party(cac(root, 'BuyerCustomerParty'), order.buyer, envelope.sender, T01_PARTY);
  party(cac(root, 'SellerSupplierParty'), order.seller, envelope.receiver, T01_PARTY);
  if (order.requestedDate !== undefined) {
    cbc(cac(cac(root, 'Delivery'), 'RequestedDeliveryPeriod'), 'EndDate', order.requestedDate);
  }
  for (const line of order.lines) {
    const lineItem = cac(cac(root, 'OrderLine'), 'LineItem');
    cbc(lineItem, 'ID', String(line.lineNo));
    quantity(lineItem, 'Quantity', line.quantity, line.unit);
    // PEPPOL-T01-R024: a priced line states its net amount, quantity × price.
    if (line.unitPrice !== undefined) {
      const net = new Decimal(line.quantity).times(line.unitPrice).toFixed(2);
      amount(lineItem, 'LineExtensionAmount', net, order.currency);
    }
    if (line.requestedDate !== undefined) {
      cbc(cac(cac(lineItem, 'Delivery'), 'RequestedDeliveryPeriod'), 'EndDate', line.requestedDate);
    }
    if (line.unitPrice !== undefined)
      amount(cac(lineItem, 'Price'), 'PriceAmount', line.unitPrice, order.currency);
    item(lineItem, line.item);
  }
  return serialize(root);
}
