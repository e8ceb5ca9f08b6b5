import DataLoader from 'dataloader';
import { isPartnerPrincipal, type Principal } from '../../platform/auth/principal.ts';
import type { Database } from '../../platform/db/database.ts';
import { groupBy, indexBy } from '../../platform/loaders.ts';
import {
  invoicesByIds,
  invoicesByOrderIds,
  openAmounts,
  type InvoiceRow,
  type InvoiceScope,
  type OpenAmountRow,
} from './store.ts';

export interface Context {
  principal: Principal;
  db: Database;
  scope: InvoiceScope;
  invoices: DataLoader<string, InvoiceRow | undefined>;
  invoicesByOrder: DataLoader<string, InvoiceRow[]>;
  openAmounts: DataLoader<string, OpenAmountRow[]>;
}

/** Partners see the invoices they issued or received; the company's roles see all. */
export function createContext(db: Database, principal: Principal): Context {
  const scope: InvoiceScope = { partyId: isPartnerPrincipal(principal) ? principal.partnerId : null };
  return {
    principal,
    db,
    scope,
    invoices: new DataLoader(async (ids) =>
      indexBy(ids, await invoicesByIds(db, ids, scope), (row) => row.id),
    ),
    invoicesByOrder: new DataLoader(async (ids) =>
      groupBy(ids, await invoicesByOrderIds(db, ids, scope), (row) => row.order_id ?? ''),
    ),
    openAmounts: new DataLoader(async (ids) =>
      groupBy(ids, await openAmounts(db, ids), (row) => row.partner_id),
    ),
  };
}
