import { useState, type FormEvent } from 'react';
import { useMutation } from '@apollo/client/react';
import {
  ConfirmOrderDocument,
  RejectOrderDocument,
  ShipOrderDocument,
  type OrderDetailFragment,
} from '../generated/graphql.ts';
import { isQuantity } from '../format.ts';
import { match } from '../router.tsx';
import { ErrorView, Section } from '../ui.tsx';
import { InvoiceList } from './invoices.tsx';
import {
  LiveOrderFeed,
  OrderHeader,
  OrderHistory,
  OrderLinesTable,
  OrderList,
  OrderView,
  ShipmentsTable,
} from './orders.tsx';

export function SupplierPortal({ path }: { path: string }) {
  const params = match('/supplier/orders/:id', path);
  if (params?.id) return <SupplierOrder id={params.id} />;
  return (
    <>
      <h1>Supplier portal</h1>
      <div className="columns">
        <div>
          <Section title="Open purchase orders">
            <OrderList
              kind="PURCHASE"
              status="SUBMITTED"
              basePath="/supplier/orders"
              label="Purchase orders waiting for your confirmation"
              empty="No purchase order waits for your confirmation."
            />
          </Section>
          <Section title="All purchase orders">
            <OrderList
              kind="PURCHASE"
              basePath="/supplier/orders"
              label="Your purchase orders"
              empty="No purchase orders to you yet."
            />
          </Section>
          <Section title="Your invoices">
            <InvoiceList kind="PAYABLE" label="Your invoices" empty="You have not invoiced anything yet." />
          </Section>
        </div>
        <aside>
          <Section title="Live feed">
            <LiveOrderFeed />
          </Section>
        </aside>
      </div>
    </>
  );
}

function SupplierOrder({ id }: { id: string }) {
  return (
    <OrderView id={id}>
      {(order) => (
        <>
          <OrderHeader order={order} />
          <OrderLinesTable order={order} />
          {order.status === 'SUBMITTED' ? <ConfirmForm order={order} /> : null}
          {['CONFIRMED', 'PARTIALLY_CONFIRMED', 'PARTIALLY_SHIPPED'].includes(order.status) ? (
            <ShipForm order={order} />
          ) : null}
          <Section title="Ship notices">
            <ShipmentsTable order={order} />
          </Section>
          <Section title="History">
            <OrderHistory order={order} />
          </Section>
        </>
      )}
    </OrderView>
  );
}

