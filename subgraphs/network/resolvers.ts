import { GraphQLError } from 'graphql';
import { badInput, notFound } from '../../platform/errors.ts';
import { decodeCursor, pageSize, toPage } from '../../platform/pagination.ts';
import { assertCompanyStaff } from './access.ts';
import type { Audience } from './cypher.ts';
import type { Context } from './context.ts';
import { declareLinks } from './declarations.ts';
import { impact } from './impact.ts';
import { confirmRequest, pendingRequests, rejectRequest } from './linkRequests.ts';
import { isActive, listDisruptions, reportDisruption, subscribeToAlerts } from './disruptions.ts';
import type { Resolvers } from './generated/resolvers.ts';
import { MAX_DEPTH, type AlertRow, type SupplyLinkRow } from './model.ts';
import {
  concentration,
  linkCursor,
  linksFrom,
  singleSourceRisks,
  supplyPath,
  type Direction,
} from './queries.ts';

/** Depth is a count of links: 1 to MAX_DEPTH; anything else is refused before a query runs. */
function validDepth(depth: number | null | undefined, fallback: number): number {
  const value = depth ?? fallback;
  if (!Number.isInteger(value) || value < 1 || value > MAX_DEPTH) {
    throw badInput(`depth must be between 1 and ${MAX_DEPTH}, not ${value}`, { field: 'depth' });
  }
  return value;
}

/** Where exploring starts when `of` is not given: a partner's own company, or us. */
function rootOf(audience: Audience, of: string | null | undefined): string | null {
  return of ?? (audience.kind === 'partner' ? audience.partnerId : null);
}

function missingRoot(id: string | null): GraphQLError {
  return id === null ? notFound('self partner', '(none in the network yet)') : notFound('partner', id);
}

function integerPart(value: string): number {
  if (!/^\d{1,3}$/.test(value))
    throw badInput('`after` is not a cursor this list returned', { field: 'after' });
  return Number(value);
}

async function linkPage(
  ctx: Context,
  direction: Direction,
  args: { of?: string | null; depth?: number | null; first?: number | null; after?: string | null },
) {
  const audience = ctx.audience();
  const depth = validDepth(args.depth, 3);
  const size = pageSize(args.first);
  const cursor = decodeCursor(args.after, 3);
  const after = cursor ? { tier: integerPart(cursor[0]!), a: cursor[1]!, b: cursor[2]! } : null;
  const id = rootOf(audience, args.of);
  const [root] = await linksFrom(ctx.driver, audience, direction, [id], depth, size + 1, after);
  if (!root?.rootId) throw missingRoot(id);
  return toPage(root.links, size, (link) => linkCursor(direction, link));
}

const ref = (id: string) => ({ id });
const items = (skus: readonly string[]) => skus.map((sku) => ({ sku }));

