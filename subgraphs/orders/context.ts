import DataLoader from 'dataloader';
import type { Principal } from '../../platform/auth/principal.ts';
import { perDatabase, type Database } from '../../platform/db/database.ts';
import type { EventSource } from '../../platform/events/subscription.ts';
import type { Runtime } from '../../platform/runtime.ts';
import { coalescing, groupBy, indexBy } from '../../platform/loaders.ts';
import type { OrderSettings } from './commands.ts';
import { orderSettingsFromEnvironment } from './settings.ts';
import {
  historyByOrderIds,
  linesByOrderIds,
  ordersByIds,
  shipmentLinesByShipmentIds,
  shipmentsByIds,
  shipmentsByOrderIds,
  type OrderHistoryRow,
  type OrderLineRow,
  type OrderRow,
  type ShipmentLineRow,
  type ShipmentRow,
} from './store.ts';
import {
  lotsByShipmentIds,
  packagesByShipmentIds,
  serialsByShipmentIds,
  type ShipmentLotRow,
  type ShipmentPackageRow,
  type ShipmentSerialRow,
} from './shipNoticeStore.ts';

export interface Context {
  principal: Principal;
  db: Database;
  events: EventSource;
  settings: OrderSettings;
  orders: DataLoader<string, OrderRow | undefined>;
  lines: DataLoader<string, OrderLineRow[]>;
  shipments: DataLoader<string, ShipmentRow | undefined>;
  shipmentsOfOrder: DataLoader<string, ShipmentRow[]>;
  shipmentLines: DataLoader<string, ShipmentLineRow[]>;
  /** By shipment: its lines pick theirs from the shipment's. */
  shipmentLots: DataLoader<string, ShipmentLotRow[]>;
  shipmentSerials: DataLoader<string, ShipmentSerialRow[]>;
  shipmentPackages: DataLoader<string, ShipmentPackageRow[]>;
  history: DataLoader<string, OrderHistoryRow[]>;
  /** One loader per argument set of `Partner.orders`. */
  partnerOrders: Map<string, DataLoader<string, OrderRow[]>>;
}

const settings = orderSettingsFromEnvironment();

/** Orders by id on each database, read together by every context that asks in the same tick. */
const ordersOn = perDatabase((db) =>
  coalescing<string, OrderRow | undefined>(async (ids) =>
    indexBy(ids, await ordersByIds(db, ids), (row) => row.id),
  ),
);

export function createContext(db: Database, principal: Principal, runtime: Runtime): Context {
  return {
    principal,
    db,
    events: runtime,
    settings,
    orders: new DataLoader(ordersOn(db)),
    lines: new DataLoader(async (ids) => groupBy(ids, await linesByOrderIds(db, ids), (row) => row.order_id)),
    shipments: new DataLoader(async (ids) => indexBy(ids, await shipmentsByIds(db, ids), (row) => row.id)),
    shipmentsOfOrder: new DataLoader(async (ids) =>
      groupBy(ids, await shipmentsByOrderIds(db, ids), (row) => row.order_id),
    ),
    shipmentLines: new DataLoader(async (ids) =>
      groupBy(ids, await shipmentLinesByShipmentIds(db, ids), (row) => row.shipment_id),
    ),
    shipmentLots: new DataLoader(async (ids) =>
      groupBy(ids, await lotsByShipmentIds(db, ids), (row) => row.shipmentId),
    ),
    shipmentSerials: new DataLoader(async (ids) =>
      groupBy(ids, await serialsByShipmentIds(db, ids), (row) => row.shipmentId),
    ),
    shipmentPackages: new DataLoader(async (ids) =>
      groupBy(ids, await packagesByShipmentIds(db, ids), (row) => row.shipmentId),
    ),
    history: new DataLoader(async (ids) =>
      groupBy(ids, await historyByOrderIds(db, ids), (row) => row.aggregateId),
    ),
    partnerOrders: new Map(),
  };
}
