import { GATEWAY_PRINCIPAL } from '../../platform/auth/principal.ts';
import { badInput, forbidden, notFound } from '../../platform/errors.ts';
import { optionalText, SHORT_TEXT } from '../../platform/input.ts';
import { decodeCursor, pageSize, toPage } from '../../platform/pagination.ts';
import { isStaff, mayManageKeys, mayReadPrivate, mayReadStatus, partnerOf } from './access.ts';
import {
  addCertificationCommand,
  addContactCommand,
  createApiKeyCommand,
  registerPartnerCommand,
  removeCertificationCommand,
  removeContactCommand,
  revokeApiKeyCommand,
  updatePartnerCommand,
} from './commands.ts';
import type { Context } from './context.ts';
import type { Resolvers } from './generated/resolvers.ts';
import {
  listPartners,
  partnerForApiKey,
  partnerSortKey,
  refusedCredentials,
  type PartnerRow,
} from './store.ts';

/** Ids reach SQL as text: one with NUL or of absurd length is malformed, not merely unknown. */
function partnerId(id: string, field = 'id'): string {
  const text = optionalText(id, field, SHORT_TEXT);
  if (text === null) throw badInput(`${field} must not be empty`, { field });
  return text;
}

/**
 * The partner `id` as the principal may see it. A partner principal gets NOT_FOUND for a partner it is
 * not related to, exactly as for one that does not exist; staff get undefined for an unknown id.
 */
async function readable(ctx: Context, id: string): Promise<PartnerRow | undefined> {
  const [partner, mayRead] = await Promise.all([ctx.partners.load(id), ctx.mayRead.load(id)]);
  if (partnerOf(ctx.principal) !== null && (!partner || !mayRead)) throw notFound('partner', id);
  return partner;
}

function assertGateway(ctx: Context) {
  if (ctx.principal.subject !== GATEWAY_PRINCIPAL.subject) throw forbidden();
}

export const resolvers: Resolvers = {
  Query: {
    partner: async (_parent, { id }, ctx) => (await readable(ctx, partnerId(id))) ?? null,
    async partners(_parent, { role, search, first, after }, ctx) {
      const size = pageSize(first);
      const cursor = decodeCursor(after, 2) as [string, string] | null;
      const filter = { role, search: optionalText(search, 'search'), visibleTo: partnerOf(ctx.principal) };
      const rows = await listPartners(ctx.db, filter, cursor, size + 1);
      return toPage(rows, size, partnerSortKey);
    },
    async self(_parent, _args, ctx) {
      const self = await ctx.selfPartner();
      if (!self) throw notFound('self partner', '(none registered)');
      return self;
    },
    async apiKeyPrincipal(_parent, { secret }, ctx) {
      assertGateway(ctx);
      const found = await partnerForApiKey(ctx.db, secret);
      return found ? { partnerId: found.partner_id, keyId: found.key_id } : null;
    },
    async credentialStatus(_parent, { partnerIds, keyIds }, ctx) {
      assertGateway(ctx);
      const refused = await refusedCredentials(ctx.db, partnerIds, keyIds);
      return { refusedPartnerIds: refused.partnerIds, refusedKeyIds: refused.keyIds };
    },
  },
  Mutation: {
    registerPartner: (_parent, { input }, ctx) =>
      ctx.db.transaction((tx) => registerPartnerCommand(tx, ctx.principal, input)),
    updatePartner: (_parent, { id, input }, ctx) =>
      ctx.db.transaction((tx) => updatePartnerCommand(tx, ctx.principal, partnerId(id), input)),
    async createApiKey(_parent, { partnerId: id, name }, ctx) {
      const { key, secret } = await ctx.db.transaction((tx) =>
        createApiKeyCommand(tx, ctx.principal, partnerId(id, 'partnerId'), name),
      );
      return { apiKey: key, secret };
    },
    revokeApiKey: (_parent, { id }, ctx) =>
      ctx.db.transaction((tx) => revokeApiKeyCommand(tx, ctx.principal, partnerId(id))),
    addPartnerContact: (_parent, { partnerId: id, input }, ctx) =>
      ctx.db.transaction((tx) => addContactCommand(tx, ctx.principal, partnerId(id, 'partnerId'), input)),
    async removePartnerContact(_parent, { id }, ctx) {
      await ctx.db.transaction((tx) => removeContactCommand(tx, ctx.principal, partnerId(id)));
      return true;
    },
    addCertification: (_parent, { partnerId: id, input }, ctx) =>
      ctx.db.transaction((tx) =>
        addCertificationCommand(tx, ctx.principal, partnerId(id, 'partnerId'), input),
      ),
    async removeCertification(_parent, { id }, ctx) {
      await ctx.db.transaction((tx) => removeCertificationCommand(tx, ctx.principal, partnerId(id)));
      return true;
    },
  },
  Partner: {
    // Every other subgraph's Partner (an order's seller, a link's supplier) resolves here. Which
    // companies a partner meets there is the owning subgraph's row-level rule (orders: its counterparties;
    // network: the links shared with it, one tier beyond its own); references come only from those
    // subgraphs' resolvers, never from a client. So a reference gives the public fields; private ones keep
    // their own rules below, and a lookup by id or search (`partner`, `partners`) the relationship rule.
    __resolveReference: async (reference: { id: string }, ctx: Context) =>
      (await ctx.partners.load(reference.id)) ?? null,
    isSelf: (partner: PartnerRow) => partner.is_self,
    status: (partner: PartnerRow, _args, ctx) => {
      if (!mayReadStatus(ctx.principal, partner)) throw forbidden("another partner's status is private");
      return partner.status;
    },
    contacts: (partner: PartnerRow, _args, ctx) =>
      mayReadPrivate(ctx.principal, partner) ? ctx.contacts.load(partner.id) : [],
    certifications: (partner: PartnerRow, _args, ctx) =>
      mayReadPrivate(ctx.principal, partner) ? ctx.certifications.load(partner.id) : [],
    duplicateOf: async (partner: PartnerRow, _args, ctx) =>
      partner.duplicate_of && isStaff(ctx.principal)
        ? ((await ctx.partners.load(partner.duplicate_of)) ?? null)
        : null,
    apiKeys: (partner: PartnerRow, _args, ctx) => {
      if (!mayManageKeys(ctx.principal, partner.id)) {
        throw forbidden("only the company's admins and the partner's own admins list its API keys");
      }
      return ctx.apiKeys.load(partner.id);
    },
  },
  ApiKey: {
    partner: async (key, _args, ctx) => {
      const partner = await ctx.partners.load(key.partner_id);
      if (!partner) throw notFound('partner', key.partner_id);
      return partner;
    },
    createdAt: (key) => key.created_at.toISOString(),
    lastUsedAt: (key) => key.last_used_at?.toISOString() ?? null,
    revokedAt: (key) => key.revoked_at?.toISOString() ?? null,
  },
};
