import DataLoader from 'dataloader';
import type { Principal } from '../../platform/auth/principal.ts';
import type { Database } from '../../platform/db/database.ts';
import type { EventSource } from '../../platform/events/subscription.ts';
import { groupBy, indexBy } from '../../platform/loaders.ts';
import type { Runtime } from '../../platform/runtime.ts';
import { invoiceScope } from './access.ts';
import { paymentTermsFor } from './receivables.ts';
import { invoiceSettingsFromEnvironment, type InvoiceSettings } from './settings.ts';
import {
  invoicesByIds,
  invoicesForOrders,
  linesByInvoiceIds,
  openAmounts,
  paymentsByInvoiceIds,
  remindersByInvoiceIds,
  type InvoiceLineRow,
  type InvoiceRow,
  type InvoiceScope,
  type OpenAmountRow,
  type PaymentRow,
  type PaymentTermsRow,
  type ReminderRow,
} from './store.ts';

export interface Context {
  principal: Principal;
  db: Database;
  events: EventSource;
  settings: InvoiceSettings;
  scope: InvoiceScope;
  /** Invoices within the caller's scope; others load as undefined. */
  invoices: DataLoader<string, InvoiceRow | undefined>;
  invoicesOfOrder: DataLoader<string, InvoiceRow[]>;
  lines: DataLoader<string, InvoiceLineRow[]>;
  payments: DataLoader<string, PaymentRow[]>;
  reminders: DataLoader<string, ReminderRow[]>;
  openAmounts: DataLoader<string, OpenAmountRow[]>;
  terms: DataLoader<string, PaymentTermsRow>;
}

const settings = invoiceSettingsFromEnvironment();

export function createContext(db: Database, principal: Principal, runtime: Runtime): Context {
  const scope = invoiceScope(principal);
  return {
    principal,
    db,
    events: runtime,
    settings,
    scope,
    invoices: new DataLoader(async (ids) =>
      indexBy(ids, await invoicesByIds(db, ids, scope), (row) => row.id),
    ),
    invoicesOfOrder: new DataLoader(async (ids) =>
      groupBy(ids, await invoicesForOrders(db, ids, scope), (row) => row.for_order_id),
    ),
    lines: new DataLoader(async (ids) =>
      groupBy(ids, await linesByInvoiceIds(db, ids), (row) => row.invoice_id),
    ),
    payments: new DataLoader(async (ids) =>
      groupBy(ids, await paymentsByInvoiceIds(db, ids), (row) => row.invoice_id),
    ),
    reminders: new DataLoader(async (ids) =>
      groupBy(ids, await remindersByInvoiceIds(db, ids), (row) => row.invoice_id),
    ),
    openAmounts: new DataLoader(async (ids) =>
      groupBy(ids, await openAmounts(db, ids, scope), (row) => row.partner_id),
    ),
    terms: new DataLoader(async (ids) => paymentTermsFor(db, ids, settings)),
  };
}
