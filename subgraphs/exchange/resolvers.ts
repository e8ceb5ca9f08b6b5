import { isPartnerPrincipal } from '../../platform/auth/principal.ts';
import { badInput, conflict, forbidden, notFound } from '../../platform/errors.ts';
import { isSequenceNumber } from '../../platform/input.ts';
import { decodeCursor, pageSize, toPage } from '../../platform/pagination.ts';
import { assertMayManage, canSee, partnerFilter } from './access.ts';
import type { Context } from './context.ts';
import { checkDocument } from './inbox/check.ts';
import { receiveDocument } from './inbox/receive.ts';
import { acknowledgeDocument } from './outbox.ts';
import { FORMAT_IDS } from './formats/registry.ts';
import type { Resolvers } from './generated/resolvers.ts';
import { setExchangeProfile } from './profiles.ts';
import { importItemReferences } from './references.ts';
import { listReferences } from './store/references.ts';
import { listDeliveries, requeue } from './store/deliveries.ts';
import { listDocuments } from './store/documents.ts';
import { WEBHOOK_EVENT_TYPES } from './webhooks/eventTypes.ts';
import { replayDeliveries } from './webhooks/replay.ts';

const iso = (date: Date | null) => (date ? new Date(date).toISOString() : null);
const bytes = (value: Uint8Array) => Buffer.from(value);

function seqCursor(after: string | null | undefined): string | null {
  const key = decodeCursor(after, 1);
  if (key && !isSequenceNumber(key[0]!)) throw badInput('`after` is not a cursor this list returned');
  return key ? key[0]! : null;
}

