import DataLoader from 'dataloader';
import type { Principal } from '../../platform/auth/principal.ts';
import type { Database } from '../../platform/db/database.ts';
import { indexBy } from '../../platform/loaders.ts';
import { partnersByIds, type PartnerRow } from './store.ts';

export interface Context {
  principal: Principal;
  db: Database;
  actor: string;
  partners: DataLoader<string, PartnerRow | undefined>;
}

export function createContext(db: Database, principal: Principal): Context {
  return {
    principal,
    db,
    actor: principal.subject,
    partners: new DataLoader(async (ids) => indexBy(ids, await partnersByIds(db, ids), (row) => row.id)),
  };
}
