import type { OrderDetailFragment } from '../generated/graphql.ts';
import { formatDate, formatDecimal } from '../format.ts';

/** What a ship notice says of its goods beyond quantities: lots and serial numbers per line, and packages. */

type Shipment = OrderDetailFragment['shipments'][number];
type Lot = Shipment['lines'][number]['lots'][number];

/** Up to this many serial numbers are listed inline; more fold away behind their count. */
const INLINE_SERIALS = 5;

function describeLot(lot: Lot, unit: string): string {
  const dates = [
    lot.productionDate ? `made ${formatDate(lot.productionDate)}` : null,
    lot.expiryDate ? `expires ${formatDate(lot.expiryDate)}` : null,
  ].filter(Boolean);
  return `${lot.number} × ${formatDecimal(lot.quantity)} ${unit}${dates.length > 0 ? ` (${dates.join(', ')})` : ''}`;
}

function Serials({ serials }: { serials: readonly string[] }) {
  if (serials.length === 0) return null;
  if (serials.length <= INLINE_SERIALS) return <div>Serial numbers: {serials.join(', ')}</div>;
  return (
    <details>
      <summary>{serials.length} serial numbers</summary>
      {serials.join(', ')}
    </details>
  );
}

export function ShipmentLines({ shipment }: { shipment: Shipment }) {
  return (
    <ul className="plain">
      {shipment.lines.map((line) => (
        <li key={line.lineNo}>
          {line.lineNo}: {formatDecimal(line.quantity)} {line.unit}
          {line.lots.length > 0 ? (
            <div>
              {line.lots.length === 1 ? 'Lot' : 'Lots'}:{' '}
              {line.lots.map((lot) => describeLot(lot, line.unit)).join('; ')}
            </div>
          ) : null}
          <Serials serials={line.serials} />
        </li>
      ))}
    </ul>
  );
}

export function ShipmentPackages({ shipment }: { shipment: Shipment }) {
  if (shipment.packages.length === 0) return <>—</>;
  const unitOf = new Map(shipment.lines.map((line) => [line.lineNo, line.unit]));
  return (
    <ul className="plain">
      {shipment.packages.map((pack) => {
        const about = [
          pack.type,
          pack.grossWeight ? `${formatDecimal(pack.grossWeight.value)} ${pack.grossWeight.unit}` : null,
        ].filter(Boolean);
        const contents = pack.contents.map(
          (content) =>
            `line ${content.lineNo} × ${formatDecimal(content.quantity)} ${unitOf.get(content.lineNo) ?? ''}` +
            (content.lot ? ` (lot ${content.lot})` : ''),
        );
        return (
          <li key={pack.packageId}>
            {pack.packageId}
            {about.length > 0 ? ` (${about.join(', ')})` : ''}: {contents.join('; ')}
          </li>
        );
      })}
    </ul>
  );
}
