import { GATEWAY_PRINCIPAL, hasRole, isPartnerPrincipal } from '../../platform/auth/principal.ts';
import { badInput, forbidden, notFound } from '../../platform/errors.ts';
import { decodeCursor, pageSize, toPage } from '../../platform/pagination.ts';
import { identifierProblem, isCountryCode } from '../../platform/validation.ts';
import type { Context } from './context.ts';
import type { RegisterPartnerInput, Resolvers, UpdatePartnerInput } from './generated/resolvers.ts';
import {
  addCertification,
  addContact,
  certificationForUpdate,
  contactForUpdate,
  createApiKey,
  listPartners,
  partnerForApiKey,
  partnerSortKey,
  registerPartner,
  removeCertification,
  removeContact,
  updatePartner,
  type PartnerRow,
} from './store.ts';
import { validCertification, validContact } from './validation.ts';
import { todayUtc } from '../../platform/dates.ts';

/** A partner principal sees itself and us; the company's own roles see every partner. */
async function visiblePartnerIds(ctx: Context): Promise<string[] | null> {
  if (!isPartnerPrincipal(ctx.principal)) return null;
  const self = await ctx.selfPartner();
  return [ctx.principal.partnerId, ...(self ? [self.id] : [])];
}

/**
 * Partners a principal cannot list still reach it as entity references (a supplier's supplier in the
 * network); their contacts and certifications stay as invisible as the partner itself.
 */
async function mayReadDetails(ctx: Context, partnerId: string): Promise<boolean> {
  const visible = await visiblePartnerIds(ctx);
  return visible === null || visible.includes(partnerId);
}

/** The staff who deal with partners keep their contacts and certifications; finance and analysts read. */
function mayManageAnyPartner(ctx: Context): boolean {
  return !isPartnerPrincipal(ctx.principal) && hasRole(ctx.principal, 'admin', 'buyer', 'sales');
}

/** A partner keeps its own contacts and certifications, and no one else's. */
function assertMayManage(ctx: Context, partnerId: string) {
  if (isPartnerPrincipal(ctx.principal) && ctx.principal.partnerId === partnerId) return;
  if (!mayManageAnyPartner(ctx)) throw forbidden('not allowed to manage this partner');
}

/** Refuses at once a principal that may manage no partner at all, before looking anything up. */
function assertMayManageSome(ctx: Context) {
  if (!isPartnerPrincipal(ctx.principal) && !mayManageAnyPartner(ctx)) throw forbidden();
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
      const self = await ctx.selfPartner();
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
    async addPartnerContact(_parent, { partnerId, input }, ctx) {
      assertMayManage(ctx, partnerId);
      const contact = validContact(input);
      const added = await ctx.db.transaction((tx) => addContact(tx, partnerId, contact));
      if (!added) throw notFound('partner', partnerId);
      return added;
    },
    async removePartnerContact(_parent, { id }, ctx) {
      assertMayManageSome(ctx);
      await ctx.db.transaction(async (tx) => {
        const contact = await contactForUpdate(tx, id);
        if (!contact) throw notFound('contact', id);
        assertMayManage(ctx, contact.partnerId);
        await removeContact(tx, id);
      });
      return true;
    },
    async addCertification(_parent, { partnerId, input }, ctx) {
      assertMayManage(ctx, partnerId);
      const certification = validCertification(input);
      const added = await ctx.db.transaction((tx) =>
        addCertification(tx, partnerId, certification, ctx.actor),
      );
      if (!added) throw notFound('partner', partnerId);
      return added;
    },
    async removeCertification(_parent, { id }, ctx) {
      assertMayManageSome(ctx);
      await ctx.db.transaction(async (tx) => {
        const certification = await certificationForUpdate(tx, id);
        if (!certification) throw notFound('certification', id);
        assertMayManage(ctx, certification.partnerId);
        // An expired certificate counts against a partner's risk: it may not erase it itself.
        if (isPartnerPrincipal(ctx.principal) && certification.validUntil < todayUtc()) {
          throw forbidden('an expired certification is removed by the company, not by the partner');
        }
        await removeCertification(tx, certification, ctx.actor);
      });
      return true;
    },
  },
  Partner: {
    __resolveReference: async (reference: { id: string }, ctx: Context) =>
      (await ctx.partners.load(reference.id)) ?? null,
    isSelf: (partner: PartnerRow) => partner.is_self,
    contacts: async (partner: PartnerRow, _args, ctx) =>
      (await mayReadDetails(ctx, partner.id)) ? ctx.contacts.load(partner.id) : [],
    certifications: async (partner: PartnerRow, _args, ctx) =>
      (await mayReadDetails(ctx, partner.id)) ? ctx.certifications.load(partner.id) : [],
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
