import { actorOf, type Principal } from '../../platform/auth/principal.ts';
import type { Queryable } from '../../platform/db/database.ts';
import { parseDate } from '../../platform/input.ts';
import { requireStaff } from './access.ts';
import { appendInvoiceEvent } from './events.ts';
import type { InvoiceSettings } from './settings.ts';
import { insertReminders, invoicesByIds, lockOverdueReceivables, type DunningRunResult } from './store.ts';

/** One run at a time: a second run waits for the first and then finds the levels it sent. */
const DUNNING_LOCK = 'invoices:dunning';

/**
 * The reminder level an invoice has reached `daysOverdue` days after its due date: how many thresholds
 * (by default 1, 14 and 30 days) it has passed; 0 for none.
 */
export function levelReached(daysOverdue: number, thresholds: readonly number[]): number {
  return thresholds.filter((days) => daysOverdue >= days).length;
}

/**
 * Sends, for each open receivable past due as of `asOf`, a reminder at the highest level it has reached
 * when that level is above the last one sent. A level is never sent twice, and a second run on the same
 * day sends nothing new. A run after a pause sends the level the debt has reached, not every level it
 * skipped. Disputed invoices are held and not chased. Each reminder is a `DunningReminderSent` event.
 */
export async function runDunning(
  tx: Queryable,
  principal: Principal,
  asOfInput: string | null | undefined,
  settings: InvoiceSettings,
  today: string,
): Promise<DunningRunResult> {
  requireStaff(principal, 'running dunning', 'admin', 'finance');
  const asOf = asOfInput === null || asOfInput === undefined ? today : parseDate(asOfInput, 'asOf');
  await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [DUNNING_LOCK]);
  const overdue = await lockOverdueReceivables(tx, asOf);
  const due = overdue
    .map((invoice) => ({
      invoiceId: invoice.id,
      daysOverdue: invoice.days_overdue,
      level: levelReached(invoice.days_overdue, settings.dunningDays),
      sent: invoice.dunning_level,
    }))
    .filter((reminder) => reminder.level > reminder.sent);
  const reminders = await insertReminders(tx, due, asOf);
  if (reminders.length > 0) {
    const invoices = new Map(
      (
        await invoicesByIds(
          tx,
          reminders.map((r) => r.invoice_id),
          { partyId: null, kinds: null },
        )
      ).map((invoice) => [invoice.id, invoice]),
    );
    for (const reminder of reminders) {
      await appendInvoiceEvent(
        tx,
        'DunningReminderSent',
        invoices.get(reminder.invoice_id)!,
        actorOf(principal),
        {
          level: reminder.level,
          daysOverdue: reminder.days_overdue,
          asOf,
        },
      );
    }
  }
  return { asOf, reminders };
}
