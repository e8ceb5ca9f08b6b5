import Graph from 'graphology';

export interface CompanyNode {
  id: string;
  name: string;
  country: string;
  risk: string | null;
}

export interface LinkInput {
  tier: number;
  share: number | null;
  supplier: CompanyNode;
  customer: CompanyNode;
  direction: 'up' | 'down';
}

export const RISK_COLOURS: Record<string, string> = {
  LOW: '#2e7d32',
  MEDIUM: '#b26a00',
  HIGH: '#c62828',
  CRITICAL: '#6a1b9a',
};
export const FOCUS_COLOUR = '#0b57d0';
export const DIM_COLOUR = '#c9ced6';
export const AFFECTED_COLOUR = '#d50000';

/**
 * The network around one company as a graph: tiers left to right (suppliers of tier n at -n, customers of
 * tier n at +n, the company itself at 0), companies of one tier spread top to bottom, edge width by share,
 * colour by risk.
 */
export function buildGraph(focusId: string, focusName: string, links: LinkInput[]): Graph {
  const graph = new Graph({ multi: false, type: 'directed' });
  const column = new Map<string, number>([[focusId, 0]]);
  for (const link of links) {
    const company = link.direction === 'up' ? link.supplier : link.customer;
    const x = link.direction === 'up' ? -link.tier : link.tier;
    if (!column.has(company.id)) column.set(company.id, x);
  }
  const companies = new Map<string, CompanyNode>();
  for (const link of links) {
    companies.set(link.supplier.id, link.supplier);
    companies.set(link.customer.id, link.customer);
  }
  const perColumn = new Map<number, string[]>();
  for (const [id, x] of column) perColumn.set(x, [...(perColumn.get(x) ?? []), id]);
  for (const [x, ids] of perColumn) {
    ids.sort((a, b) => (companies.get(a)?.name ?? '').localeCompare(companies.get(b)?.name ?? ''));
    ids.forEach((id, index) => {
      const company = companies.get(id);
      const isFocus = id === focusId;
      graph.addNode(id, {
        x: x * 100,
        y: (index - (ids.length - 1) / 2) * -25,
        label: company?.name ?? focusName,
        size: isFocus ? 8 : 5,
        color: isFocus ? FOCUS_COLOUR : (RISK_COLOURS[company?.risk ?? ''] ?? '#607d8b'),
        risk: company?.risk ?? null,
        country: company?.country ?? '',
      });
    });
  }
  for (const link of links) {
    if (!graph.hasNode(link.supplier.id) || !graph.hasNode(link.customer.id)) continue;
    if (graph.hasEdge(link.supplier.id, link.customer.id)) continue;
    graph.addDirectedEdge(link.supplier.id, link.customer.id, {
      size: 0.5 + 3 * (link.share ?? 0.2),
      color: '#9aa5b1',
      share: link.share,
    });
  }
  return graph;
}
