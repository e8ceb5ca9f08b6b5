import { useRef, useState, type FormEvent } from 'react';
import { useMutation, useQuery } from '@apollo/client/react';
import {
  ApproveInvoiceDocument,
  ConfirmOrderDocument,
  CreatePurchaseOrderDocument,
  DisputeInvoiceDocument,
  InvoiceDetailDocument,
  ItemsDocument,
  ReceiveShipmentDocument,
  RecordPaymentDocument,
  RunDunningDocument,
  SubmitOrderDocument,
  SuppliersDocument,
  type OrderDetailFragment,
} from '../generated/graphql.ts';
import { formatDate, formatDecimal, formatMoney, isAmount, isQuantity } from '../format.ts';
import { Link, match, navigate } from '../router.tsx';
import { Choice, ErrorView, Loading, newIdempotencyKey, NotFound, Section, Status } from '../ui.tsx';
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

export function Desk({ path, roles }: { path: string; roles: string[] }) {
  const order = match('/desk/orders/:id', path);
  if (order?.id) return <DeskOrder id={order.id} />;
  const invoice = match('/desk/invoices/:id', path);
  if (invoice?.id) return <InvoiceReview id={invoice.id} />;
  const buying = roles.some((role) => role === 'buyer' || role === 'admin');
  const finance = roles.some((role) => role === 'finance' || role === 'admin');
  const sales = roles.some((role) => role === 'sales' || role === 'admin');
  return (
    <>
      <h1>Buying and finance desk</h1>
      <div className="columns">
        <div>
          {buying ? (
            <>
              <Section title="Purchase orders">
                <OrderList
                  kind="PURCHASE"
                  basePath="/desk/orders"
                  label="Purchase orders"
                  empty="No purchase orders yet."
                />
              </Section>
              <NewPurchaseOrder />
            </>
          ) : null}
          {sales ? (
            <Section title="Sales orders to confirm">
              <OrderList
                kind="SALES"
                status="SUBMITTED"
                basePath="/desk/orders"
                label="Sales orders to confirm"
                empty="No sales order waits for confirmation."
                actions={(order) => <ConfirmSalesOrder id={order.id} />}
              />
            </Section>
          ) : null}
          {finance ? (
            <>
              <Section title="Disputed invoices">
                <InvoiceList
                  kind="PAYABLE"
                  status="DISPUTED"
                  label="Disputed invoices"
                  empty="No disputed invoice: every supplier invoice matched."
                  linkTo={(id) => `/desk/invoices/${id}`}
                />
              </Section>
              <Section title="Supplier invoices">
                <InvoiceList
                  kind="PAYABLE"
                  label="Supplier invoices"
                  empty="No supplier invoices yet."
                  linkTo={(id) => `/desk/invoices/${id}`}
                />
              </Section>
              <Section title="Receivables">
                <InvoiceList
                  kind="RECEIVABLE"
                  label="Receivables"
                  empty="No receivables yet."
                  actions={(invoice) =>
                    invoice.balance.amount !== '0' && invoice.status !== 'CANCELLED' ? (
                      <PaymentForm
                        id={invoice.id}
                        number={invoice.number}
                        currency={invoice.balance.currency}
                      />
                    ) : null
                  }
                />
                <Dunning />
              </Section>
            </>
          ) : null}
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

function ConfirmSalesOrder({ id }: { id: string }) {
  const [confirm, { loading, error }] = useMutation(ConfirmOrderDocument);
  return (
    <>
      <button
        type="button"
        disabled={loading}
        onClick={() => void confirm({ variables: { id } }).catch(() => undefined)}
      >
        Confirm
      </button>
      {error ? <ErrorView error={error} /> : null}
    </>
  );
}

function NewPurchaseOrder() {
  const suppliers = useQuery(SuppliersDocument, { variables: {} });
  const items = useQuery(ItemsDocument, { variables: {} });
  const [supplierId, setSupplierId] = useState('');
  const [currency, setCurrency] = useState('EUR');
  const [sku, setSku] = useState('');
  const [quantity, setQuantity] = useState('');
  const [price, setPrice] = useState('');
  const [invalid, setInvalid] = useState<string | undefined>();
  const key = useRef(newIdempotencyKey());
  const [create, creating] = useMutation(CreatePurchaseOrderDocument);

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    if (!supplierId) return setInvalid('Choose a supplier.');
    if (!sku) return setInvalid('Choose an item.');
    if (!isQuantity(quantity)) return setInvalid('Enter a positive quantity, at most 4 decimals.');
    if (!isAmount(price)) return setInvalid('Enter the unit price as a decimal such as 12.50.');
    if (!/^[A-Z]{3}$/.test(currency))
      return setInvalid('The currency is a three-letter ISO code such as EUR.');
    setInvalid(undefined);
    void create({
      variables: {
        idempotencyKey: key.current,
        input: { supplierId, currency, lines: [{ sku, quantity, unitPrice: { amount: price, currency } }] },
      },
    })
      .then((result) => {
        key.current = newIdempotencyKey();
        if (result.data) navigate(`/desk/orders/${result.data.createPurchaseOrder.id}`);
      })
      .catch(() => undefined);
  };

  return (
    <Section title="New purchase order">
      <form onSubmit={onSubmit} aria-label="New purchase order" className="grid-form">
        <label>
          Supplier
          <Choice
            value={supplierId}
            onChange={setSupplierId}
            options={suppliers.data?.partners.nodes.map((partner) => ({
              value: partner.id,
              label: `${partner.name} (${partner.country})`,
            }))}
          />
        </label>
        <label>
          Item
          <Choice
            value={sku}
            onChange={setSku}
            options={items.data?.items.nodes.map((item) => ({
              value: item.sku,
              label: `${item.name} (${item.sku})`,
            }))}
          />
        </label>
        <label>
          Quantity{' '}
          <input inputMode="decimal" value={quantity} onChange={(event) => setQuantity(event.target.value)} />
        </label>
        <label>
          Unit price{' '}
          <input inputMode="decimal" value={price} onChange={(event) => setPrice(event.target.value)} />
        </label>
        <label>
          Currency{' '}
          <input
            value={currency}
            maxLength={3}
            onChange={(event) => setCurrency(event.target.value.toUpperCase())}
          />
        </label>
        <button type="submit" disabled={creating.loading}>
          Create draft
        </button>
        {invalid ? (
          <p role="alert" className="error">
            {invalid}
          </p>
        ) : null}
        {creating.error ? <ErrorView error={creating.error} /> : null}
        {suppliers.error ? <ErrorView error={suppliers.error} /> : null}
      </form>
    </Section>
  );
}

function DeskOrder({ id }: { id: string }) {
  const [submit, submitting] = useMutation(SubmitOrderDocument);
  return (
    <OrderView id={id}>
      {(order) => (
        <>
          <p>
            <Link to="/desk">← Back to the desk</Link>
          </p>
          <OrderHeader order={order} />
          <OrderLinesTable order={order} />
          {order.status === 'DRAFT' ? (
            <p>
              <button
                type="button"
                disabled={submitting.loading}
                onClick={() => void submit({ variables: { id } }).catch(() => undefined)}
              >
                Submit to the supplier
              </button>
              {submitting.error ? <ErrorView error={submitting.error} /> : null}
            </p>
          ) : null}
          <Section title="Ship notices">
            <ShipmentsTable order={order} />
          </Section>
          {order.kind === 'PURCHASE'
            ? order.shipments
                .filter((shipment) => shipment.status === 'IN_TRANSIT')
                .map((shipment) => <ReceiptForm key={shipment.id} order={order} shipmentId={shipment.id} />)
            : null}
          <Section title="History">
            <OrderHistory order={order} />
          </Section>
        </>
      )}
    </OrderView>
  );
}

/** Goods receipt against one ship notice: accepted and refused quantities per line, with a reason. */
function ReceiptForm({ order, shipmentId }: { order: OrderDetailFragment; shipmentId: string }) {
  const shipment = order.shipments.find((candidate) => candidate.id === shipmentId)!;
  const [lines, setLines] = useState(() =>
    shipment.lines.map((line) => ({
      lineNo: line.lineNo,
      quantity: line.quantity,
      rejected: '0',
      reason: '',
    })),
  );
  const [invalid, setInvalid] = useState<string | undefined>();
  const [receive, receiving] = useMutation(ReceiveShipmentDocument);
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    const bad = lines.find((line) => !isQuantity(line.quantity, true) || !isQuantity(line.rejected, true));
    if (bad) return setInvalid(`Line ${bad.lineNo}: quantities are decimals such as 10 or 2.5.`);
    setInvalid(undefined);
    void receive({
      variables: {
        shipmentId,
        input: {
          lines: lines.map((line) => ({
            lineNo: line.lineNo,
            quantity: line.quantity,
            ...(line.rejected !== '0'
              ? { rejectedQuantity: line.rejected, rejectionReason: line.reason || 'refused at receipt' }
              : {}),
          })),
        },
      },
    }).catch(() => undefined);
  };
  return (
    <Section title={`Receipt of ${shipment.number}`} id={`receipt-${shipment.id}`}>
      <form onSubmit={onSubmit} aria-label={`Receive ${shipment.number}`}>
        {lines.map((line, index) => (
          <fieldset key={line.lineNo}>
            <legend>Line {line.lineNo}</legend>
            <label>
              Accepted{' '}
              <input
                inputMode="decimal"
                value={line.quantity}
                onChange={(event) =>
                  setLines(lines.map((l, i) => (i === index ? { ...l, quantity: event.target.value } : l)))
                }
              />
            </label>
            <label>
              Refused{' '}
              <input
                inputMode="decimal"
                value={line.rejected}
                onChange={(event) =>
                  setLines(lines.map((l, i) => (i === index ? { ...l, rejected: event.target.value } : l)))
                }
              />
            </label>
            <label>
              Reason refused{' '}
              <input
                value={line.reason}
                onChange={(event) =>
                  setLines(lines.map((l, i) => (i === index ? { ...l, reason: event.target.value } : l)))
                }
              />
            </label>
          </fieldset>
        ))}
        <button type="submit" disabled={receiving.loading}>
          Record receipt
        </button>
        {invalid ? (
          <p role="alert" className="error">
            {invalid}
          </p>
        ) : null}
        {receiving.error ? <ErrorView error={receiving.error} /> : null}
      </form>
    </Section>
  );
}