export const resolvers: Resolvers = {
  Query: {
    upstream: (_parent, args, ctx) => linkPage(ctx, 'upstream', args),
    downstream: (_parent, args, ctx) => linkPage(ctx, 'downstream', args),
    async supplyPath(_parent, { from, to }, ctx) {
      const audience = ctx.audience();
      if (from === to) throw badInput('from and to are the same company', { field: 'to' });
      const path = await supplyPath(ctx.driver, audience, from, to);
      if (!path.fromFound) throw notFound('partner', from);
      if (!path.toFound) throw notFound('partner', to);
      return path.companyIds && path.links ? { companyIds: path.companyIds, links: path.links } : null;
    },
    async impact(_parent, { partnerId, depth, first, after }, ctx) {
      const audience = ctx.audience();
      const validated = validDepth(depth, MAX_DEPTH);
      const size = pageSize(first);
      const cursor = decodeCursor(after, 2);
      const position = cursor ? { distance: integerPart(cursor[0]!), id: cursor[1]! } : null;
      const result = await impact(ctx.driver, audience, partnerId, validated, size + 1, position);
      if (!result.found) throw notFound('partner', partnerId);
      const page = toPage(result.page, size, (row) => [String(row.distance), row.companyId]);
      return {
        sourceId: partnerId,
        depth: validated,
        affectedCount: result.affectedCount,
        items: result.items,
        companies: page.nodes,
        pageInfo: page.pageInfo,
      };
    },
    async singleSourceRisks(_parent, { of, depth }, ctx) {
      const audience = ctx.audience();
      const id = rootOf(audience, of);
      const result = await singleSourceRisks(ctx.driver, audience, id, validDepth(depth, 3));
      if (!result.rootId) throw missingRoot(id);
      return result.rows;
    },
    async concentration(_parent, { by, of, depth, first }, ctx) {
      const audience = ctx.audience();
      const id = rootOf(audience, of);
      const validated = validDepth(depth, 3);
      const result = await concentration(ctx.driver, audience, by, id, validated, pageSize(first ?? 20));
      if (!result.rootId) throw missingRoot(id);
      const ratio = (part: number, whole: number) => (whole === 0 ? 0 : part / whole);
      return {
        by,
        depth: validated,
        directSuppliers: result.directSuppliers,
        upstreamCompanies: result.upstreamCompanies,
        entries: result.entries.map((entry) => ({
          ...entry,
          share: ratio(entry.companies, result.upstreamCompanies),
          dependentShare: ratio(entry.dependentSuppliers, result.directSuppliers),
        })),
      };
    },
    async pendingSupplyLinks(_parent, { filter, first, after }, ctx) {
      const size = pageSize(first);
      const cursor = decodeCursor(after, 1);
      if (cursor && !/^\d{1,19}$/.test(cursor[0]!)) {
        throw badInput('`after` is not a cursor this list returned', { field: 'after' });
      }
      const afterSeq = cursor ? Number(cursor[0]) : null;
      const rows = await pendingRequests(ctx.driver, ctx.principal, filter ?? 'ALL', afterSeq, size + 1);
      return toPage(rows, size, (row) => [String(row.seq)]);
    },
    disruptions: (_parent, { activeOnly }, ctx) =>
      listDisruptions(ctx.driver, ctx.audience(), activeOnly ?? true),
  },
  Mutation: {
    async declareSupplyLink(_parent, { input }, ctx) {
      const [row] = await declareLinks(ctx, ctx.principal, [input], true);
      if (row?.error) {
        throw new GraphQLError(row.error.message, {
          extensions: { code: row.error.code, ...(row.error.field ? { field: row.error.field } : {}) },
        });
      }
      return row!.link!;
    },
    async importSupplyLinks(_parent, { input }, ctx) {
      const rows = await declareLinks(ctx, ctx.principal, input.links, input.allOrNothing ?? false);
      return {
        imported: rows.filter((row) => row.link !== null).length,
        failed: rows.filter((row) => row.error !== null).length,
        rows,
      };
    },
    confirmSupplyLink: (_parent, { id }, ctx) => confirmRequest(ctx, ctx.principal, id),
    rejectSupplyLink: (_parent, { id, reason }, ctx) => rejectRequest(ctx, ctx.principal, id, reason),
    reportDisruption: (_parent, { input, idempotencyKey }, ctx) =>
      reportDisruption(ctx, ctx.principal, ctx.audience(), input, idempotencyKey),
  },
  Subscription: {
    disruptionAlerts: {
      subscribe: (_parent, { after }, ctx) => subscribeToAlerts(ctx.events, ctx.audience(), after),
      resolve: (alert: AlertRow) => alert,
    },
  },
  Partner: {
    __resolveReference: (reference: { id: string }) => ({ id: reference.id }),
    tier: (partner, _args, ctx) => {
      ctx.audience();
      return ctx.tiers.load(partner.id);
    },
    suppliers: (partner, { depth }, ctx) => ctx.linkList('upstream', validDepth(depth, 1)).load(partner.id),
    customers: (partner, { depth }, ctx) => ctx.linkList('downstream', validDepth(depth, 1)).load(partner.id),
    risk: (partner, _args, ctx) => {
      assertCompanyStaff(ctx.principal);
      return ctx.risk.load(partner.id);
    },
  },
  SupplyLink: {
    supplier: (link: SupplyLinkRow) => ref(link.supplierId),
    customer: (link: SupplyLinkRow) => ref(link.customerId),
    items: (link: SupplyLinkRow) => items(link.items),
    source: (link: SupplyLinkRow) =>
      link.sources.includes('OBSERVED') ? 'OBSERVED' : (link.sources[0] ?? null),
    declaredBy: (link: SupplyLinkRow) => (link.declaredBy ? ref(link.declaredBy) : null),
  },
  SupplyPath: {
    from: (path) => ref(path.companyIds[0]!),
    to: (path) => ref(path.companyIds[path.companyIds.length - 1]!),
    length: (path) => path.links.length,
    companies: (path) => path.companyIds.map(ref),
  },
  AffectedCompany: {
    partner: (row) => ref(row.companyId),
    tier: (row, _args, ctx) => ctx.tiers.load(row.companyId),
    path: (row) => row.path.map(ref),
    items: (row) => items(row.items),
  },
  Impact: {
    source: (row) => ref(row.sourceId),
    items: (row) => items(row.items),
  },
  SingleSourceRisk: {
    customer: (row) => ref(row.customerId),
    supplier: (row) => ref(row.supplierId),
    item: (row) => ({ sku: row.sku }),
  },
  ConcentrationEntry: {
    partner: (row) => (row.partnerId ? ref(row.partnerId) : null),
  },
  RiskFactor: {
    via: (row) => (row.viaId ? ref(row.viaId) : null),
  },
  Disruption: {
    partner: (row) => (row.partnerId ? ref(row.partnerId) : null),
    active: (row) => isActive(row),
  },
  DisruptionAlert: {
    company: (row) => ref(row.companyId),
    path: (row) => row.path.map(ref),
    items: (row) => items(row.items),
  },
};
