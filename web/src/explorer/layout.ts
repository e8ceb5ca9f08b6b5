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
        ...nodeAttributes(company ?? { id, name: focusName, country: '', risk: null }, x, index, ids.length),
        ...(isFocus ? { size: 8, color: FOCUS_COLOUR } : {}),
      });
    });
  }
  for (const link of links) addEdge(graph, link);
  return graph;
}

const COLUMN_WIDTH = 100;
const ROW_HEIGHT = 25;

function nodeAttributes(company: CompanyNode, column: number, row: number, rows: number) {
  return {
    x: column * COLUMN_WIDTH,
    y: (row - (rows - 1) / 2) * -ROW_HEIGHT,
    label: company.name,
    size: 5,
    color: RISK_COLOURS[company.risk ?? ''] ?? '#607d8b',
    risk: company.risk,
    country: company.country,
  };
}

function addEdge(graph: Graph, link: Pick<LinkInput, 'supplier' | 'customer' | 'share'>): boolean {
  if (!graph.hasNode(link.supplier.id) || !graph.hasNode(link.customer.id)) return false;
  if (graph.hasEdge(link.supplier.id, link.customer.id)) return false;
  graph.addDirectedEdge(link.supplier.id, link.customer.id, {
    size: 0.5 + 3 * (link.share ?? 0.2),
    color: '#9aa5b1',
    share: link.share,
  });
  return true;
}

/** A company's column in the drawing: its tier, negative upstream. */
function columnOf(graph: Graph, id: string): number {
  const x: unknown = graph.getNodeAttribute(id, 'x');
  return typeof x === 'number' ? Math.round(x / COLUMN_WIDTH) : 0;
}

/**
 * Adds one tier around `anchorId` to a drawn graph, in place: its suppliers one column to its left and its
 * customers one to its right, each new company below the companies its column already has, so nothing
 * drawn moves. Sigma redraws from the graph's own events; what was already drawn is not built again.
 */
export function expandTier(
  graph: Graph,
  anchorId: string,
  links: readonly Pick<LinkInput, 'supplier' | 'customer' | 'share' | 'direction'>[],
): { companies: number; links: number } {
  const anchor = columnOf(graph, anchorId);
  const lowest = new Map<number, number>();
  graph.forEachNode((id, attributes) => {
    const y: unknown = attributes.y;
    if (typeof y !== 'number') return;
    const column = columnOf(graph, id);
    lowest.set(column, Math.min(lowest.get(column) ?? Infinity, y));
  });
  let companies = 0;
  let added = 0;
  for (const link of links) {
    const company = link.direction === 'up' ? link.supplier : link.customer;
    if (!graph.hasNode(company.id)) {
      const column = anchor + (link.direction === 'up' ? -1 : 1);
      const y = (lowest.get(column) ?? ROW_HEIGHT) - ROW_HEIGHT;
      lowest.set(column, y);
      graph.addNode(company.id, { ...nodeAttributes(company, column, 0, 1), y });
      companies += 1;
    }
    if (addEdge(graph, link)) added += 1;
  }
  return { companies, links: added };
}
