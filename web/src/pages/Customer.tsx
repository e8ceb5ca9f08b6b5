import { useRef, useState, type FormEvent } from 'react';
import { useMutation, useQuery } from '@apollo/client/react';
import {
  CatalogDocument,
  MyBalanceDocument,
  PlaceSalesOrderDocument,
  type CatalogQuery,
} from '../generated/graphql.ts';
import { formatDecimal, formatMoney, isQuantity } from '../format.ts';
import { Link, match, navigate } from '../router.tsx';
import {
  Empty,
  ErrorView,
  Loading,
  newIdempotencyKey,
  Pager,
  Section,
  useDebounced,
  usePages,
} from '../ui.tsx';
import { InvoiceList } from './invoices.tsx';
import {
  OrderHeader,
  OrderHistory,
  OrderLinesTable,
  OrderList,
  OrderView,
  ShipmentsTable,
} from './orders.tsx';

export function CustomerPortal({ path, partnerId }: { path: string; partnerId: string | undefined }) {
  const params = match('/customer/orders/:id', path);
  if (params?.id) return <CustomerOrder id={params.id} />;
  return (
    <>
      <h1>Customer portal</h1>
      <Catalog />
      <Section title="Your orders">
        <OrderList
          kind="SALES"
          basePath="/customer/orders"
          label="Your orders"
          empty="You have not ordered yet."
        />
      </Section>
      <Section title="Invoices and balance">
        {partnerId ? <Balance partnerId={partnerId} /> : null}
        <InvoiceList kind="RECEIVABLE" label="Your invoices" empty="No invoices yet." />
      </Section>
    </>
  );
}

function Balance({ partnerId }: { partnerId: string }) {
  const { data, error } = useQuery(MyBalanceDocument, { variables: { id: partnerId } });
  if (error) return <ErrorView error={error} />;
  const open = data?.partner?.openBalance.receivable ?? [];
  return (
    <p>
      Open balance:{' '}
      <strong data-testid="balance">
        {open.length === 0 ? 'nothing due' : open.map(formatMoney).join(' + ')}
      </strong>
    </p>
  );
}

interface DraftLine {
  sku: string;
  name: string;
  quantity: string;
  currency: string;
}

/**
 * The catalog at this customer's prices, and an order built from it. The order carries one idempotency key
 * from the first click until it is placed: a double click, or a retry after a lost answer, places it once.
 * Search is the API's (`catalog(search:)`), page by page over the whole catalog, not a filter of the page
 * in view.
 */
