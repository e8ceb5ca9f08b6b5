import type { LineResponse, OrderResponseDocument } from '../../business.ts';
import type { OutboundEnvelope } from '../../types.ts';
import { cac, cbc, item, party, quantity, serialize, ublDocument } from './xml.ts';

/** T76 names a party only in PartyLegalEntity (PEPPOL-T76-B01502: no PartyName). */
const T76_PARTY = { legalEntity: true, partyName: false };

const LINE_STATUS: Record<LineResponse, string> = { ACCEPTED: '5', CHANGED: '3', REJECTED: '7' };

/**
 * The BIS carries no amounts in a response, yet requires a document currency; ours are quoted in euro
 * unless the order said otherwise, which the response does not repeat.
 */
const RESPONSE_CURRENCY = 'EUR';

/**
 * OrderResponse → Peppol Order Response (T76). The BIS allows order lines only under CA (PEPPOL-T76-R002
 * and R003), so an acceptance with any changed or rejected line is sent as CA, and AP and RE carry none.
 */
export function writeOrderResponse(response: OrderResponseDocument, envelope: OutboundEnvelope): Buffer {
  const changed = response.status !== 'REJECTED' && response.lines.some((line) => line.status !== 'ACCEPTED');
  const code = response.status === 'REJECTED' ? 'RE' : response.status === 'CHANGED' || changed ? 'CA' : 'AP';
  const root = ublDocument('OrderResponse');
  cbc(root, 'CustomizationID', 'urn:fdc:peppol.eu:poacc:trns:order_response:3');
  cbc(root, 'ProfileID', 'urn:fdc:peppol.eu:poacc:bis:ordering:3');
  cbc(root, 'ID', response.number);
  if (response.sellerOrderNumber !== undefined) cbc(root, 'SalesOrderID', response.sellerOrderNumber);
  cbc(root, 'IssueDate', response.issueDate);
  cbc(root, 'OrderResponseCode', code);
  if (response.note !== undefined) cbc(root, 'Note', response.note);
  cbc(root, 'DocumentCurrencyCode', RESPONSE_CURRENCY);
  cbc(cac(root, 'OrderReference'), 'ID', response.orderNumber);
  party(cac(root, 'SellerSupplierParty'), response.seller, envelope.sender, T76_PARTY);
  party(cac(root, 'BuyerCustomerParty'), response.buyer, envelope.receiver, T76_PARTY);
  if (code !== 'CA') return serialize(root);
  for (const line of response.lines) {
    const orderLine = cac(root, 'OrderLine');
    const lineItem = cac(orderLine, 'LineItem');
    cbc(lineItem, 'ID', String(line.lineNo));
    cbc(lineItem, 'LineStatusCode', LINE_STATUS[line.status]);
    quantity(lineItem, 'Quantity', line.quantity, line.unit);
    if (line.date !== undefined)
      cbc(cac(cac(lineItem, 'Delivery'), 'PromisedDeliveryPeriod'), 'EndDate', line.date);
    item(lineItem, line.item);
    cbc(cac(orderLine, 'OrderLineReference'), 'LineID', String(line.lineNo));
  }
  return serialize(root);
}
