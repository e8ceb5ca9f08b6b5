import type { Principal } from '../../../platform/auth/principal.ts';
import {
  INVOICE_EVENTS as INVOICE_EVENT_TYPES,
  ORDER_EVENTS as ORDER_EVENT_TYPES,
} from '../../../platform/events/contract.ts';
import { isOf, type LoggedEvent } from '../../../platform/events/eventLog.ts';
import { canRead as canReadInvoice, invoiceScope } from '../../invoices/access.ts';
import { EVENT_TYPES as INVOICE_EVENTS, invoiceEventOf } from '../../invoices/events.ts';
import { alertVisibleTo } from '../../network/disruptions.ts';
import { canRead as canReadOrder, orderScope } from '../../orders/access.ts';
import { EVENT_TYPES as ORDER_EVENTS } from '../../orders/history.ts';
import { orderOfEvent } from '../../orders/store.ts';
import { EXCHANGE_EVENTS } from '../events.ts';

/**
 * Who may see an event, decided by the rule of the subgraph that owns it: the same function its
 * subscription applies to each event, so a webhook never carries what the partner's subscription would
 * not. Each rule reads only the facts on the event (parties, kind, status), never another store.
 */
type Visibility = (principal: Principal) => (event: LoggedEvent) => boolean;

const orderRule: Visibility = (principal) => {
  const scope = orderScope(principal);
  return (event) => isOf(event, ORDER_EVENT_TYPES) && canReadOrder(scope, orderOfEvent(event));
};

const invoiceRule: Visibility = (principal) => {
  const scope = invoiceScope(principal);
  return (event) => {
    if (!isOf(event, INVOICE_EVENT_TYPES)) return false;
    const { kind, issuerId, recipientId } = invoiceEventOf(event).payload;
    return canReadInvoice(scope, { kind, issuer_id: issuerId, recipient_id: recipientId });
  };
};

const alertRule: Visibility = (principal) => alertVisibleTo(principal.partnerId ?? null);

/** Exchange's own events name the partner they concern as their one party. */
const ownRule: Visibility = (principal) => (event) =>
  principal.partnerId === undefined || event.parties.includes(principal.partnerId);

const RULES: Record<string, Visibility> = {
  ...Object.fromEntries(Object.keys(ORDER_EVENTS).map((type) => [type, orderRule])),
  ...Object.fromEntries(Object.keys(INVOICE_EVENTS).map((type) => [type, invoiceRule])),
  DisruptionAlert: alertRule,
  ...Object.fromEntries(EXCHANGE_EVENTS.map((type) => [type, ownRule])),
};

/** Event types a partner may ask webhooks for: those with a visibility rule. Stock events are internal. */
export const WEBHOOK_EVENT_TYPES: readonly string[] = Object.keys(RULES).sort();

export function isWebhookEventType(type: string): boolean {
  return Object.hasOwn(RULES, type);
}

/** The principal a webhook is judged as: the partner itself, as its API key would act. */
export function partnerPrincipal(partnerId: string): Principal {
  return { subject: `exchange:webhook:${partnerId}`, partnerId, roles: ['partner'] };
}

export function visibleTo(partnerId: string, event: LoggedEvent): boolean {
  const rule = RULES[event.type];
  return rule !== undefined && rule(partnerPrincipal(partnerId))(event);
}
