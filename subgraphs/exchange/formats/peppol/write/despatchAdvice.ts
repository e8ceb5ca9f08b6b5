import type { DespatchAdviceDocument, DespatchLine, Lot } from '../../business.ts';
import type { OutboundEnvelope } from '../../types.ts';
import { GROSS_WEIGHT } from '../read/despatchAdvice.ts';
import { cac, cbc, item, party, quantity, serialize, ublDocument, type Node } from './xml.ts';

/** T16 requires PartyLegalEntity and has no PartyName (PEPPOL-T16-B02002, B02003). */
const T16_PARTY = { legalEntity: true, partyName: false };

/**
 * DespatchAdvice → Peppol Despatch Advice (T16), from the despatching (our) endpoint to the delivery
 * customer's. A line shipped from several lots becomes one DespatchLine per lot, each with its quantity,
 * because UBL gives a lot no quantity of its own; serial numbers go with the first.
 */
export function writeDespatchAdvice(advice: DespatchAdviceDocument, envelope: OutboundEnvelope): Buffer {
  const root = ublDocument('DespatchAdvice');
  cbc(root, 'CustomizationID', 'urn:fdc:peppol.eu:poacc:trns:despatch_advice:3');
  cbc(root, 'ProfileID', 'urn:fdc:peppol.eu:poacc:bis:despatch_advice:3');
  cbc(root, 'ID', advice.number);
  cbc(root, 'IssueDate', advice.issueDate);
  cbc(cac(root, 'OrderReference'), 'ID', advice.orderNumber);
  party(cac(root, 'DespatchSupplierParty'), advice.seller, envelope.sender, T16_PARTY);
  party(cac(root, 'DeliveryCustomerParty'), advice.buyer, envelope.receiver, T16_PARTY);
  writeShipment(root, advice);
  let id = 0;
  for (const line of advice.lines) {
    const parts: { quantity: string; lots: Lot[]; serials: string[] }[] =
      line.lots.length > 1
        ? line.lots.map((lot, index) => ({
            quantity: lot.quantity,
            lots: [lot],
            serials: index === 0 ? line.serials : [],
          }))
        : [{ quantity: line.quantity, lots: line.lots, serials: line.serials }];
    for (const part of parts) writeLine(root, advice, line, part, ++id);
  }
  return serialize(root);
}

function writeShipment(root: Node, advice: DespatchAdviceDocument): void {
  const { carrier, trackingNumber, expectedDeliveryDate, shippedAt } = advice;
  if (
    carrier === undefined &&
    trackingNumber === undefined &&
    expectedDeliveryDate === undefined &&
    shippedAt === undefined
  ) {
    return;
  }
  const shipment = cac(root, 'Shipment');
  cbc(shipment, 'ID', 'NA');
  if (carrier !== undefined) {
    const consignment = cac(shipment, 'Consignment');
    cbc(consignment, 'ID', 'NA');
    cbc(cac(cac(consignment, 'CarrierParty'), 'PartyName'), 'Name', carrier);
  }
  const delivery = cac(shipment, 'Delivery');
  if (trackingNumber !== undefined) cbc(delivery, 'TrackingID', trackingNumber);
  if (expectedDeliveryDate !== undefined)
    cbc(cac(delivery, 'EstimatedDeliveryPeriod'), 'EndDate', expectedDeliveryDate);
  if (shippedAt !== undefined) cbc(cac(delivery, 'Despatch'), 'ActualDespatchDate', shippedAt);
}

function writeLine(
  root: Node,
  advice: DespatchAdviceDocument,
  line: DespatchLine,
  part: { quantity: string; lots: Lot[]; serials: string[] },
  id: number,
): void {
  const element = cac(root, 'DespatchLine');
  cbc(element, 'ID', String(id));
  quantity(element, 'DeliveredQuantity', part.quantity, line.unit);
  const reference = cac(element, 'OrderLineReference');
  cbc(reference, 'LineID', String(line.lineNo));
  const itemElement = item(element, line.item);
  const instances = Math.max(part.lots.length, part.serials.length);
  for (let index = 0; index < instances; index++) {
    const instance = cac(itemElement, 'ItemInstance');
    const lot = part.lots[index];
    if (lot?.productionDate !== undefined) cbc(instance, 'ManufactureDate', lot.productionDate);
    const serial = part.serials[index];
    if (serial !== undefined) cbc(instance, 'SerialID', serial);
    if (lot) {
      const identification = cac(instance, 'LotIdentification');
      cbc(identification, 'LotNumberID', lot.number);
      if (lot.expiryDate !== undefined) cbc(identification, 'ExpiryDate', lot.expiryDate);
    }
  }
  const pack = advice.packages.find((candidate) => candidate.id === line.packageId);
  if (line.packageId !== undefined) {
    const shipment = cac(element, 'Shipment');
    cbc(shipment, 'ID', 'NA');
    const unit = cac(shipment, 'TransportHandlingUnit');
    cbc(unit, 'ID', line.packageId, /^\d{18}$/.test(line.packageId) ? { schemeID: 'SSCC' } : {});
    if (pack?.type !== undefined) cbc(unit, 'TransportHandlingUnitTypeCode', pack.type);
    if (pack?.grossWeight !== undefined) {
      const dimension = cac(unit, 'MeasurementDimension');
      cbc(dimension, 'AttributeID', GROSS_WEIGHT);
      cbc(dimension, 'Measure', pack.grossWeight.value, { unitCode: pack.grossWeight.unit.code });
    }
  }
}
