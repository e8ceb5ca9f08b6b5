import { GATEWAY_PRINCIPAL, hasRole, isPartnerPrincipal } from '../../platform/auth/principal.ts';
import { badInput, forbidden, notFound } from '../../platform/errors.ts';
import { decodeCursor, pageSize, toPage } from '../../platform/pagination.ts';
import { identifierProblem, isCountryCode } from '../../platform/validation.ts';
import type { Context } from './context.ts';
import type { RegisterPartnerInput, Resolvers, UpdatePartnerInput } from './generated/resolvers.ts';
import {
  createApiKey,
  listPartners,
  partnerForApiKey,
  partnerSortKey,
  registerPartner,
  selfPartner,
  updatePartner,
  type PartnerRow,
} from './store.ts';

/** A partner principal sees itself and us; the company's own roles see every partner. */
async function visiblePartnerIds(ctx: Context): Promise<string[] | null> {
  if (!isPartnerPrincipal(ctx.principal)) return null;
  const self = await selfPartner(ctx.db);
  return [ctx.principal.partnerId, ...(self ? [self.id] : [])];
}

function assertValidPartner(
  input: Pick<RegisterPartnerInput, 'name' | 'country'> & Partial<RegisterPartnerInput>,
) {
  if (input.name !== undefined && input.name.trim() === '') throw badInput('name must not be empty');
  if (input.country !== undefined && !isCountryCode(input.country)) {
    throw badInput(`${input.country} is not an ISO 3166-1 alpha-2 country code`, { field: 'country' });
  }
  for (const identifier of input.identifiers ?? []) {
    const problem = identifierProblem(identifier.scheme, identifier.value);
    if (problem)
      throw badInput(`${identifier.scheme} ${identifier.value}: ${problem}`, { field: 'identifiers' });
  }
}

export const resolvers: Resolvers = {
  Query: {
    async partner(_parent, { id }, ctx) {
      const visible = await visiblePartnerIds(ctx);
      if (visible && !visible.includes(id)) return null;
      return (await ctx.partners.load(id)) ?? null;
    },
    async partners(_parent, { role, search, first, after }, ctx) {
      const size = pageSize(first);
      const cursor = decodeCursor(after, 2) as [string, string] | null;
      const onlyIds = await visiblePartnerIds(ctx);
      const rows = await listPartners(ctx.db, { role, search, onlyIds }, cursor, size + 1);
      return toPage(rows, size, partnerSortKey);
    },
    async self(_parent, _args, ctx) {
      const self = await selfPartner(ctx.db);
      if (!self) throw notFound('self partner', '(none registered)');
      return self;
    },
    async apiKeyPrincipal(_parent, { secret }, ctx) {
      if (ctx.principal.subject !== GATEWAY_PRINCIPAL.subject) throw forbidden();
      const found = await partnerForApiKey(ctx.db, secret);
      return found ? { partnerId: found.partner_id, keyId: found.key_id } : null;
    },
  },
  Mutation: {
    async registerPartner(_parent, { input }, ctx) {
      // Partners may disclose their own suppliers and customers, which enter as INVITED.
      const status = input.status ?? (isPartnerPrincipal(ctx.principal) ? 'INVITED' : 'ACTIVE');
      if (!hasRole(ctx.principal, 'admin', 'buyer', 'sales', 'partner')) throw forbidden();
      if (isPartnerPrincipal(ctx.principal) && status !== 'INVITED') {
        throw forbidden('partners can register other companies only as INVITED');
      }
      if (input.identifiers.length === 0)
        throw badInput('at least one identifier is required', { field: 'identifiers' });
      if (input.roles.length === 0) throw badInput('at least one role is required', { field: 'roles' });
      assertValidPartner(input);
      const { partner } = await ctx.db.transaction((tx) =>
        registerPartner(
          tx,
          { ...input, name: input.name.trim(), roles: [...new Set(input.roles)], status },
          ctx.actor,
        ),
      );
      return partner;
    },
    async updatePartner(_parent, { id, input }, ctx) {
      if (!hasRole(ctx.principal, 'admin', 'buyer', 'sales')) throw forbidden();
      assertValidUpdate(input);
      const partner = await ctx.db.transaction((tx) => updatePartner(tx, id, input, ctx.actor));
      if (!partner) throw notFound('partner', id);
      return partner;
    },
    async createApiKey(_parent, { partnerId, name }, ctx) {
      const own = isPartnerPrincipal(ctx.principal) && ctx.principal.partnerId === partnerId;
      if (!own && !hasRole(ctx.principal, 'admin')) throw forbidden();
      if (name.trim() === '') throw badInput('name must not be empty', { field: 'name' });
      if (!(await ctx.partners.load(partnerId))) throw notFound('partner', partnerId);
      const { key, secret } = await ctx.db.transaction((tx) =>
        createApiKey(tx, partnerId, name.trim(), ctx.actor),
      );
      return { apiKey: key, secret };
    },
  },
  Partner: {
    __resolveReference: async (reference: { id: string }, ctx: Context) =>
      (await ctx.partners.load(reference.id)) ?? null,
    isSelf: (partner: PartnerRow) => partner.is_self,
  },
  ApiKey: {
    partner: async (key, _args, ctx) => {
      const partner = await ctx.partners.load(key.partner_id);
      if (!partner) throw notFound('partner', key.partner_id);
      return partner;
    },
    createdAt: (key) => key.created_at.toISOString(),
  },
};

function assertValidUpdate(input: UpdatePartnerInput) {
  if (input.name !== undefined && input.name !== null && input.name.trim() === '')
    throw badInput('name must not be empty');
  if (input.country !== undefined && input.country !== null && !isCountryCode(input.country)) {
    throw badInput(`${input.country} is not an ISO 3166-1 alpha-2 country code`, { field: 'country' });
  }
  if (input.roles?.length === 0) throw badInput('at least one role is required', { field: 'roles' });
}
