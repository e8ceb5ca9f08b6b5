import { useEffect, useMemo, useState } from 'react';
import { useLazyQuery, useQuery, useSubscription } from '@apollo/client/react';
import {
  CompaniesDocument,
  DisruptionAlertsDocument,
  ImpactDocument,
  NetworkDocument,
  RisksDocument,
  SelfDocument,
} from '../generated/graphql.ts';
import { formatDateTime, formatPercent, humanStatus } from '../format.ts';
import { buildGraph, RISK_COLOURS } from '../explorer/layout.ts';
import { ExpandTier } from '../explorer/ExpandTier.tsx';
import { NETWORK_PAGE, toLinks } from '../explorer/network.ts';
import { NetworkGraph } from '../explorer/NetworkGraph.tsx';
import { Empty, ErrorView, Loading, Section, Status } from '../ui.tsx';
import { useFeed } from './orders.tsx';

const OPEN_STATUSES = new Set([
  'DRAFT',
  'SUBMITTED',
  'CONFIRMED',
  'PARTIALLY_CONFIRMED',
  'PARTIALLY_SHIPPED',
  'SHIPPED',
  'PARTIALLY_RECEIVED',
]);

export function Explorer() {
  const self = useQuery(SelfDocument);
  const [chosen, setChosen] = useState<{ id: string; name: string } | undefined>();
  const focus = chosen ?? (self.data ? { id: self.data.self.id, name: self.data.self.name } : undefined);
  const [depth, setDepth] = useState(4);
  const [search, setSearch] = useState('');
  const companies = useQuery(CompaniesDocument, {
    variables: { search: search.trim() || null },
    skip: search.trim().length < 2,
  });
  const network = useQuery(NetworkDocument, {
    variables: { of: focus?.id ?? null, depth, first: NETWORK_PAGE },
    skip: !focus,
  });
  const [runImpact, impact] = useLazyQuery(ImpactDocument);
  const [alerted, setAlerted] = useState<ReadonlySet<string>>(new Set());
  const alerts = useSubscription(DisruptionAlertsDocument, {
    onData: ({ data }) => {
      const alert = data.data?.disruptionAlerts;
      if (alert) setAlerted((seen) => new Set([...seen, alert.company.id]));
    },
  });
  const alertFeed = useFeed(alerts.data?.disruptionAlerts);

  // A network larger than one page is read page after page, then drawn once.
  const pending = network.data
    ? network.data.upstream.pageInfo.hasNextPage || network.data.downstream.pageInfo.hasNextPage
    : false;
  const { fetchMore } = network;
  useEffect(() => {
    const current = network.data;
    if (!current || !pending) return;
    const up = current.upstream.pageInfo;
    const down = current.downstream.pageInfo;
    void fetchMore({
      variables: { upAfter: up.endCursor, downAfter: down.endCursor },
      updateQuery: (previous, { fetchMoreResult }) => ({
        upstream: up.hasNextPage
          ? {
              nodes: [...previous.upstream.nodes, ...fetchMoreResult.upstream.nodes],
              pageInfo: fetchMoreResult.upstream.pageInfo,
            }
          : previous.upstream,
        downstream: down.hasNextPage
          ? {
              nodes: [...previous.downstream.nodes, ...fetchMoreResult.downstream.nodes],
              pageInfo: fetchMoreResult.downstream.pageInfo,
            }
          : previous.downstream,
      }),
    });
  }, [network.data, pending, fetchMore]);

  const graph = useMemo(() => {
    if (!focus || !network.data || pending) return undefined;
    return buildGraph(focus.id, focus.name, [
      ...toLinks(network.data.upstream.nodes, 'up'),
      ...toLinks(network.data.downstream.nodes, 'down'),
    ]);
  }, [focus?.id, focus?.name, network.data, pending]);

  const impactData = impact.data?.impact.source.id === focus?.id ? impact.data?.impact : undefined;
  const affected = useMemo(
    () => new Set(impactData?.companies.map((company) => company.partner.id) ?? []),
    [impactData],
  );
  // The company chosen in the graph (clicked, or picked from the list) for "expand a tier" and "focus".
  const [selected, setSelected] = useState<string>();
  // Expansions change the drawn graph in place; this re-renders what reads it.
  const [expansions, setExpansions] = useState(0);

  return (
    <>
      <h1>Network explorer</h1>
      <div className="toolbar">
        <label>
          Find a company{' '}
          <input
            type="search"
            value={search}
            onChange={(event) => setSearch(event.target.value)}
            placeholder="at least 2 letters"
          />
        </label>
        {companies.data && search.trim().length >= 2 ? (
          <ul className="choices" aria-label="Matching companies">
            {companies.data.partners.nodes.map((partner) => (
              <li key={partner.id}>
                <button
                  type="button"
                  onClick={() => {
                    setChosen({ id: partner.id, name: partner.name });
                    setSearch('');
                  }}
                >
                  Focus {partner.name} ({partner.country})
                </button>
              </li>
            ))}
          </ul>
        ) : null}
        <label htmlFor="explorer-depth">Tiers shown</label>
        <select id="explorer-depth" value={depth} onChange={(event) => setDepth(Number(event.target.value))}>
          {[1, 2, 3, 4, 5, 6].map((value) => (
            <option key={value} value={value}>
              {value}
            </option>
          ))}
        </select>
        {focus ? (
          <button
            type="button"
            onClick={() => void runImpact({ variables: { partnerId: focus.id, depth: 10 } })}
          >
            What if {focus.name} stops?
          </button>
        ) : null}
        {chosen ? (
          <button type="button" onClick={() => setChosen(undefined)}>
            Back to our company
          </button>
        ) : null}
      </div>
      <p className="legend">
        Focus: <strong data-testid="focus">{focus?.name ?? '…'}</strong>. Suppliers to the left, customers to
        the right; edge width is the share of supply; colour is risk:{' '}
        {Object.entries(RISK_COLOURS).map(([level, colour]) => (
          <span key={level} className="swatch" style={{ borderColor: colour }}>
            {humanStatus(level)}
          </span>
        ))}
      </p>
      {self.error ? <ErrorView error={self.error} /> : null}
      {network.error ? <ErrorView error={network.error} retry={() => void network.refetch()} /> : null}
      {!graph && (network.loading || self.loading || pending) ? <Loading what="the network" /> : null}
      {graph && graph.order <= 1 ? <Empty>No supply links are known around {focus?.name} yet.</Empty> : null}
      {graph && focus ? (
        <ExpandTier
          graph={graph}
          version={expansions}
          selected={selected}
          onSelect={setSelected}
          onFocus={(id, name) => {
            setChosen({ id, name });
            setSelected(undefined);
          }}
          onExpanded={() => setExpansions((count) => count + 1)}
        />
      ) : null}
      {graph && focus ? (
        <NetworkGraph
          graph={graph}
          focusId={focus.id}
          selectedId={selected}
          affected={affected}
          alerted={alerted}
          onSelect={setSelected}
        />
      ) : null}
      {impact.error ? <ErrorView error={impact.error} /> : null}
      {impact.loading ? <Loading what="the impact" /> : null}
      {impactData ? (
        <Section title={`If ${impactData.source.name} stops`} id="impact">
          <p role="status">
            {impactData.affectedCount} companies affected, through{' '}
            {impactData.items.map((item) => item.name).join(', ') || 'no named items'}.
          </p>
          <table aria-label="Affected companies">
            <thead>
              <tr>
                <th scope="col">Company</th>
                <th scope="col">Distance</th>
                <th scope="col">Path</th>
                <th scope="col">Items</th>
                <th scope="col">Open orders hit</th>
              </tr>
            </thead>
            <tbody>
              {impactData.companies.map((company) => (
                <tr key={company.partner.id}>
                  <td>
                    {company.partner.name} ({company.partner.country})
                  </td>
                  <td>{company.distance}</td>
                  <td>{company.path.map((step) => step.name).join(' → ')}</td>
                  <td>{company.items.map((item) => item.sku).join(', ')}</td>
                  <td>
                    {company.partner.orders.nodes
                      .filter((order) => OPEN_STATUSES.has(order.status))
                      .map((order) => (
                        <div key={order.id}>
                          {order.number} <Status value={order.status} />
                        </div>
                      ))}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </Section>
      ) : null}
      <div className="columns">
        <Risks depth={depth} />
        <aside>
          <Section title="Live disruptions">
            {alerts.error ? <ErrorView error={alerts.error} /> : null}
            {alertFeed.length === 0 ? (
              <Empty>No disruption reported since you opened the explorer.</Empty>
            ) : (
              <ul aria-live="polite" aria-label="Disruption alerts">
                {alertFeed.map((alert) => (
                  <li key={alert.cursor}>
                    <time dateTime={alert.at}>{formatDateTime(alert.at)}</time> {alert.company.name}:{' '}
                    {alert.disruption.description} ({humanStatus(alert.disruption.severity)}, {alert.distance}{' '}
                    tiers away)
                  </li>
                ))}
              </ul>
            )}
          </Section>
        </aside>
      </div>
    </>
  );
}

function Risks({ depth }: { depth: number }) {
  const { data, loading, error, refetch } = useQuery(RisksDocument, { variables: { depth } });
  if (error) return <ErrorView error={error} retry={() => void refetch()} />;
  if (!data) return loading ? <Loading what="risks" /> : null;
  return (
    <div>
      <Section title="Single-source risks">
        {data.singleSourceRisks.length === 0 ? (
          <Empty>No item depends on one supplier alone.</Empty>
        ) : (
          <table aria-label="Single-source risks">
            <thead>
              <tr>
                <th scope="col">Company</th>
                <th scope="col">Item</th>
                <th scope="col">Only supplier</th>
                <th scope="col">Tier</th>
                <th scope="col" className="num">
                  Share
                </th>
              </tr>
            </thead>
            <tbody>
              {data.singleSourceRisks.map((risk) => (
                <tr key={`${risk.customer.id}-${risk.item.sku}-${risk.supplier.id}`}>
                  <td>{risk.customer.name}</td>
                  <td>{risk.item.name}</td>
                  <td>
                    {risk.supplier.name} ({risk.supplier.country})
                  </td>
                  <td>{risk.tier}</td>
                  <td className="num">{formatPercent(risk.share)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Section>
      <Section title="Concentration by country">
        <p>
          {data.concentration.directSuppliers} direct suppliers, {data.concentration.upstreamCompanies}{' '}
          companies upstream.
        </p>
        <table aria-label="Concentration by country">
          <thead>
            <tr>
              <th scope="col">Country</th>
              <th scope="col" className="num">
                Companies
              </th>
              <th scope="col">Share of upstream</th>
              <th scope="col" className="num">
                Direct suppliers depending on it
              </th>
            </tr>
          </thead>
          <tbody>
            {data.concentration.entries.map((entry) => (
              <tr key={entry.key}>
                <td>{entry.key}</td>
                <td className="num">{entry.companies}</td>
                <td>
                  <span
                    className="bar"
                    style={{ width: `${Math.round(entry.share * 100)}%` }}
                    aria-hidden="true"
                  />{' '}
                  {formatPercent(entry.share)}
                </td>
                <td className="num">
                  {entry.dependentSuppliers} ({formatPercent(entry.dependentShare)})
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </Section>
      <Section title="Active disruptions">
        {data.disruptions.length === 0 ? (
          <Empty>No active disruption.</Empty>
        ) : (
          <ul>
            {data.disruptions.map((disruption) => (
              <li key={disruption.id}>
                {disruption.partner?.name ?? disruption.country}: {disruption.description} (
                {humanStatus(disruption.severity)})
              </li>
            ))}
          </ul>
        )}
      </Section>
    </div>
  );
}
