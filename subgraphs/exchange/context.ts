import DataLoader from 'dataloader';
import type { Principal } from '../../platform/auth/principal.ts';
import type { Database } from '../../platform/db/database.ts';
import { groupBy, indexBy } from '../../platform/loaders.ts';
import { exchangeScope, type ExchangeScope } from './access.ts';
import { exchangeSettings, type ExchangeSettings } from './settings.ts';
import { attemptsOf, deliveriesByIds, type AttemptRow, type DeliveryRow } from './store/deliveries.ts';
import {
  acknowledgementsOf,
  documentsByIds,
  messagesOf,
  type DocumentRow,
  type MessageRow,
} from './store/documents.ts';
import type { SubgraphClient } from './subgraphClient.ts';
import { profilesByPartner, signingSecrets, type ProfileRow, type SecretRow } from './store/profiles.ts';

export interface Context {
  principal: Principal;
  db: Database;
  scope: ExchangeScope;
  settings: ExchangeSettings;
  /** Tells the dispatcher that deliveries were queued, so it need not wait for its next look. */
  wakeDispatcher: () => void;
  profiles: DataLoader<string, ProfileRow | undefined>;
  secrets: DataLoader<string, SecretRow[]>;
  /** Documents within the caller's scope; others load as undefined. */
  documents: DataLoader<string, DocumentRow | undefined>;
  acknowledgements: DataLoader<string, DocumentRow | undefined>;
  deliveries: DataLoader<string, DeliveryRow | undefined>;
  attempts: DataLoader<string, AttemptRow[]>;
  /** Asks other subgraphs, as a principal: for `checkDocument`'s read-only look at orders. */
  client: SubgraphClient;
  messages: DataLoader<string, MessageRow[]>;
}

export function createContext(
  db: Database,
  principal: Principal,
  wakeDispatcher: () => void,
  client: SubgraphClient,
): Context {
  const scope = exchangeScope(principal);
  const inScope = <Row extends { partner_id: string }>(row: Row | undefined) =>
    row && (scope.partnerId === null || row.partner_id === scope.partnerId) ? row : undefined;
  return {
    principal,
    db,
    scope,
    settings: exchangeSettings(),
    wakeDispatcher,
    profiles: new DataLoader(async (ids) =>
      indexBy(ids, await profilesByPartner(db, ids), (row) => row.partner_id),
    ),
    secrets: new DataLoader(async (ids) =>
      groupBy(ids, await signingSecrets(db, ids), (row) => row.partner_id),
    ),
    documents: new DataLoader(async (ids) =>
      indexBy(ids, await documentsByIds(db, ids), (row) => row.id).map(inScope),
    ),
    acknowledgements: new DataLoader(async (ids) =>
      indexBy(ids, await acknowledgementsOf(db, ids), (row) => row.answers ?? '').map(inScope),
    ),
    deliveries: new DataLoader(async (ids) =>
      indexBy(ids, await deliveriesByIds(db, ids), (row) => row.id).map(inScope),
    ),
    attempts: new DataLoader(async (ids) =>
      groupBy(ids, await attemptsOf(db, ids), (row) => row.delivery_id),
    ),
    client,
    messages: new DataLoader(async (ids) =>
      groupBy(ids, await messagesOf(db, ids), (row) => row.document_id),
    ),
  };
}
