import { randomBytes } from 'node:crypto';
import type { Principal } from '../../platform/auth/principal.ts';
import type { Queryable } from '../../platform/db/database.ts';
import { badInput, forbidden, notFound } from '../../platform/errors.ts';
import { assertMayManage, isManagingStaff } from './access.ts';
import { isFormat, isWritingFormat } from './formats/registry.ts';
import type { ExchangeProfileInput, WireIdentifiersInput } from './generated/resolvers.ts';
import type { ExchangeSettings } from './settings.ts';
import {
  addSecret,
  hasSecret,
  lockProfile,
  partyExists,
  saveProfile,
  type ProfileResult,
  type WireIdentifiers,
} from './store/profiles.ts';
import { isWebhookEventType } from './webhooks/eventTypes.ts';
import { validateEndpoint } from './webhooks/targets.ts';

const STAFF_FIELDS = ['eventTypes', 'formats', 'identifiers', 'mode', 'outboundFormat'] as const;
const MAX_OVERLAP_HOURS = 24 * 30;

/** A Standard Webhooks secret: `whsec_` and 32 random bytes in base64. */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

/**
 * Sets what `input` names and keeps the rest. The partner sets its channel, endpoint and secret; staff
 * also what it receives and how it is identified. A webhook channel without a secret gets one, returned
 * once.
 */
export async function setExchangeProfile(
  tx: Queryable,
  principal: Principal,
  partnerId: string,
  input: ExchangeProfileInput,
  settings: ExchangeSettings,
): Promise<ProfileResult> {
  assertMayManage(principal, partnerId, 'set an exchange profile');
  if (!isManagingStaff(principal)) {
    const staffOnly = STAFF_FIELDS.filter((field) => input[field] !== undefined && input[field] !== null);
    if (staffOnly.length > 0) throw forbidden(`${staffOnly.join(', ')} are set by the company's staff`);
  }
  const eventTypes = input.eventTypes ? known(input.eventTypes, EVENT_TYPES) : undefined;
  const formats = input.formats ? known(input.formats, FORMATS) : undefined;
  if (input.outboundFormat && !isWritingFormat(input.outboundFormat))
    throw badInput(
      `"${input.outboundFormat}" is not a format business documents are written in; see documentFormats`,
      {
        field: 'outboundFormat',
      },
    );
  const endpointUrl =
    input.endpointUrl === undefined
      ? undefined
      : input.endpointUrl === null
        ? null
        : await validateEndpoint(input.endpointUrl, settings);
  const overlap = input.secretOverlapHours ?? 24;
  if (!Number.isInteger(overlap) || overlap < 0 || overlap > MAX_OVERLAP_HOURS) {
    throw badInput(`secretOverlapHours must be between 0 and ${MAX_OVERLAP_HOURS}`, {
      field: 'secretOverlapHours',
    });
  }
  if (!(await partyExists(tx, partnerId))) throw notFound('partner', partnerId);

  const current = (await lockProfile(tx, partnerId))!;
  const channel = input.channel ?? current.channel;
  const url = endpointUrl === undefined ? current.endpoint_url : endpointUrl;
  if (channel === 'WEBHOOK' && !url) {
    throw badInput('a WEBHOOK channel needs an endpointUrl', { field: 'endpointUrl' });
  }
  // Setting the endpoint again is how a partner says it is fixed: a disabled endpoint is enabled.
  const enabled = current.enabled || endpointUrl !== undefined;
  const profile = await saveProfile(tx, partnerId, {
    channel,
    endpoint_url: url,
    enabled,
    event_types: eventTypes ?? current.event_types,
    formats: formats ?? current.formats,
    identifiers: input.identifiers
      ? validIdentifiers(input.identifiers, current.identifiers)
      : current.identifiers,
    mode: input.mode ?? current.mode,
    outbound_format: input.outboundFormat === undefined ? current.outbound_format : input.outboundFormat,
  });
  let webhookSecret: string | null = null;
  if (input.rotateSecret || (url && !(await hasSecret(tx, partnerId)))) {
    webhookSecret = newWebhookSecret();
    await addSecret(tx, partnerId, webhookSecret, overlap);
  }
  return { profile, webhookSecret };
}

interface Vocabulary {
  isKnown: (name: string) => boolean;
  /** What a name is, for the message: "event type". */
  what: string;
  /** The input field, and the query that lists the known names. */
  field: string;
  list: string;
}

const EVENT_TYPES: Vocabulary = {
  isKnown: isWebhookEventType,
  what: 'event type',
  field: 'eventTypes',
  list: 'webhookEventTypes',
};
const FORMATS: Vocabulary = {
  isKnown: isFormat,
  what: 'document format',
  field: 'formats',
  list: 'documentFormats',
};

/** The names, deduplicated and sorted; BAD_USER_INPUT naming every unknown one and where to look them up. */
function known(names: readonly string[], vocabulary: Vocabulary): string[] {
  const unknown = names.filter((name) => !vocabulary.isKnown(name));
  if (unknown.length > 0) {
    const named = unknown.map((name) => `"${name}"`).join(', ');
    throw badInput(`unknown ${vocabulary.what} ${named}; see ${vocabulary.list}`, {
      field: vocabulary.field,
    });
  }
  return [...new Set(names)].sort();
}

const IDENTIFIER = /^[\x20-\x7e]{1,35}$/;
const PEPPOL = /^\d{4}:[\x21-\x7e]{1,50}$/;

function validIdentifiers(input: WireIdentifiersInput, current: WireIdentifiers): WireIdentifiers {
  const result: WireIdentifiers = { ...current };
  for (const [key, value] of Object.entries(input) as [keyof WireIdentifiers, string | null | undefined][]) {
    if (value === undefined) continue;
    if (value === null || value === '') {
      delete result[key];
      continue;
    }
    const pattern = key === 'peppolParticipantId' ? PEPPOL : IDENTIFIER;
    if (!pattern.test(value)) {
      throw badInput(
        key === 'peppolParticipantId'
          ? `peppolParticipantId must be scheme:value, such as 0088:5412345000013, not "${value}"`
          : `${key} must be 1 to 35 printable ASCII characters, not "${value}"`,
        { field: `identifiers.${key}` },
      );
    }
    result[key] = value;
  }
  return result;
}
