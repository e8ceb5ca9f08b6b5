import { useQuery } from '@apollo/client/react';
import { InvoicesDocument, type InvoiceKind, type InvoiceStatus } from '../generated/graphql.ts';
import { formatDate, formatMoney } from '../format.ts';
import { Link } from '../router.tsx';
import { Empty, ErrorView, Loading, Pager, Status, usePages } from '../ui.tsx';
import type { ReactNode } from 'react';

type InvoiceRow = NonNullable<ReturnType<typeof useInvoicesPage>['data']>['invoices']['nodes'][number];

function useInvoicesPage(
  kind: InvoiceKind | undefined,
  status: InvoiceStatus | undefined,
  after: string | null,
) {
  return useQuery(InvoicesDocument, {
    variables: { ...(kind ? { kind } : {}), ...(status ? { status } : {}), first: 10, after },
  });
}

/** A page of invoices with match status, dispute reason, payments and reminders. */
export function InvoiceList({
  kind,
  status,
  label,
  empty,
  linkTo,
  actions,
}: {
  kind?: InvoiceKind;
  status?: InvoiceStatus;
  label: string;
  empty: string;
  linkTo?: (id: string) => string;
  actions?: (invoice: InvoiceRow) => ReactNode;
}) {
  const pages = usePages();
  const { data, loading, error, refetch } = useInvoicesPage(kind, status, pages.after);
  if (error) return <ErrorView error={error} retry={() => void refetch()} />;
  if (!data) return loading ? <Loading what="invoices" /> : null;
  const invoices = data.invoices.nodes;
  if (invoices.length === 0) return <Empty>{empty}</Empty>;
  return (
    <>
      <table aria-label={label}>
        <thead>
          <tr>
            <th scope="col">Invoice</th>
            <th scope="col">From → to</th>
            <th scope="col">Order</th>
            <th scope="col">Status</th>
            <th scope="col">Match</th>
            <th scope="col" className="num">
              Total
            </th>
            <th scope="col" className="num">
              Balance
            </th>
            <th scope="col">Due</th>
            <th scope="col">Payments and reminders</th>
            {actions ? <th scope="col">Action</th> : null}
          </tr>
        </thead>
        <tbody>
          {invoices.map((invoice) => (
            <tr key={invoice.id} data-invoice={invoice.number}>
              <td>{linkTo ? <Link to={linkTo(invoice.id)}>{invoice.number}</Link> : invoice.number}</td>
              <td>
                {invoice.issuer.name} → {invoice.recipient.name}
              </td>
              <td>{invoice.order?.number ?? '—'}</td>
              <td>
                <Status value={invoice.status} />
                {invoice.disputeReason ? <div className="reason">{invoice.disputeReason}</div> : null}
              </td>
              <td>{invoice.match ? <Status value={invoice.match.status} /> : '—'}</td>
              <td className="num">{formatMoney(invoice.total)}</td>
              <td className="num">{formatMoney(invoice.balance)}</td>
              <td>
                {formatDate(invoice.dueDate)}
                {invoice.overdue ? <strong className="overdue"> overdue</strong> : null}
              </td>
              <td>
                {invoice.payments.map((payment) => (
                  <div key={payment.id}>
                    Paid {formatMoney(payment.amount)} on {formatDate(payment.paidOn)} ({payment.reference})
                  </div>
                ))}
                {invoice.reminders.map((reminder) => (
                  <div key={`${reminder.level}-${reminder.sentAt}`}>
                    Reminder level {reminder.level}, {reminder.daysOverdue} days overdue
                  </div>
                ))}
                {invoice.payments.length + invoice.reminders.length === 0 ? '—' : null}
              </td>
              {actions ? <td>{actions(invoice)}</td> : null}
            </tr>
          ))}
        </tbody>
      </table>
      <Pager pages={pages} pageInfo={data.invoices.pageInfo} label={label} />
    </>
  );
}
