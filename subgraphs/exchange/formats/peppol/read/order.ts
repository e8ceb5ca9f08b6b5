import type { PurchaseOrderDocument, PurchaseOrderLine } from '../../business.ts';
import { all, first, text, type XmlElement } from '../tree.ts';
import { FieldReader, itemOf, partyOf } from './fields.ts';

/** Peppol Order (T01) → PurchaseOrder. */
export function readOrder(root: XmlElement, fields: FieldReader): PurchaseOrderDocument {
  const lines = all(root, 'OrderLine').map((orderLine): PurchaseOrderLine => {
    const item = first(orderLine, 'LineItem');
    const { quantity, unit } = fields.quantity(item, 'Quantity');
    const unitPrice = text(item, 'Price/PriceAmount');
    const requestedDate = deliveryDate(fields, item);
    return {
      lineNo: fields.lineNumber(item, 'ID'),
      item: itemOf(first(item, 'Item')),
      quantity,
      unit,
      ...(unitPrice === undefined ? {} : { unitPrice }),
      ...(requestedDate === undefined ? {} : { requestedDate }),
      at: { segment: 'OrderLine', path: orderLine.path },
    };
  });
  const requestedDate = deliveryDate(fields, root);
  return {
    kind: 'PurchaseOrder',
    number: fields.required(root, 'ID'),
    issueDate: fields.date(root, 'IssueDate', true),
    currency: fields.required(root, 'DocumentCurrencyCode'),
    buyer: partyOf(first(root, 'BuyerCustomerParty/Party')),
    seller: partyOf(first(root, 'SellerSupplierParty/Party')),
    ...(requestedDate === undefined ? {} : { requestedDate }),
    lines,
  };
}

/** The latest date asked for: the end of the requested delivery period, else its start. */
function deliveryDate(fields: FieldReader, parent: XmlElement | undefined): string | undefined {
  return (
    fields.date(parent, 'Delivery/RequestedDeliveryPeriod/EndDate') ??
    fields.date(parent, 'Delivery/RequestedDeliveryPeriod/StartDate')
  );
}
