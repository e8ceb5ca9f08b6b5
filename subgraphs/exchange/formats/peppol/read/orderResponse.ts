import type { LineResponse, OrderResponseDocument, OrderResponseLine } from '../../business.ts';
import { all, first, text, type XmlElement } from '../tree.ts';
import { FieldReader, itemOf, partyOf } from './fields.ts';

/** OrderResponseCode (UNCL 4343 subset of Peppol T76). */
export const RESPONSE_CODES: Record<string, OrderResponseDocument['status']> = {
  AP: 'ACCEPTED',
  CA: 'CHANGED',
  RE: 'REJECTED',
};

/** LineStatusCode (UNCL 1229 subset): 5 accepted, 3 changed, 7 not accepted. */
export const LINE_STATUS_CODES: Record<string, LineResponse> = {
  '5': 'ACCEPTED',
  '3': 'CHANGED',
  '7': 'REJECTED',
};

/** A rejected line may carry no quantity; it then commits to none of the unit "one". */
const NOTHING = { quantity: '0', unit: { code: 'C62', codeList: 'REC20' as const } };

/** Peppol Order Response (T76) → OrderResponse. */
export function readOrderResponse(root: XmlElement, fields: FieldReader): OrderResponseDocument {
  const lines: OrderResponseLine[] = [];
  for (const orderLine of all(root, 'OrderLine')) {
    const item = first(orderLine, 'LineItem');
    const status = fields.code(item, 'LineStatusCode', LINE_STATUS_CODES, 'LineStatusCode') ?? 'ACCEPTED';
    const hasQuantity = text(item, 'Quantity') !== undefined;
    // An accepted line without a quantity is accepted as ordered, which is what leaving it out means.
    if (status === 'ACCEPTED' && !hasQuantity) continue;
    if (status === 'CHANGED' && !hasQuantity) {
      // A substitution or a note without a new quantity: the quantity stands as ordered.
      fields.warn(
        'QUANTITY_AS_ORDERED',
        'Changed line without Quantity: taken as accepted with the ordered quantity',
        orderLine.path,
      );
      continue;
    }
    const committed = status === 'REJECTED' && !hasQuantity ? NOTHING : fields.quantity(item, 'Quantity');
    const answered = first(orderLine, 'OrderLineReference')
      ? fields.lineNumber(orderLine, 'OrderLineReference/LineID')
      : fields.lineNumber(item, 'ID');
    const date =
      fields.date(item, 'Delivery/PromisedDeliveryPeriod/EndDate') ??
      fields.date(item, 'Delivery/PromisedDeliveryPeriod/StartDate');
    lines.push({
      lineNo: answered,
      status,
      item: itemOf(first(item, 'Item')),
      ...committed,
      ...(date === undefined ? {} : { date }),
      at: { segment: 'OrderLine', path: orderLine.path },
    });
  }
  const note = text(root, 'Note');
  const sellerOrderNumber = text(root, 'SalesOrderID');
  return {
    kind: 'OrderResponse',
    number: fields.required(root, 'ID'),
    orderNumber: fields.required(root, 'OrderReference/ID'),
    issueDate: fields.date(root, 'IssueDate', true),
    status: fields.code(root, 'OrderResponseCode', RESPONSE_CODES, 'OrderResponseCode') ?? 'REJECTED',
    ...(note === undefined ? {} : { note }),
    ...(sellerOrderNumber === undefined ? {} : { sellerOrderNumber }),
    buyer: partyOf(first(root, 'BuyerCustomerParty/Party')),
    seller: partyOf(first(root, 'SellerSupplierParty/Party')),
    lines,
  };
}
