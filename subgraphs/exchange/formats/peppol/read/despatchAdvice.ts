import { Decimal } from 'decimal.js';
import type { DespatchAdviceDocument, DespatchLine, Lot, Package } from '../../business.ts';
import { all, first, text, type XmlElement } from '../tree.ts';
import { FieldReader, itemOf, partyOf } from './fields.ts';

/** UN/ECE 6313 measured attribute "gross weight", as MeasurementDimension/AttributeID. */
export const GROSS_WEIGHT = 'AAB';

/**
 * Peppol Despatch Advice (T16) → DespatchAdvice. A lot has no quantity of its own in UBL, so a line shipped
 * from several lots comes as one DespatchLine per lot (the same order line, item and package, one after
 * the other); they are joined back into one line here.
 */
export function readDespatchAdvice(root: XmlElement, fields: FieldReader): DespatchAdviceDocument {
  const packages = new Map<string, Package>();
  const lines: DespatchLine[] = [];
  for (const despatchLine of all(root, 'DespatchLine')) {
    const { quantity, unit } = fields.quantity(despatchLine, 'DeliveredQuantity');
    const item = first(despatchLine, 'Item');
    const lots: Lot[] = [];
    const serials: string[] = [];
    for (const instance of all(item, 'ItemInstance')) {
      const serial = text(instance, 'SerialID');
      if (serial !== undefined) serials.push(serial);
      const lotNumber = text(instance, 'LotIdentification/LotNumberID');
      if (lotNumber === undefined) continue;
      const expiryDate = fields.date(instance, 'LotIdentification/ExpiryDate');
      const productionDate = fields.date(instance, 'ManufactureDate');
      lots.push({
        number: lotNumber,
        quantity,
        ...(expiryDate === undefined ? {} : { expiryDate }),
        ...(productionDate === undefined ? {} : { productionDate }),
      });
    }
    const unitElement = first(despatchLine, 'Shipment/TransportHandlingUnit');
    const packageId = readPackage(unitElement, packages);
    const line: DespatchLine = {
      lineNo: fields.lineNumber(despatchLine, 'OrderLineReference/LineID'),
      item: itemOf(item),
      quantity,
      unit,
      lots,
      serials,
      ...(packageId === undefined ? {} : { packageId }),
      at: { segment: 'DespatchLine', path: despatchLine.path },
    };
    const previous = lines.at(-1);
    if (previous && continues(previous, line)) {
      previous.quantity = new Decimal(previous.quantity).plus(line.quantity).toString();
      previous.lots.push(...line.lots);
      previous.serials.push(...line.serials);
    } else {
      lines.push(line);
    }
  }
  const shipment = first(root, 'Shipment');
  const shippedAt = fields.date(shipment, 'Delivery/Despatch/ActualDespatchDate');
  const expected =
    fields.date(shipment, 'Delivery/EstimatedDeliveryPeriod/EndDate') ??
    fields.date(shipment, 'Delivery/EstimatedDeliveryPeriod/StartDate');
  const carrier = text(shipment, 'Consignment/CarrierParty/PartyName/Name');
  const trackingNumber = text(shipment, 'Delivery/TrackingID');
  const orderNumber =
    text(root, 'OrderReference/ID') ??
    fields.required(first(root, 'DespatchLine'), 'OrderLineReference/OrderReference/ID');
  return {
    kind: 'DespatchAdvice',
    number: fields.required(root, 'ID'),
    orderNumber,
    issueDate: fields.date(root, 'IssueDate', true),
    ...(shippedAt === undefined ? {} : { shippedAt }),
    ...(expected === undefined ? {} : { expectedDeliveryDate: expected }),
    ...(carrier === undefined ? {} : { carrier }),
    ...(trackingNumber === undefined ? {} : { trackingNumber }),
    buyer: partyOf(first(root, 'BuyerCustomerParty/Party') ?? first(root, 'DeliveryCustomerParty/Party')),
    seller: partyOf(first(root, 'SellerSupplierParty/Party') ?? first(root, 'DespatchSupplierParty/Party')),
    packages: [...packages.values()],
    lines,
  };
}

function readPackage(unit: XmlElement | undefined, packages: Map<string, Package>): string | undefined {
  const id = text(unit, 'ID');
  if (id === undefined) return undefined;
  if (!packages.has(id)) {
    const type = text(unit, 'TransportHandlingUnitTypeCode');
    const weight = all(unit, 'MeasurementDimension').find((m) => text(m, 'AttributeID') === GROSS_WEIGHT);
    const measure = first(weight, 'Measure');
    packages.set(id, {
      id,
      ...(type === undefined ? {} : { type }),
      ...(measure
        ? {
            grossWeight: {
              value: measure.text.trim(),
              unit: { code: measure.attrs.unitCode ?? '', codeList: 'REC20' },
            },
          }
        : {}),
    });
  }
  return id;
}

/** The next DespatchLine of a line split by lot: same order line, item, unit and package, lots only. */
function continues(previous: DespatchLine, next: DespatchLine): boolean {
  return (
    previous.lots.length > 0 &&
    next.lots.length === 1 &&
    previous.lineNo === next.lineNo &&
    previous.packageId === next.packageId &&
    previous.unit.code === next.unit.code &&
    JSON.stringify(previous.item) === JSON.stringify(next.item)
  );
}
