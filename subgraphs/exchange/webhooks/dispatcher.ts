import type { Database, Queryable } from '../../../platform/db/database.ts';
import { Waiters } from '../../../platform/db/wakeup.ts';
import { appendExchangeEvent } from '../events.ts';
import type { ExchangeSettings } from '../settings.ts';
import {
  finishDelivery,
  leaseDueHeads,
  nextDueAt,
  recordAttempt,
  scheduleRetry,
  type DeliveryRow,
} from '../store/deliveries.ts';
import { markDelivered } from '../store/documents.ts';
import { countFailure, disableEndpoint, resetFailures, signingSecrets } from '../store/profiles.ts';
import { nextAttemptAt, retryAfterMs, verdictOf } from './retryPolicy.ts';
import { send, type AttemptResult } from './sender.ts';

export interface Dispatcher {
  /** Look for due deliveries now (new ones were queued). */
  wake: () => void;
  stop: () => Promise<void>;
}

const IDLE_POLL_MS = 1_000;

/**
 * Sends what is owed to partners' endpoints. Each endpoint has at most one delivery in flight, always its
 * oldest pending one, so its order holds; different endpoints proceed side by side. Every attempt, and the
 * next attempt's time, is committed before the next delivery of that endpoint is looked at.
 */
export function startDispatcher(db: Database, settings: () => ExchangeSettings): Dispatcher {
  const controller = new AbortController();
  const inFlight = new Set<string>();
  const running = new Set<Promise<void>>();
  const nudges = new Waiters();
  const wake = nudges.wake;

  const deliver = async (delivery: DeliveryRow & { url: string }, current: ExchangeSettings) => {
    const secrets = (await signingSecrets(db, [delivery.partner_id])).map((row) => row.secret);
    const at = new Date();
    const result: AttemptResult =
      secrets.length === 0
        ? { httpStatus: null, retryAfter: null, latencyMs: 0, error: 'no signing secret' }
        : await send(
            {
              url: delivery.url,
              messageId: delivery.message_id,
              contentType: delivery.content_type,
              body: Buffer.from(delivery.body),
              secrets,
            },
            { timeoutMs: current.attemptTimeoutMs, allowPrivateTargets: current.allowPrivateTargets },
          );
    await db.transaction((tx) => settle(tx, delivery, at, result, current));
  };

  const loop = async () => {
    while (!controller.signal.aborted) {
      const generation = nudges.generation;
      try {
        const current = settings();
        const room = current.deliveryConcurrency - inFlight.size;
        const heads =
          room > 0
            ? await leaseDueHeads(db, [...inFlight], room, Math.ceil(current.attemptTimeoutMs / 1000) + 30)
            : [];
        for (const head of heads) {
          inFlight.add(head.partner_id);
          const task = deliver(head, current)
            .catch((error: unknown) => console.error(`delivery ${head.id}:`, error))
            .finally(() => {
              inFlight.delete(head.partner_id);
              running.delete(task);
              wake();
            });
          running.add(task);
        }
        if (heads.length > 0) continue;
        const due = await nextDueAt(db);
        const untilDue = due ? due.getTime() - Date.now() : IDLE_POLL_MS;
        await nudges.wait(Math.max(5, Math.min(IDLE_POLL_MS, untilDue)), controller.signal, generation);
      } catch (error) {
        if (controller.signal.aborted) break;
        console.error('webhook dispatcher:', error);
        await nudges.wait(IDLE_POLL_MS, controller.signal);
      }
    }
  };
  const looping = loop();

  return {
    wake,
    async stop() {
      controller.abort();
      wake();
      await looping;
      await Promise.all([...running]);
    },
  };
}

/** Records the attempt and decides: delivered, retried at a later time, failed for good, or dead. */
async function settle(
  tx: Queryable,
  delivery: DeliveryRow & { url: string },
  at: Date,
  result: AttemptResult,
  settings: ExchangeSettings,
): Promise<void> {
  const attempt = await recordAttempt(tx, {
    delivery_id: delivery.id,
    at,
    url: delivery.url,
    http_status: result.httpStatus,
    latency_ms: result.latencyMs,
    error: result.error,
  });
  const verdict = verdictOf(result.httpStatus);
  if (verdict === 'DELIVERED') {
    await finishDelivery(tx, delivery.id, 'DELIVERED');
    await resetFailures(tx, delivery.partner_id);
    if (delivery.document_id) await markDelivered(tx, delivery.document_id);
    return;
  }
  const why = result.error ?? `HTTP ${result.httpStatus}`;
  if (verdict === 'RETRY') {
    const windowStart = attempt === 1 ? at : delivery.window_started_at;
    const now = Date.now();
    const next = nextAttemptAt(
      attempt,
      windowStart,
      now,
      {
        baseDelayMs: settings.retryBaseDelayMs,
        maxDelayMs: settings.retryMaxDelayMs,
        windowMs: settings.retryWindowMs,
      },
      retryAfterMs(result.retryAfter, now),
    );
    if (next) return scheduleRetry(tx, delivery.id, next);
    await finishDelivery(tx, delivery.id, 'DEAD');
    await appendExchangeEvent(
      tx,
      'DeliveryDeadLettered',
      { type: 'Delivery', id: delivery.id },
      {
        deliveryId: delivery.id,
        partnerId: delivery.partner_id,
        url: delivery.url,
        reason: `still failing after the retry window (${attempt} attempts; last: ${why})`,
      },
    );
  } else {
    await finishDelivery(tx, delivery.id, 'FAILED');
  }
  await disableAfterRun(tx, delivery, why, settings);
}

/** A run of failed deliveries disables the endpoint, with an event the partner and staff see. */
async function disableAfterRun(
  tx: Queryable,
  delivery: DeliveryRow & { url: string },
  why: string,
  settings: ExchangeSettings,
): Promise<void> {
  const profile = await countFailure(tx, delivery.partner_id);
  if (!profile?.enabled || profile.consecutive_failures < settings.disableAfterFailures) return;
  const reason = `${profile.consecutive_failures} deliveries in a row failed (last: ${why})`;
  await disableEndpoint(tx, delivery.partner_id, reason);
  await appendExchangeEvent(
    tx,
    'WebhookEndpointDisabled',
    { type: 'TradingPartnerProfile', id: delivery.partner_id },
    { deliveryId: delivery.id, partnerId: delivery.partner_id, url: delivery.url, reason },
  );
}
