import { useMemo, useState } from 'react';
import { useApolloClient } from '@apollo/client/react';
import type Graph from 'graphology';
import { NetworkDocument, type NetworkQuery, type NetworkQueryVariables } from '../generated/graphql.ts';
import { ErrorView } from '../ui.tsx';
import { expandTier, type LinkInput } from './layout.ts';
import { NETWORK_PAGE, toLinks } from './network.ts';

const count = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** The links one tier up and one tier down of a company, page after page. */
async function oneTier(client: ReturnType<typeof useApolloClient>, id: string): Promise<LinkInput[]> {
  const links: LinkInput[] = [];
  let upAfter: string | null = null;
  let downAfter: string | null = null;
  let more = { up: true, down: true };
  while (more.up || more.down) {
    // Not cached: the drawn graph holds these links, and the focus's cached network must not change.
    const variables: NetworkQueryVariables = { of: id, depth: 1, first: NETWORK_PAGE, upAfter, downAfter };
    const { data } = await client.query<NetworkQuery, NetworkQueryVariables>({
      query: NetworkDocument,
      variables,
      fetchPolicy: 'no-cache',
    });
    if (!data) throw new Error(`The network around ${id} could not be read.`);
    if (more.up) links.push(...toLinks(data.upstream.nodes, 'up'));
    if (more.down) links.push(...toLinks(data.downstream.nodes, 'down'));
    more = {
      up: more.up && data.upstream.pageInfo.hasNextPage,
      down: more.down && data.downstream.pageInfo.hasNextPage,
    };
    upAfter = data.upstream.pageInfo.endCursor ?? null;
    downAfter = data.downstream.pageInfo.endCursor ?? null;
  }
  return links;
}

/**
 * Choose a company of the graph (from the list, or by clicking it) and add the tier beyond it: its
 * suppliers and customers join the drawing in place, without reading the rest of the network again.
 * Also the keyboard's way to any company of the graph, which is a canvas.
 */
export function ExpandTier({
  graph,
  version,
  selected,
  onSelect,
  onFocus,
  onExpanded,
}: {
  graph: Graph;
  /** Bumped by every expansion, so the list of companies follows the graph. */
  version: number;
  selected: string | undefined;
  onSelect: (id: string | undefined) => void;
  onFocus: (id: string, name: string) => void;
  onExpanded: () => void;
}) {
  const client = useApolloClient();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [outcome, setOutcome] = useState<string>();
  const companies = useMemo(() => {
    const list: { id: string; name: string }[] = [];
    graph.forEachNode((id, attributes) => {
      const label: unknown = attributes.label;
      list.push({ id, name: typeof label === 'string' ? label : id });
    });
    return list.sort((a, b) => a.name.localeCompare(b.name));
    // version: the graph is changed in place by expansions.
  }, [graph, version]);
  const chosen = companies.find((company) => company.id === selected);

  const expand = async (company: { id: string; name: string }) => {
    setBusy(true);
    setError(undefined);
    try {
      const added = expandTier(graph, company.id, await oneTier(client, company.id));
      setOutcome(
        `${company.name}: ${count(added.companies, 'company', 'companies')} and ${count(added.links, 'link', 'links')} added one tier beyond it.`,
      );
      onExpanded();
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="toolbar" role="group" aria-label="Chosen company">
      <label htmlFor="explorer-company">Company in the graph</label>
      <select
        id="explorer-company"
        value={chosen?.id ?? ''}
        onChange={(event) => onSelect(event.target.value || undefined)}
      >
        <option value="">Choose one, or click it in the graph</option>
        {companies.map((company) => (
          <option key={company.id} value={company.id}>
            {company.name}
          </option>
        ))}
      </select>
      {chosen ? (
        <>
          <button type="button" disabled={busy} onClick={() => void expand(chosen)}>
            Expand a tier from {chosen.name}
          </button>
          <button type="button" onClick={() => onFocus(chosen.id, chosen.name)}>
            Focus {chosen.name}
          </button>
        </>
      ) : null}
      <span role="status" aria-live="polite">
        {busy ? `Reading the tier around ${chosen?.name ?? 'the company'}…` : (outcome ?? '')}
      </span>
      {error ? <ErrorView error={error} retry={chosen ? () => void expand(chosen) : undefined} /> : null}
    </div>
  );
}