/** The three-way match of one supplier invoice, line by line, and the decision on it. */
function InvoiceReview({ id }: { id: string }) {
  const { data, loading, error, refetch } = useQuery(InvoiceDetailDocument, { variables: { id } });
  const [reason, setReason] = useState('');
  const [invalid, setInvalid] = useState<string | undefined>();
  const [approve, approving] = useMutation(ApproveInvoiceDocument);
  const [dispute, disputing] = useMutation(DisputeInvoiceDocument);
  if (error) return <ErrorView error={error} retry={() => void refetch()} />;
  if (!data) return loading ? <Loading what="the invoice" /> : null;
  const invoice = data.invoice;
  if (!invoice) return <NotFound what="Invoice" />;
  const decide = (action: 'approve' | 'dispute') => {
    if (!reason.trim())
      return setInvalid(
        action === 'approve' ? 'Give a justification to approve.' : 'Give a reason to dispute.',
      );
    setInvalid(undefined);
    const done =
      action === 'approve'
        ? approve({ variables: { id, justification: reason } })
        : dispute({ variables: { id, reason } });
    void done.then(() => refetch()).catch(() => undefined);
  };
  return (
    <>
      <p>
        <Link to="/desk">← Back to the desk</Link>
      </p>
      <h1>
        Invoice {invoice.number} from {invoice.issuer.name}
      </h1>
      <p>
        <span data-testid="invoice-status">
          <Status value={invoice.status} />
        </span>{' '}
        · total {formatMoney(invoice.total)} · due {formatDate(invoice.dueDate)}
        {invoice.disputeReason ? ` · disputed: ${invoice.disputeReason}` : ''}
        {invoice.approval ? ` · approved: ${invoice.approval.justification}` : ''}
      </p>
      {invoice.match ? (
        <Section title="Three-way match">
          <p>
            Tolerance: quantity {formatDecimal(invoice.match.tolerance.quantityPercent)} %
            {invoice.match.tolerance.quantityAbsolute
              ? ` or ${formatDecimal(invoice.match.tolerance.quantityAbsolute)}`
              : ''}
            , price {formatDecimal(invoice.match.tolerance.pricePercent)} %
            {invoice.match.tolerance.priceAbsolute
              ? ` or ${formatDecimal(invoice.match.tolerance.priceAbsolute)} per unit`
              : ''}
          </p>
          <table aria-label="Match per line">
            <thead>
              <tr>
                <th scope="col">Line</th>
                <th scope="col">Item</th>
                <th scope="col" className="num">
                  Ordered
                </th>
                <th scope="col" className="num">
                  Received
                </th>
                <th scope="col" className="num">
                  Invoiced before
                </th>
                <th scope="col" className="num">
                  Invoiced
                </th>
                <th scope="col" className="num">
                  Quantity variance
                </th>
                <th scope="col" className="num">
                  Order price
                </th>
                <th scope="col" className="num">
                  Invoiced price
                </th>
                <th scope="col" className="num">
                  Amount variance
                </th>
                <th scope="col">Result</th>
              </tr>
            </thead>
            <tbody>
              {invoice.match.lines.map((line) => (
                <tr key={line.lineNo}>
                  <td>{line.lineNo}</td>
                  <td>{line.sku}</td>
                  <td className="num">{formatDecimal(line.orderedQuantity)}</td>
                  <td className="num">{formatDecimal(line.receivedQuantity)}</td>
                  <td className="num">{formatDecimal(line.previouslyInvoicedQuantity)}</td>
                  <td className="num">{formatDecimal(line.invoicedQuantity)}</td>
                  <td className="num">{formatDecimal(line.quantityVariance)}</td>
                  <td className="num">{formatMoney(line.orderUnitPrice)}</td>
                  <td className="num">{formatMoney(line.invoicedUnitPrice)}</td>
                  <td className="num">{formatMoney(line.amountVariance)}</td>
                  <td>
                    <Status value={line.status} />
                    {line.reasons.length > 0 ? <div className="reason">{line.reasons.join('; ')}</div> : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </Section>
      ) : null}
      {invoice.kind === 'PAYABLE' && (invoice.status === 'DISPUTED' || invoice.status === 'APPROVED') ? (
        <Section title="Decision">
          <form onSubmit={(event) => event.preventDefault()} aria-label="Decide on the invoice">
            <label>
              Justification or reason{' '}
              <input value={reason} onChange={(event) => setReason(event.target.value)} />
            </label>
            {invoice.status === 'DISPUTED' ? (
              <button type="button" disabled={approving.loading} onClick={() => decide('approve')}>
                Approve for payment
              </button>
            ) : null}
            <button
              type="button"
              className="danger"
              disabled={disputing.loading}
              onClick={() => decide('dispute')}
            >
              Dispute
            </button>
            {invalid ? (
              <p role="alert" className="error">
                {invalid}
              </p>
            ) : null}
            {approving.error ? <ErrorView error={approving.error} /> : null}
            {disputing.error ? <ErrorView error={disputing.error} /> : null}
          </form>
        </Section>
      ) : null}
    </>
  );
}

function PaymentForm({ id, number, currency }: { id: string; number: string; currency: string }) {
  const [amount, setAmount] = useState('');
  const [reference, setReference] = useState('');
  const [invalid, setInvalid] = useState<string | undefined>();
  const [record, recording] = useMutation(RecordPaymentDocument);
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    if (!isAmount(amount) || !reference.trim())
      return setInvalid('Enter an amount such as 100.00 and the bank reference.');
    setInvalid(undefined);
    void record({ variables: { input: { invoiceId: id, amount: { amount, currency }, reference } } })
      .then(() => {
        setAmount('');
        setReference('');
      })
      .catch(() => undefined);
  };
  return (
    <form onSubmit={onSubmit} aria-label={`Record a payment of ${number}`} className="inline-form">
      <label>
        Amount ({currency}){' '}
        <input
          inputMode="decimal"
          value={amount}
          onChange={(event) => setAmount(event.target.value)}
          size={8}
        />
      </label>
      <label>
        Reference <input value={reference} onChange={(event) => setReference(event.target.value)} size={8} />
      </label>
      <button type="submit" disabled={recording.loading}>
        Record payment
      </button>
      {invalid ? (
        <p role="alert" className="error">
          {invalid}
        </p>
      ) : null}
      {recording.error ? <ErrorView error={recording.error} /> : null}
    </form>
  );
}

function Dunning() {
  const [run, { data, loading, error }] = useMutation(RunDunningDocument, { refetchQueries: ['Invoices'] });
  return (
    <div>
      <button
        type="button"
        disabled={loading}
        onClick={() => void run({ variables: {} }).catch(() => undefined)}
      >
        Run dunning today
      </button>
      {error ? <ErrorView error={error} /> : null}
      {data ? (
        <p role="status">
          {data.runDunning.reminders.length === 0
            ? 'No reminder due today.'
            : data.runDunning.reminders
                .map(
                  (reminder) =>
                    `${reminder.invoice.number}: level ${reminder.level} (${formatMoney(reminder.balance)})`,
                )
                .join(', ')}
        </p>
      ) : null}
    </div>
  );
}
