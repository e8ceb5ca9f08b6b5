import { hasRole, isPartnerPrincipal } from '../../platform/auth/principal.ts';
import { badInput, forbidden, notFound } from '../../platform/errors.ts';
import type { Context } from './context.ts';
import type { Resolvers } from './generated/resolvers.ts';
import { MAX_DEPTH, selfId, supplyLinks, type SupplyLinkRow } from './store.ts';

function validDepth(depth: number | null | undefined): number {
  const value = depth ?? 1;
  if (!Number.isInteger(value) || value < 1 || value > MAX_DEPTH) {
    throw badInput(`depth must be between 1 and ${MAX_DEPTH}`, { field: 'depth' });
  }
  return value;
}

/**
 * The network beyond direct partners is for the company's analysts; a partner sees the links around
 * itself. (Finer visibility, including what partners choose to share, belongs to the network domain.)
 */
function assertMayExplore(ctx: Context, partnerId: string) {
  if (isPartnerPrincipal(ctx.principal)) {
    if (ctx.principal.partnerId !== partnerId)
      throw forbidden('partners see only the links around themselves');
    return;
  }
  if (!hasRole(ctx.principal, 'admin', 'analyst', 'buyer', 'sales')) throw forbidden();
}

async function linksFrom(
  ctx: Context,
  direction: 'upstream' | 'downstream',
  of: string | null | undefined,
  depth: number | null | undefined,
) {
  const partnerId = of ?? (await selfId(ctx.driver));
  if (!partnerId) throw notFound('self partner', '(none in the network yet)');
  assertMayExplore(ctx, partnerId);
  return supplyLinks(ctx.driver, direction, partnerId, validDepth(depth));
}

export const resolvers: Resolvers = {
  Query: {
    upstream: (_parent, { of, depth }, ctx) => linksFrom(ctx, 'upstream', of, depth ?? 3),
    downstream: (_parent, { of, depth }, ctx) => linksFrom(ctx, 'downstream', of, depth ?? 3),
  },
  Partner: {
    __resolveReference: (reference: { id: string }) => ({ id: reference.id }),
    tier: (partner, _args, ctx) => ctx.tiers.load(partner.id),
    suppliers: (partner, { depth }, ctx) => linksFrom(ctx, 'upstream', partner.id, depth),
    customers: (partner, { depth }, ctx) => linksFrom(ctx, 'downstream', partner.id, depth),
  },
  SupplyLink: {
    supplier: (link: SupplyLinkRow) => ({ id: link.supplierId }),
    customer: (link: SupplyLinkRow) => ({ id: link.customerId }),
    items: (link: SupplyLinkRow) => link.items.map((sku) => ({ sku })),
  },
};