/** The supplier's answer, line by line: a quantity (0 declines the line) and a date, or a rejection. */
function ConfirmForm({ order }: { order: OrderDetailFragment }) {
  const [lines, setLines] = useState(() =>
    order.lines.map((line) => ({
      lineNo: line.lineNo,
      quantity: line.quantity,
      date: line.requestedDate ?? '',
    })),
  );
  const [externalRef, setExternalRef] = useState('');
  const [reason, setReason] = useState('');
  const [invalid, setInvalid] = useState<string | undefined>();
  const [confirm, confirming] = useMutation(ConfirmOrderDocument);
  const [reject, rejecting] = useMutation(RejectOrderDocument);
  const busy = confirming.loading || rejecting.loading;

  const onConfirm = (event: FormEvent) => {
    event.preventDefault();
    const bad = lines.find((line) => !isQuantity(line.quantity, true));
    if (bad)
      return setInvalid(`Line ${bad.lineNo}: enter a quantity such as 12 or 12.5 (0 declines the line).`);
    setInvalid(undefined);
    void confirm({
      variables: {
        id: order.id,
        input: {
          lines: lines.map((line) => ({
            lineNo: line.lineNo,
            quantity: line.quantity,
            ...(line.date ? { date: line.date } : {}),
          })),
          ...(externalRef ? { externalRef } : {}),
        },
      },
    }).catch(() => undefined);
  };
  const onReject = () => {
    if (!reason.trim()) return setInvalid('Give a reason to reject the order.');
    setInvalid(undefined);
    void reject({ variables: { id: order.id, reason } }).catch(() => undefined);
  };

  return (
    <Section title="Confirm or reject">
      <form onSubmit={onConfirm} aria-label="Confirm the order">
        <table aria-label="Your confirmation per line">
          <thead>
            <tr>
              <th scope="col">Line</th>
              <th scope="col">Quantity you confirm</th>
              <th scope="col">Delivery date</th>
            </tr>
          </thead>
          <tbody>
            {lines.map((line, index) => (
              <tr key={line.lineNo}>
                <td>{line.lineNo}</td>
                <td>
                  <label>
                    <span className="sr-only">Confirmed quantity, line {line.lineNo}</span>
                    <input
                      inputMode="decimal"
                      value={line.quantity}
                      onChange={(event) =>
                        setLines(
                          lines.map((l, i) => (i === index ? { ...l, quantity: event.target.value } : l)),
                        )
                      }
                    />
                  </label>
                </td>
                <td>
                  <label>
                    <span className="sr-only">Delivery date, line {line.lineNo}</span>
                    <input
                      type="date"
                      value={line.date}
                      onChange={(event) =>
                        setLines(lines.map((l, i) => (i === index ? { ...l, date: event.target.value } : l)))
                      }
                    />
                  </label>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <label>
          Your order number{' '}
          <input value={externalRef} onChange={(event) => setExternalRef(event.target.value)} />
        </label>
        <div className="actions">
          <button type="submit" disabled={busy}>
            Confirm order
          </button>
          <label>
            Reason to reject <input value={reason} onChange={(event) => setReason(event.target.value)} />
          </label>
          <button type="button" className="danger" onClick={onReject} disabled={busy}>
            Reject order
          </button>
        </div>
        {invalid ? (
          <p role="alert" className="error">
            {invalid}
          </p>
        ) : null}
        {confirming.error ? <ErrorView error={confirming.error} /> : null}
        {rejecting.error ? <ErrorView error={rejecting.error} /> : null}
      </form>
    </Section>
  );
}

/** A ship notice: what leaves now per line (partial quantities welcome), with the dispatch's references. */
function ShipForm({ order }: { order: OrderDetailFragment }) {
  const [quantities, setQuantities] = useState<Record<number, string>>({});
  const [reference, setReference] = useState('');
  const [carrier, setCarrier] = useState('');
  const [tracking, setTracking] = useState('');
  const [final, setFinal] = useState(false);
  const [invalid, setInvalid] = useState<string | undefined>();
  const [ship, shipping] = useMutation(ShipOrderDocument);

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    const lines = Object.entries(quantities)
      .filter(([, quantity]) => quantity.trim() !== '')
      .map(([lineNo, quantity]) => ({ lineNo: Number(lineNo), quantity: quantity.trim() }));
    if (lines.length === 0) return setInvalid('Enter the quantity shipped on at least one line.');
    const bad = lines.find((line) => !isQuantity(line.quantity));
    if (bad) return setInvalid(`Line ${bad.lineNo}: enter a positive quantity.`);
    setInvalid(undefined);
    void ship({
      variables: {
        id: order.id,
        input: {
          lines,
          ...(reference ? { reference } : {}),
          ...(carrier ? { carrier } : {}),
          ...(tracking ? { trackingNumber: tracking } : {}),
          final,
        },
      },
    })
      .then(() => setQuantities({}))
      .catch(() => undefined);
  };

  return (
    <Section title="Ship notice">
      <form onSubmit={onSubmit} aria-label="Send a ship notice">
        {order.lines.map((line) => (
          <label key={line.lineNo} className="line-input">
            Line {line.lineNo} ({line.item.name}), quantity shipped now
            <input
              inputMode="decimal"
              value={quantities[line.lineNo] ?? ''}
              onChange={(event) => setQuantities({ ...quantities, [line.lineNo]: event.target.value })}
            />
          </label>
        ))}
        <label>
          Delivery note number{' '}
          <input value={reference} onChange={(event) => setReference(event.target.value)} />
        </label>
        <label>
          Carrier <input value={carrier} onChange={(event) => setCarrier(event.target.value)} />
        </label>
        <label>
          Tracking number <input value={tracking} onChange={(event) => setTracking(event.target.value)} />
        </label>
        <label className="inline">
          <input type="checkbox" checked={final} onChange={(event) => setFinal(event.target.checked)} />{' '}
          Nothing more will be shipped
        </label>
        <button type="submit" disabled={shipping.loading}>
          Send ship notice
        </button>
        {invalid ? (
          <p role="alert" className="error">
            {invalid}
          </p>
        ) : null}
        {shipping.error ? <ErrorView error={shipping.error} /> : null}
      </form>
    </Section>
  );
}
