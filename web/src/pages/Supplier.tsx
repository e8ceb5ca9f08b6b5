import { useRef, useState, type FormEvent } from 'react';
import { useMutation } from '@apollo/client/react';
import {
  ConfirmOrderDocument,
  RejectOrderDocument,
  ShipOrderDocument,
  type OrderDetailFragment,
  type ShipmentLineInput,
} from '../generated/graphql.ts';
import { isQuantity } from '../format.ts';
import { match } from '../router.tsx';
import { ErrorView, newIdempotencyKey, Section } from '../ui.tsx';
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
  // Sent again after a lost response, the answer is not taken twice. A refused answer records nothing, so
  // the corrected one may go under the same key; once an answer is taken the form is gone.
  const confirmKey = useRef(newIdempotencyKey());
  const rejectKey = useRef(newIdempotencyKey());
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
        idempotencyKey: confirmKey.current,
      },
    }).catch(() => undefined);
  };
  const onReject = () => {
    if (!reason.trim()) return setInvalid('Give a reason to reject the order.');
    setInvalid(undefined);
    void reject({ variables: { id: order.id, reason, idempotencyKey: rejectKey.current } }).catch(
      () => undefined,
    );
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
  const [lines, setLines] = useState<Record<number, ShipLineDraft>>({});
  const [reference, setReference] = useState('');
  const [carrier, setCarrier] = useState('');
  const [tracking, setTracking] = useState('');
  const [final, setFinal] = useState(false);
  const [invalid, setInvalid] = useState<string | undefined>();
  const [ship, shipping] = useMutation(ShipOrderDocument);
  const draftOf = (lineNo: number) => lines[lineNo] ?? EMPTY_LINE;
  const update = (lineNo: number, change: Partial<ShipLineDraft>) =>
    setLines({ ...lines, [lineNo]: { ...draftOf(lineNo), ...change } });

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    const shipped = Object.entries(lines)
      .filter(([, draft]) => draft.quantity.trim() !== '')
      .map(([lineNo, draft]) => ({ lineNo: Number(lineNo), draft }));
    if (shipped.length === 0) return setInvalid('Enter the quantity shipped on at least one line.');
    const input: ShipmentLineInput[] = [];
    for (const { lineNo, draft } of shipped) {
      const line = shipLineInput(lineNo, draft);
      if (typeof line === 'string') return setInvalid(line);
      input.push(line);
    }
    setInvalid(undefined);
    void ship({
      variables: {
        id: order.id,
        input: {
          lines: input,
          ...(reference ? { reference } : {}),
          ...(carrier ? { carrier } : {}),
          ...(tracking ? { trackingNumber: tracking } : {}),
          final,
        },
      },
    })
      .then(() => setLines({}))
      .catch(() => undefined);
  };

  return (
    <Section title="Ship notice">
      <form onSubmit={onSubmit} aria-label="Send a ship notice">
        {order.lines.map((line) => {
          const draft = draftOf(line.lineNo);
          const setLot = (index: number, change: Partial<LotDraft>) =>
            update(line.lineNo, {
              lots: draft.lots.map((lot, i) => (i === index ? { ...lot, ...change } : lot)),
            });
          return (
            <fieldset key={line.lineNo}>
              <legend>
                Line {line.lineNo}: {line.item.name} ({line.unit})
              </legend>
              <label>
                Quantity shipped now
                <input
                  inputMode="decimal"
                  aria-label={`Quantity shipped now, line ${line.lineNo}`}
                  value={draft.quantity}
                  onChange={(event) => update(line.lineNo, { quantity: event.target.value })}
                />
              </label>
              {draft.lots.map((lot, index) => {
                const which = `line ${line.lineNo}${draft.lots.length > 1 ? `, lot ${index + 1}` : ''}`;
                return (
                  <div key={index} className="inline-form">
                    <label>
                      Lot number
                      <input
                        aria-label={`Lot number, ${which}`}
                        value={lot.number}
                        onChange={(event) => setLot(index, { number: event.target.value })}
                      />
                    </label>
                    <label>
                      Lot quantity
                      <input
                        inputMode="decimal"
                        aria-label={`Lot quantity, ${which}`}
                        value={lot.quantity}
                        onChange={(event) => setLot(index, { quantity: event.target.value })}
                      />
                    </label>
                    <label>
                      Expiry date
                      <input
                        type="date"
                        aria-label={`Expiry date, ${which}`}
                        value={lot.expiryDate}
                        onChange={(event) => setLot(index, { expiryDate: event.target.value })}
                      />
                    </label>
                  </div>
                );
              })}
              <p className="hint">A single lot with no quantity is all of the line.</p>
              <button type="button" onClick={() => update(line.lineNo, { lots: [...draft.lots, EMPTY_LOT] })}>
                Add a lot to line {line.lineNo}
              </button>
              <label>
                Serial numbers (optional; one per unit, separated by spaces, commas or new lines)
                <textarea
                  aria-label={`Serial numbers, line ${line.lineNo}`}
                  rows={2}
                  value={draft.serials}
                  onChange={(event) => update(line.lineNo, { serials: event.target.value })}
                />
              </label>
            </fieldset>
          );
        })}
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

interface LotDraft {
  number: string;
  quantity: string;
  expiryDate: string;
}

interface ShipLineDraft {
  quantity: string;
  lots: LotDraft[];
  serials: string;
}

const EMPTY_LOT: LotDraft = { number: '', quantity: '', expiryDate: '' };
const EMPTY_LINE: ShipLineDraft = { quantity: '', lots: [EMPTY_LOT], serials: '' };

/**
 * One line of the ship notice as the API takes it, or what to fix. A single lot with no quantity is the
 * whole line; the API checks that the lots add up and that there is a serial number per unit.
 */
function shipLineInput(lineNo: number, draft: ShipLineDraft): ShipmentLineInput | string {
  const quantity = draft.quantity.trim();
  if (!isQuantity(quantity)) return `Line ${lineNo}: enter a positive quantity.`;
  const named = draft.lots.filter((lot) => lot.number.trim() !== '');
  const lots: NonNullable<ShipmentLineInput['lots']> = [];
  for (const lot of named) {
    const lotQuantity = lot.quantity.trim() || (named.length === 1 ? quantity : '');
    if (!isQuantity(lotQuantity)) return `Line ${lineNo}: enter the quantity of lot ${lot.number.trim()}.`;
    lots.push({
      number: lot.number.trim(),
      quantity: lotQuantity,
      ...(lot.expiryDate ? { expiryDate: lot.expiryDate } : {}),
    });
  }
  const serials = draft.serials.split(/[\s,;]+/).filter((serial) => serial !== '');
  return {
    lineNo,
    quantity,
    ...(lots.length > 0 ? { lots } : {}),
    ...(serials.length > 0 ? { serials } : {}),
  };
}
