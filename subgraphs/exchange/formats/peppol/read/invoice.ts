import type { InvoiceDocument, InvoiceLine } from '../../business.ts';
import { all, first, text, type XmlElement } from '../tree.ts';
import { FieldReader, itemOf, partyOf } from './fields.ts';

/** Peppol Invoice (T10) or Credit Note (T14) → Invoice; the root element says which. */
export function readInvoice(root: XmlElement, fields: FieldReader): InvoiceDocument {
  const creditNote = root.name === 'CreditNote';
  const lineName = creditNote ? 'CreditNoteLine' : 'InvoiceLine';
  const quantityName = creditNote ? 'CreditedQuantity' : 'InvoicedQuantity';
  const lines = all(root, lineName).map((line): InvoiceLine => {
    const { quantity, unit } = fields.quantity(line, quantityName);
    const orderNumber = text(line, 'OrderLineReference/OrderReference/ID');
    const netAmount = text(line, 'LineExtensionAmount');
    return {
      lineNo: fields.lineNumber(line, 'ID'),
      ...(orderNumber === undefined ? {} : { orderNumber }),
      orderLineNo: orderLine(fields, line),
      item: itemOf(first(line, 'Item')),
      quantity,
      unit,
      unitPrice: fields.required(line, 'Price/PriceAmount'),
      ...(netAmount === undefined ? {} : { netAmount }),
      taxRate: text(line, 'Item/ClassifiedTaxCategory/Percent') ?? '0',
      at: { segment: lineName, path: line.path },
    };
  });
  return finish(root, fields, creditNote, lines);
}

/** Invoices that do not name the order line bill the order line of the same number; said, not hidden. */
function orderLine(fields: FieldReader, line: XmlElement): number {
  if (text(line, 'OrderLineReference/LineID') !== undefined)
    return fields.lineNumber(line, 'OrderLineReference/LineID');
  fields.warn(
    'ORDER_LINE_ASSUMED',
    'OrderLineReference/LineID is missing: the line is matched to the order line with its own number',
    line.path,
  );
  return fields.lineNumber(line, 'ID');
}

function finish(
  root: XmlElement,
  fields: FieldReader,
  creditNote: boolean,
  lines: InvoiceLine[],
): InvoiceDocument {
  const dueDate = fields.date(root, 'DueDate') ?? fields.date(root, 'PaymentMeans/PaymentDueDate');
  const orderNumber = text(root, 'OrderReference/ID');
  const totals = first(root, 'LegalMonetaryTotal');
  const subtotal = text(totals, 'TaxExclusiveAmount');
  const total = text(totals, 'TaxInclusiveAmount');
  // Only the tax total in the document currency; a second TaxTotal (tax currency) has no subtotals.
  const taxTotal = text(
    all(root, 'TaxTotal').find((t) => all(t, 'TaxSubtotal').length > 0) ?? first(root, 'TaxTotal'),
    'TaxAmount',
  );
  return {
    kind: 'Invoice',
    creditNote,
    number: fields.required(root, 'ID'),
    issueDate: fields.date(root, 'IssueDate', true),
    ...(dueDate === undefined ? {} : { dueDate }),
    currency: fields.required(root, 'DocumentCurrencyCode'),
    ...(orderNumber === undefined ? {} : { orderNumber }),
    seller: partyOf(first(root, 'AccountingSupplierParty/Party')),
    buyer: partyOf(first(root, 'AccountingCustomerParty/Party')),
    lines,
    ...(subtotal === undefined ? {} : { subtotal }),
    ...(taxTotal === undefined ? {} : { taxTotal }),
    ...(total === undefined ? {} : { total }),
  };
}