function Catalog() {
  const [search, setSearch] = useState('');
  const searched = useDebounced(search.trim());
  const [draft, setDraft] = useState<DraftLine[]>([]);
  const [reference, setReference] = useState('');
  const [invalid, setInvalid] = useState<string | undefined>();
  const key = useRef(newIdempotencyKey());
  const inFlight = useRef(false);
  const [place, placing] = useMutation(PlaceSalesOrderDocument);

  const add = (entry: CatalogEntryRow) => {
    if (!entry.price || draft.some((line) => line.sku === entry.sku)) return;
    setDraft([...draft, { sku: entry.sku, name: entry.name, quantity: '1', currency: entry.price.currency }]);
  };

  const onPlace = (event: FormEvent) => {
    event.preventDefault();
    if (inFlight.current) return;
    if (draft.length === 0) return setInvalid('Add at least one item from the catalog.');
    const bad = draft.find((line) => !isQuantity(line.quantity));
    if (bad) return setInvalid(`${bad.name}: enter a positive quantity, at most 4 decimals.`);
    const currencies = new Set(draft.map((line) => line.currency));
    if (currencies.size > 1) return setInvalid('One order, one currency: split the order by currency.');
    setInvalid(undefined);
    inFlight.current = true;
    void place({
      variables: {
        idempotencyKey: key.current,
        input: {
          currency: draft[0]!.currency,
          lines: draft.map((line) => ({ sku: line.sku, quantity: line.quantity })),
          ...(reference ? { externalRef: reference } : {}),
        },
      },
    })
      .then((result) => {
        key.current = newIdempotencyKey();
        setDraft([]);
        setReference('');
        if (result.data) navigate(`/customer/orders/${result.data.placeSalesOrder.id}`);
      })
      .catch(() => undefined)
      .finally(() => {
        inFlight.current = false;
      });
  };

  return (
    <div className="columns">
      <Section title="Catalog">
        <label>
          Search the catalog{' '}
          <input type="search" value={search} onChange={(event) => setSearch(event.target.value)} />
        </label>
        {/* Keyed by the search: a new search starts from its own first page. */}
        <CatalogResults
          key={searched}
          search={searched}
          onAdd={add}
          added={new Set(draft.map((line) => line.sku))}
        />
      </Section>
      <aside>
        <Section title="New order">
          <form onSubmit={onPlace} aria-label="New order">
            {draft.length === 0 ? <Empty>Add items from the catalog.</Empty> : null}
            {draft.map((line, index) => (
              <div key={line.sku} className="line-input">
                <label>
                  Quantity of {line.name}
                  <input
                    inputMode="decimal"
                    value={line.quantity}
                    onChange={(event) =>
                      setDraft(
                        draft.map((l, i) => (i === index ? { ...l, quantity: event.target.value } : l)),
                      )
                    }
                  />
                </label>
                <button type="button" onClick={() => setDraft(draft.filter((_, i) => i !== index))}>
                  Remove {line.name}
                </button>
              </div>
            ))}
            <label>
              Your purchase order number{' '}
              <input value={reference} onChange={(event) => setReference(event.target.value)} />
            </label>
            <button type="submit" disabled={placing.loading}>
              Place order
            </button>
            {invalid ? (
              <p role="alert" className="error">
                {invalid}
              </p>
            ) : null}
            {placing.error ? <ErrorView error={placing.error} /> : null}
          </form>
        </Section>
      </aside>
    </div>
  );
}

type CatalogEntryRow = CatalogQuery['catalog']['nodes'][number];

/** One search's results, page by page. */
function CatalogResults({
  search,
  onAdd,
  added,
}: {
  search: string;
  onAdd: (entry: CatalogEntryRow) => void;
  added: ReadonlySet<string>;
}) {
  const pages = usePages();
  const { data, loading, error, refetch } = useQuery(CatalogDocument, {
    variables: { first: 20, after: pages.after, search: search || null },
  });
  const entries = data?.catalog.nodes ?? [];
  return (
    <>
      {error ? <ErrorView error={error} retry={() => void refetch()} /> : null}
      {!data && loading ? <Loading what="the catalog" /> : null}
      {data && entries.length === 0 ? (
        search ? (
          <Empty>No item matches “{search}”.</Empty>
        ) : (
          <Empty>The catalog is empty.</Empty>
        )
      ) : null}
      {entries.length > 0 ? (
        <table aria-label="Catalog">
          <thead>
            <tr>
              <th scope="col">Item</th>
              <th scope="col" className="num">
                List price
              </th>
              <th scope="col" className="num">
                Your price
              </th>
              <th scope="col">Promotion</th>
              <th scope="col" className="num">
                Available
              </th>
              <th scope="col">Order</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((entry) => (
              <tr key={entry.sku}>
                <td>
                  {entry.name} <small>{entry.sku}</small>
                </td>
                <td className="num">{formatMoney(entry.listPrice)}</td>
                <td className="num">{formatMoney(entry.price)}</td>
                <td>{entry.promotion ? entry.promotion.name : '—'}</td>
                <td className="num">
                  {formatDecimal(entry.available)} {entry.unit}
                </td>
                <td>
                  <button
                    type="button"
                    onClick={() => onAdd(entry)}
                    disabled={!entry.price || added.has(entry.sku)}
                    aria-label={`Add ${entry.name} to the order`}
                  >
                    Add
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {data ? <Pager pages={pages} pageInfo={data.catalog.pageInfo} label="Catalog" /> : null}
    </>
  );
}

function CustomerOrder({ id }: { id: string }) {
  return (
    <OrderView id={id}>
      {(order) => (
        <>
          <p>
            <Link to="/customer">← Back to the portal</Link>
          </p>
          <OrderHeader order={order} />
          <OrderLinesTable order={order} />
          <Section title="Shipments">
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
