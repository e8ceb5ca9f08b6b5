import DataLoader from 'dataloader';
import { isPartnerPrincipal, type Principal } from '../../platform/auth/principal.ts';
import type { Database } from '../../platform/db/database.ts';
import { groupBy, indexBy } from '../../platform/loaders.ts';
import { visibleAmong } from './relationships.ts';
import {
  apiKeysByPartnerIds,
  certificationsByPartnerIds,
  contactsByPartnerIds,
  partnersByIds,
  selfPartner,
  type ApiKeyRow,
  type CertificationRow,
  type ContactRow,
  type PartnerRow,
} from './store.ts';

export interface Context {
  principal: Principal;
  db: Database;
  actor: string;
  partners: DataLoader<string, PartnerRow | undefined>;
  /** Per partner id, so a page of partners costs one statement for all their contacts. */
  contacts: DataLoader<string, ContactRow[]>;
  certifications: DataLoader<string, CertificationRow[]>;
  apiKeys: DataLoader<string, ApiKeyRow[]>;
  /**
   * Whether the principal may read a partner of the directory at all: always for staff; for a partner
   * principal, one statement for every reference of a response (a page of orders' counterparties).
   */
  mayRead: DataLoader<string, boolean>;
  /** The company that runs the system, read once per request however many fields ask. */
  selfPartner: () => Promise<PartnerRow | undefined>;
}

export function createContext(db: Database, principal: Principal): Context {
  let self: Promise<PartnerRow | undefined> | undefined;
  return {
    principal,
    db,
    actor: principal.subject,
    partners: new DataLoader(async (ids) => indexBy(ids, await partnersByIds(db, ids), (row) => row.id)),
    contacts: new DataLoader(async (ids) =>
      groupBy(ids, await contactsByPartnerIds(db, ids), (row) => row.partnerId),
    ),
    certifications: new DataLoader(async (ids) =>
      groupBy(ids, await certificationsByPartnerIds(db, ids), (row) => row.partnerId),
    ),
    apiKeys: new DataLoader(async (ids) =>
      groupBy(ids, await apiKeysByPartnerIds(db, ids), (row) => row.partner_id),
    ),
    mayRead: new DataLoader(async (ids) => {
      if (!isPartnerPrincipal(principal)) return ids.map(() => true);
      const visible = await visibleAmong(db, principal.partnerId, ids);
      return ids.map((id) => visible.has(id));
    }),
    selfPartner: () => (self ??= selfPartner(db)),
  };
}