export const resolvers: Resolvers = {
  Query: {
    async documents(_parent, { direction, partnerId, status, first, after }, ctx) {
      const size = pageSize(first);
      const rows = await listDocuments(
        ctx.db,
        {
          direction: direction ?? null,
          partnerId: partnerFilter(ctx.scope, partnerId),
          status: status ?? null,
        },
        seqCursor(after),
        size + 1,
      );
      for (const row of rows) ctx.documents.prime(row.id, row);
      return toPage(rows, size, (row) => [row.seq]);
    },
    document: async (_parent, { id }, ctx) => (await ctx.documents.load(id)) ?? null,
    checkDocument: (_parent, { format, content }, ctx) =>
      checkDocument(format, Buffer.from(content, 'utf8'), {
        db: ctx.db,
        client: ctx.client,
        principal: ctx.principal,
        settings: ctx.settings,
      }),
    async itemReferences(_parent, { partnerId }, ctx) {
      if (!canSee(ctx.scope, partnerId)) throw notFound('partner', partnerId);
      return listReferences(ctx.db, partnerId);
    },
    async deliveries(_parent, { partnerId, status, first, after }, ctx) {
      const size = pageSize(first);
      const rows = await listDeliveries(
        ctx.db,
        { partnerId: partnerFilter(ctx.scope, partnerId), status: status ?? null },
        seqCursor(after),
        size + 1,
      );
      for (const row of rows) ctx.deliveries.prime(row.id, row);
      return toPage(rows, size, (row) => [row.id]);
    },
    webhookEventTypes: () => [...WEBHOOK_EVENT_TYPES],
    documentFormats: () => [...FORMAT_IDS],
  },
  Mutation: {
    async submitDocument(_parent, { format, content, idempotencyKey }, ctx) {
      if (!isPartnerPrincipal(ctx.principal)) {
        throw forbidden("documents come from a partner's own credentials (its API key)");
      }
      const { document } = await receiveDocument(
        ctx.db,
        { partnerId: ctx.principal.partnerId, format, content: Buffer.from(content, 'utf8'), idempotencyKey },
        ctx.settings,
      );
      return document;
    },
    acknowledgeDocument: (_parent, { id }, ctx) =>
      ctx.db.transaction((tx) => acknowledgeDocument(tx, ctx.principal, ctx.scope, id)),
    async redeliver(_parent, { deliveryId }, ctx) {
      if (!isSequenceNumber(deliveryId)) throw notFound('delivery', deliveryId);
      const delivery = await ctx.deliveries.load(deliveryId);
      if (!delivery) throw notFound('delivery', deliveryId);
      assertMayManage(ctx.principal, delivery.partner_id, 'redeliver');
      if (delivery.status === 'PENDING')
        throw conflict(`delivery ${deliveryId} is already waiting to be sent`);
      const queued = await ctx.db.transaction((tx) => requeue(tx, deliveryId));
      ctx.wakeDispatcher();
      return queued;
    },
    async replayDeliveries(_parent, { partnerId, after }, ctx) {
      assertMayManage(ctx.principal, partnerId, 'replay deliveries');
      const queued = await replayDeliveries(ctx.db, partnerId, after);
      ctx.wakeDispatcher();
      return { queued };
    },
    importItemReferences: (_parent, { partnerId, csv, replace }, ctx) =>
      ctx.db.transaction((tx) => importItemReferences(tx, ctx.principal, partnerId, csv, replace ?? false)),
    async setExchangeProfile(_parent, { partnerId, input }, ctx) {
      const result = await ctx.db.transaction((tx) =>
        setExchangeProfile(tx, ctx.principal, partnerId, input, ctx.settings),
      );
      ctx.wakeDispatcher();
      return result;
    },
  },
  Partner: {
    __resolveReference: (reference: { id: string }) => ({ id: reference.id }),
    exchangeProfile: async (partner, _args, ctx) =>
      canSee(ctx.scope, partner.id) ? ((await ctx.profiles.load(partner.id)) ?? null) : null,
  },
  TradingPartnerProfile: {
    partner: (profile) => ({ id: profile.partner_id }),
    endpoint: (profile) => (profile.endpoint_url ? profile : null),
    eventTypes: (profile) => profile.event_types,
    outboundFormat: (profile) => profile.outbound_format,
    identifiers: (profile) => ({
      x12Qualifier: profile.identifiers.x12Qualifier ?? null,
      x12Id: profile.identifiers.x12Id ?? null,
      gsApplicationCode: profile.identifiers.gsApplicationCode ?? null,
      edifactId: profile.identifiers.edifactId ?? null,
      edifactQualifier: profile.identifiers.edifactQualifier ?? null,
      peppolParticipantId: profile.identifiers.peppolParticipantId ?? null,
      gln: profile.identifiers.gln ?? null,
    }),
    updatedAt: (profile) => iso(profile.updated_at)!,
  },
  WebhookEndpoint: {
    url: (profile) => profile.endpoint_url ?? '',
    disabledAt: (profile) => iso(profile.disabled_at),
    disabledReason: (profile) => profile.disabled_reason,
    consecutiveFailures: (profile) => profile.consecutive_failures,
    secrets: (profile, _args, ctx) => ctx.secrets.load(profile.partner_id),
  },
  WebhookSecret: {
    hint: (secret) => secret.secret.slice(-4),
    createdAt: (secret) => iso(secret.created_at)!,
    expiresAt: (secret) => iso(secret.expires_at),
  },
  ExchangeProfileResult: {
    profile: (result) => result.profile,
    webhookSecret: (result) => result.webhookSecret,
  },
  Document: {
    __resolveReference: async (reference: { id: string }, ctx: Context) =>
      (await ctx.documents.load(reference.id)) ?? null,
    partner: (document) => ({ id: document.partner_id }),
    mediaType: (document) => document.media_type,
    documentType: (document) => document.document_type,
    controlNumber: (document) => document.control_number,
    contentHash: (document) => document.content_hash,
    content: (document) => bytes(document.content).toString('base64'),
    receivedAt: (document) => iso(document.received_at)!,
    processedAt: (document) => iso(document.processed_at),
    acknowledgedAt: (document) => iso(document.acknowledged_at),
    duplicateOf: async (document, _args, ctx) =>
      document.duplicate_of ? ((await ctx.documents.load(document.duplicate_of)) ?? null) : null,
    effects: (document) => document.effects,
    acknowledgement: async (document, _args, ctx) =>
      document.direction === 'INBOUND' ? ((await ctx.acknowledgements.load(document.id)) ?? null) : null,
    messages: (document, _args, ctx) => ctx.messages.load(document.id),
  },
  DocumentMessage: {
    position: (message) => message.position + 1,
    documentType: (message) => message.document_type,
    controlNumber: (message) => message.control_number,
  },
  DocumentFinding: {
    segment: (finding) => finding.at?.segment ?? null,
    position: (finding) => finding.at?.position ?? null,
    element: (finding) => finding.at?.element ?? null,
    component: (finding) => finding.at?.component ?? null,
    path: (finding) => finding.at?.path ?? null,
    value: (finding) => finding.value ?? null,
  },
  ItemReference: {
    updatedAt: (reference) => iso(reference.updated_at)!,
  },
  DocumentEffect: {
    order: (effect) => (effect.type === 'Order' ? { id: effect.id } : null),
    shipment: (effect) => (effect.type === 'Shipment' ? { id: effect.id } : null),
    invoice: (effect) => (effect.type === 'Invoice' ? { id: effect.id } : null),
  },
  Delivery: {
    __resolveReference: async (reference: { id: string }, ctx: Context) =>
      isSequenceNumber(reference.id) ? ((await ctx.deliveries.load(reference.id)) ?? null) : null,
    partner: (delivery) => ({ id: delivery.partner_id }),
    messageId: (delivery) => delivery.message_id,
    eventType: (delivery) => delivery.event_type,
    eventCursor: (delivery) => delivery.event_cursor,
    document: async (delivery, _args, ctx) =>
      delivery.document_id ? ((await ctx.documents.load(delivery.document_id)) ?? null) : null,
    url: (delivery) => delivery.last_url,
    attempts: (delivery, _args, ctx) => ctx.attempts.load(delivery.id),
    nextAttemptAt: (delivery) => (delivery.status === 'PENDING' ? iso(delivery.next_attempt_at) : null),
    createdAt: (delivery) => iso(delivery.created_at)!,
    deliveredAt: (delivery) => iso(delivery.delivered_at),
  },
  DeliveryAttempt: {
    at: (attempt) => iso(attempt.at)!,
    httpStatus: (attempt) => attempt.http_status,
    latencyMs: (attempt) => attempt.latency_ms,
  },
};
