import type { LinkPartsFragment } from '../generated/graphql.ts';
import type { LinkInput } from './layout.ts';

/**
 * Links per page of the network query: the API's largest page. Each link brings both companies' risk,
 * which the network subgraph reads for a whole page in one batch, so the gateway prices it as a few rows
 * (gateway/limitsOperation.ts) and a page of 500 links stays within an analyst's operation cost.
 */
export const NETWORK_PAGE = 500;

export function toLinks(nodes: readonly LinkPartsFragment[], direction: 'up' | 'down'): LinkInput[] {
  const company = (partner: LinkPartsFragment['supplier']) => ({
    id: partner.id,
    name: partner.name,
    country: partner.country,
    risk: partner.risk.level,
  });
  return nodes.map((link) => ({
    tier: link.tier,
    share: link.share,
    supplier: company(link.supplier),
    customer: company(link.customer),
    direction,
  }));
}
