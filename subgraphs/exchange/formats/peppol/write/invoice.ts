import { Decimal } from 'decimal.js';
import type { InvoiceDocument, InvoiceLine } from '../../business.ts';
import type { OutboundEnvelope } from '../../types.ts';
import { amount, cac, cbc, item, party, quantity, serialize, ublDocument, type Node } from './xml.ts';

const CUSTOMIZATION = 'urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0';
const PROFILE = 'urn:fdc:peppol.eu:2017:poacc:billing:01:1.0';

const money = (value: Decimal | string) => new Decimal(value).toFixed(2);
const lineAmount = (line: InvoiceLine) =>
  line.netAmount ?? money(new Decimal(line.quantity).times(line.unitPrice));
/** Standard rated (S) with a rate, zero rated (Z) without: the two VAT categories goods invoices use. */
const category = (rate: string) => (new Decimal(rate).isZero() ? 'Z' : 'S');

/**
 * Invoice → Peppol Invoice (T10) or Credit Note (T14), from the seller (our) endpoint to the buyer's.
 * EN 16931 requires the totals and the VAT breakdown; those the document does not state are computed here
 * exactly as the rules recompute them (BR-CO-10, BR-CO-13..15, BR-S-08), in decimals, never floats.
 */
export function writeInvoice(invoice: InvoiceDocument, envelope: OutboundEnvelope): Buffer {
  const credit = invoice.creditNote;
  const root = ublDocument(credit ? 'CreditNote' : 'Invoice');
  const currency = invoice.currency;
  cbc(root, 'CustomizationID', CUSTOMIZATION);
  cbc(root, 'ProfileID', PROFILE);
  cbc(root, 'ID', invoice.number);
  cbc(root, 'IssueDate', invoice.issueDate);
  if (!credit && invoice.dueDate !== undefined) cbc(root, 'DueDate', invoice.dueDate);
  cbc(root, credit ? 'CreditNoteTypeCode' : 'InvoiceTypeCode', credit ? '381' : '380');
  cbc(root, 'DocumentCurrencyCode', currency);
  // PEPPOL-EN16931-R003: a buyer reference or an order reference.
  if (invoice.orderNumber === undefined) cbc(root, 'BuyerReference', invoice.buyer.name ?? invoice.number);
  else cbc(cac(root, 'OrderReference'), 'ID', invoice.orderNumber);
  const parts = { address: true, taxScheme: true, legalEntity: true };
  party(cac(root, 'AccountingSupplierParty'), invoice.seller, envelope.sender, parts);
  party(cac(root, 'AccountingCustomerParty'), invoice.buyer, envelope.receiver, {
    ...parts,
    maxIdentifiers: 1,
  });
  if (credit && invoice.dueDate !== undefined) {
    const means = cac(root, 'PaymentMeans');
    cbc(means, 'PaymentMeansCode', '1');
    cbc(means, 'PaymentDueDate', invoice.dueDate);
  }
  if (invoice.dueDate === undefined) cbc(cac(root, 'PaymentTerms'), 'Note', 'Payment as agreed');
  writeTotals(root, invoice);
  invoice.lines.forEach((line) => writeLine(root, line, currency, credit));
  return serialize(root);
}

function writeTotals(root: Node, invoice: InvoiceDocument): void {
  const byRate = new Map<string, Decimal>();
  let lines = new Decimal(0);
  for (const line of invoice.lines) {
    const net = new Decimal(lineAmount(line));
    lines = lines.plus(net);
    const rate = new Decimal(line.taxRate).toString();
    byRate.set(rate, (byRate.get(rate) ?? new Decimal(0)).plus(net));
  }
  const subtotals = [...byRate].map(([rate, taxable]) => ({
    rate,
    taxable,
    tax: new Decimal(money(taxable.times(rate).dividedBy(100))),
  }));
  const computedTax = subtotals.reduce((sum, s) => sum.plus(s.tax), new Decimal(0));
  const taxExclusive = invoice.subtotal ?? money(lines);
  const tax = invoice.taxTotal ?? money(computedTax);
  const taxInclusive = invoice.total ?? money(new Decimal(taxExclusive).plus(tax));
  const currency = invoice.currency;
  const taxTotal = cac(root, 'TaxTotal');
  amount(taxTotal, 'TaxAmount', tax, currency);
  for (const s of subtotals) {
    const subtotal = cac(taxTotal, 'TaxSubtotal');
    amount(subtotal, 'TaxableAmount', money(s.taxable), currency);
    amount(subtotal, 'TaxAmount', money(s.tax), currency);
    const taxCategory = cac(subtotal, 'TaxCategory');
    cbc(taxCategory, 'ID', category(s.rate));
    cbc(taxCategory, 'Percent', s.rate);
    cbc(cac(taxCategory, 'TaxScheme'), 'ID', 'VAT');
  }
  const totals = cac(root, 'LegalMonetaryTotal');
  amount(totals, 'LineExtensionAmount', money(lines), currency);
  amount(totals, 'TaxExclusiveAmount', taxExclusive, currency);
  amount(totals, 'TaxInclusiveAmount', taxInclusive, currency);
  amount(totals, 'PayableAmount', taxInclusive, currency);
}

function writeLine(root: Node, line: InvoiceLine, currency: string, credit: boolean): void {
  const element = cac(root, credit ? 'CreditNoteLine' : 'InvoiceLine');
  cbc(element, 'ID', String(line.lineNo));
  quantity(element, credit ? 'CreditedQuantity' : 'InvoicedQuantity', line.quantity, line.unit);
  amount(element, 'LineExtensionAmount', lineAmount(line), currency);
  const reference = cac(element, 'OrderLineReference');
  cbc(reference, 'LineID', String(line.orderLineNo));
  if (line.orderNumber !== undefined) cbc(cac(reference, 'OrderReference'), 'ID', line.orderNumber);
  const itemElement = item(element, line.item);
  const taxCategory = cac(itemElement, 'ClassifiedTaxCategory');
  cbc(taxCategory, 'ID', category(line.taxRate));
  cbc(taxCategory, 'Percent', line.taxRate);
  cbc(cac(taxCategory, 'TaxScheme'), 'ID', 'VAT');
  amount(cac(element, 'Price'), 'PriceAmount', line.unitPrice, currency);
}
