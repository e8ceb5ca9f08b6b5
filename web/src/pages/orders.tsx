import { useQuery, useSubscription } from '@apollo/client/react';
import {
  OrderDocument,
  OrderEventsDocument,
  OrdersDocument,
  type OrderDetailFragment,
  type OrderKind,
  type OrderStatus,
} from '../generated/graphql.ts';
import { formatDate, formatDateTime, formatDecimal, formatMoney } from '../format.ts';
import { Link } from '../router.tsx';
import { ShipmentLines, ShipmentPackages } from './shipmentDetails.tsx';
import { Empty, ErrorView, Loading, NotFound, Pager, Status, usePages } from '../ui.tsx';
import type { ReactNode } from 'react';

/** A page of orders, newest first, kept current by the live order feed (the cache shares each order). */
export function OrderList({
  kind,
  status,
  basePath,
  empty,
  label,
  actions,
}: {
  kind: OrderKind;
  status?: OrderStatus;
  basePath: string;
  empty: string;
  label: string;
  actions?: (order: { id: string; status: OrderStatus }) => ReactNode;
}) {
  const pages = usePages();
  const { data, loading, error, refetch } = useQuery(OrdersDocument, {
    variables: { filter: { kind, ...(status ? { status } : {}) }, first: 10, after: pages.after },
  });
  if (error) return <ErrorView error={error} retry={() => void refetch()} />;
  if (!data) return loading ? <Loading what="orders" /> : null;
  const orders = data.orders.nodes;
  if (orders.length === 0) return <Empty>{empty}</Empty>;
  return (
    <>
      <table aria-label={label}>
        <thead>
          <tr>
            <th scope="col">Order</th>
            <th scope="col">{kind === 'PURCHASE' ? 'Supplier' : 'Customer'}</th>
            <th scope="col">Status</th>
            <th scope="col" className="num">
              Total
            </th>
            <th scope="col">Updated</th>
            {actions ? <th scope="col">Action</th> : null}
          </tr>
        </thead>
        <tbody>
          {orders.map((order) => (
            <tr key={order.id} data-order={order.number}>
              <td>
                <Link to={`${basePath}/${order.id}`}>{order.number}</Link>
              </td>
              <td>{kind === 'PURCHASE' ? order.seller.name : order.buyer.name}</td>
              <td>
                <Status value={order.status} />
              </td>
              <td className="num">{formatMoney(order.total)}</td>
              <td>{formatDateTime(order.updatedAt)}</td>
              {actions ? <td>{actions(order)}</td> : null}
            </tr>
          ))}
        </tbody>
      </table>
      <Pager pages={pages} pageInfo={data.orders.pageInfo} label={label} />
    </>
  );
}

