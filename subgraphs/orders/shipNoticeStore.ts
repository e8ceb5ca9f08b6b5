import type { Queryable } from '../../platform/db/database.ts';
import type { ShippedLotFacts, ShippedPackageFacts } from '../../platform/events/contract.ts';
import type { ShipNoticeDetails } from './commands/shipNotice.ts';

/** The lots, serial numbers and packages of shipments: written with the ship notice, read per shipment. */

export interface ShipmentLotRow extends ShippedLotFacts {
  shipmentId: string;
  lineNo: number;
}

export interface ShipmentSerialRow {
  shipmentId: string;
  lineNo: number;
  serial: string;
}

export interface ShipmentPackageRow extends ShippedPackageFacts {
  shipmentId: string;
}

export async function insertShipNoticeDetails(
  tx: Queryable,
  shipmentId: string,
  details: ShipNoticeDetails,
): Promise<void> {
  const lines = [...details.lines];
  const lots = lines.flatMap(([lineNo, line]) =>
    line.lots.map((lot, position) => ({ lineNo, position, ...lot })),
  );
  if (lots.length > 0) {
    await tx.query(
      `INSERT INTO orders.shipment_lot (shipment_id, line_no, position, lot_number, quantity, expiry_date, production_date)
       SELECT $1::text, * FROM unnest($2::int[], $3::int[], $4::text[], $5::numeric[], $6::date[], $7::date[])`,
      [
        shipmentId,
        lots.map((lot) => lot.lineNo),
        lots.map((lot) => lot.position),
        lots.map((lot) => lot.number),
        lots.map((lot) => lot.quantity),
        lots.map((lot) => lot.expiryDate),
        lots.map((lot) => lot.productionDate),
      ],
    );
  }
  const serials = lines.flatMap(([lineNo, line]) =>
    line.serials.map((serial, position) => ({ lineNo, position, serial })),
  );
  if (serials.length > 0) {
    await tx.query(
      `INSERT INTO orders.shipment_serial (shipment_id, line_no, position, serial)
       SELECT $1::text, * FROM unnest($2::int[], $3::int[], $4::text[])`,
      [
        shipmentId,
        serials.map((s) => s.lineNo),
        serials.map((s) => s.position),
        serials.map((s) => s.serial),
      ],
    );
  }
  if (details.packages.length === 0) return;
  await tx.query(
    `INSERT INTO orders.shipment_package (shipment_id, position, package_id, package_type, gross_weight, weight_unit)
     SELECT $1::text, ord - 1, package_id, package_type, gross_weight, weight_unit
       FROM unnest($2::text[], $3::text[], $4::numeric[], $5::text[]) WITH ORDINALITY
            AS t(package_id, package_type, gross_weight, weight_unit, ord)`,
    [
      shipmentId,
      details.packages.map((p) => p.packageId),
      details.packages.map((p) => p.type),
      details.packages.map((p) => p.grossWeight?.value ?? null),
      details.packages.map((p) => p.grossWeight?.unit ?? null),
    ],
  );
  const contents = details.packages.flatMap((pack, packagePosition) =>
    pack.contents.map((content, position) => ({ packagePosition, position, ...content })),
  );
  await tx.query(
    `INSERT INTO orders.shipment_package_content (shipment_id, package_position, position, line_no, quantity, lot_number)
     SELECT $1::text, * FROM unnest($2::int[], $3::int[], $4::int[], $5::numeric[], $6::text[])`,
    [
      shipmentId,
      contents.map((c) => c.packagePosition),
      contents.map((c) => c.position),
      contents.map((c) => c.lineNo),
      contents.map((c) => c.quantity),
      contents.map((c) => c.lot),
    ],
  );
}

export async function lotsByShipmentIds(
  db: Queryable,
  shipmentIds: readonly string[],
): Promise<ShipmentLotRow[]> {
  const { rows } = await db.query<ShipmentLotRow>(
    `SELECT shipment_id AS "shipmentId", line_no AS "lineNo", lot_number AS number,
            trim_scale(quantity)::text AS quantity, expiry_date::text AS "expiryDate",
            production_date::text AS "productionDate"
       FROM orders.shipment_lot
      WHERE shipment_id = ANY($1::text[])
      ORDER BY shipment_id, line_no, position`,
    [[...shipmentIds]],
  );
  return rows;
}

export async function serialsByShipmentIds(
  db: Queryable,
  shipmentIds: readonly string[],
): Promise<ShipmentSerialRow[]> {
  const { rows } = await db.query<ShipmentSerialRow>(
    `SELECT shipment_id AS "shipmentId", line_no AS "lineNo", serial
       FROM orders.shipment_serial
      WHERE shipment_id = ANY($1::text[])
      ORDER BY shipment_id, line_no, position`,
    [[...shipmentIds]],
  );
  return rows;
}

/** Packages with their contents, in the order the seller listed them: one statement for any number. */
export async function packagesByShipmentIds(
  db: Queryable,
  shipmentIds: readonly string[],
): Promise<ShipmentPackageRow[]> {
  const { rows } = await db.query<ShipmentPackageRow>(
    `SELECT p.shipment_id AS "shipmentId", p.package_id AS "packageId", p.package_type AS type,
            CASE WHEN p.gross_weight IS NULL THEN NULL
                 ELSE json_build_object('value', trim_scale(p.gross_weight)::text, 'unit', p.weight_unit) END
              AS "grossWeight",
            (SELECT json_agg(json_build_object('lineNo', c.line_no, 'quantity', trim_scale(c.quantity)::text,
                                               'lot', c.lot_number) ORDER BY c.position)
               FROM orders.shipment_package_content c
              WHERE c.shipment_id = p.shipment_id AND c.package_position = p.position) AS contents
       FROM orders.shipment_package p
      WHERE p.shipment_id = ANY($1::text[])
      ORDER BY p.shipment_id, p.position`,
    [[...shipmentIds]],
  );
  return rows;
}