/** Orders' events as they happen; each event carries the order, so every list on screen updates itself. */
export function LiveOrderFeed({ orderId }: { orderId?: string }) {
  const { data, error } = useSubscription(OrderEventsDocument, {
    variables: orderId ? { orderId } : {},
  });
  const events = useFeed(data?.orderEvents);
  if (error) return <ErrorView error={error} />;
  return (
    <div aria-live="polite" className="feed">
      {events.length === 0 ? (
        <Empty>Nothing new since you opened this page; events appear here as they happen.</Empty>
      ) : (
        <ul aria-label="Live order events">
          {events.map((event) => (
            <li key={event.cursor}>
              <time dateTime={event.at}>{formatDateTime(event.at)}</time> {event.order.number}:{' '}
              {event.summary} <Status value={event.status} />
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

import { useEffect, useState } from 'react';

/** Keeps the last 20 distinct items a subscription delivered, newest first. */
export function useFeed<T extends { cursor: string }>(latest: T | undefined): T[] {
  const [items, setItems] = useState<T[]>([]);
  useEffect(() => {
    if (!latest) return;
    setItems((seen) =>
      seen.some((item) => item.cursor === latest.cursor) ? seen : [latest, ...seen].slice(0, 20),
    );
  }, [latest]);
  return items;
}

export function OrderLinesTable({ order }: { order: OrderDetailFragment }) {
  return (
    <table aria-label={`Lines of ${order.number}`}>
      <thead>
        <tr>
          <th scope="col">Line</th>
          <th scope="col">Item</th>
          <th scope="col" className="num">
            Ordered
          </th>
          <th scope="col" className="num">
            Unit price
          </th>
          <th scope="col">Requested</th>
          <th scope="col" className="num">
            Confirmed
          </th>
          <th scope="col">Confirmed date</th>
          <th scope="col" className="num">
            Shipped
          </th>
          <th scope="col" className="num">
            Received
          </th>
        </tr>
      </thead>
      <tbody>
        {order.lines.map((line) => (
          <tr key={line.lineNo}>
            <td>{line.lineNo}</td>
            <td>
              {line.item.name} <small>{line.item.sku}</small>
            </td>
            <td className="num">
              {formatDecimal(line.quantity)} {line.unit}
            </td>
            <td className="num">{formatMoney(line.unitPrice)}</td>
            <td>{formatDate(line.requestedDate)}</td>
            <td className="num">{formatDecimal(line.confirmedQuantity)}</td>
            <td>{formatDate(line.confirmedDate)}</td>
            <td className="num">{formatDecimal(line.shippedQuantity)}</td>
            <td className="num">{formatDecimal(line.receivedQuantity)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function OrderHeader({ order }: { order: OrderDetailFragment }) {
  return (
    <header className="order-header">
      <h1>
        {order.kind === 'PURCHASE' ? 'Purchase order' : 'Sales order'} {order.number}
      </h1>
      <p>
        <span data-testid="order-status">
          <Status value={order.status} />
        </span>{' '}
        · {order.seller.name} → {order.buyer.name} · total {formatMoney(order.total)}
        {order.externalRef ? ` · reference ${order.externalRef}` : ''}
      </p>
    </header>
  );
}

export function ShipmentsTable({ order }: { order: OrderDetailFragment }) {
  if (order.shipments.length === 0) return <Empty>No ship notices yet.</Empty>;
  return (
    <table aria-label={`Ship notices of ${order.number}`}>
      <thead>
        <tr>
          <th scope="col">Ship notice</th>
          <th scope="col">Status</th>
          <th scope="col">Shipped</th>
          <th scope="col">Carrier</th>
          <th scope="col">Lines</th>
          <th scope="col">Packages</th>
        </tr>
      </thead>
      <tbody>
        {order.shipments.map((shipment) => (
          <tr key={shipment.id}>
            <td>
              {shipment.number}
              {shipment.reference ? ` (${shipment.reference})` : ''}
            </td>
            <td>
              <Status value={shipment.status} />
            </td>
            <td>{formatDate(shipment.shippedAt)}</td>
            <td>{[shipment.carrier, shipment.trackingNumber].filter(Boolean).join(' · ') || '—'}</td>
            <td>
              <ShipmentLines shipment={shipment} />
            </td>
            <td>
              <ShipmentPackages shipment={shipment} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function OrderHistory({ order }: { order: OrderDetailFragment }) {
  return (
    <ol className="history" aria-label="History">
      {order.history.map((event) => (
        <li key={event.cursor}>
          <time dateTime={event.at}>{formatDateTime(event.at)}</time> {event.summary}
          {event.reason ? ` (${event.reason})` : ''}
        </li>
      ))}
    </ol>
  );
}

/**
 * An order by id, as the signed-in person may see it, live: its own event feed refetches it. An order that
 * does not exist and one that belongs to someone else look the same: "not found".
 */
export function OrderView({
  id,
  children,
}: {
  id: string;
  children: (order: OrderDetailFragment) => ReactNode;
}) {
  const { data, loading, error, refetch } = useQuery(OrderDocument, { variables: { id } });
  const { data: live } = useSubscription(OrderEventsDocument, { variables: { orderId: id } });
  useEffect(() => {
    if (live) void refetch();
  }, [live, refetch]);
  if (error) {
    const notFound = 'errors' in error && Array.isArray(error.errors) && error.errors.some(isNotFound);
    return notFound ? <NotFound what="Order" /> : <ErrorView error={error} retry={() => void refetch()} />;
  }
  if (!data) return loading ? <Loading what="the order" /> : null;
  if (!data.order) return <NotFound what="Order" />;
  return <>{children(data.order)}</>;
}

function isNotFound(error: unknown): boolean {
  return (
    typeof error === 'object' &&
    error !== null &&
    'extensions' in error &&
    typeof error.extensions === 'object' &&
    error.extensions !== null &&
    'code' in error.extensions &&
    (error.extensions.code === 'NOT_FOUND' || error.extensions.code === 'FORBIDDEN')
  );
}
