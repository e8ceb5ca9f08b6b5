import type { Queryable } from '../db/database.ts';
import { quoteIdent } from '../db/migrate.ts';
import type { LoggedEvent } from './eventLog.ts';

/**
 * Keeps a subgraph's own copy of the partners it needs to know (`<schema>.party`: id, name, roles,
 * status, is_self) from partners' events, so it never reads the partners tables.
 */
export async function keepParty(
  tx: Queryable,
  schema: string,
  event: LoggedEvent<'PartnerRegistered' | 'PartnerUpdated'>,
): Promise<void> {
  const partner = event.payload;
  await tx.query(
    `INSERT INTO ${quoteIdent(schema)}.party (id, name, roles, status, is_self) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, roles = EXCLUDED.roles, status = EXCLUDED.status,
       is_self = EXCLUDED.is_self`,
    [partner.id, partner.name, partner.roles, partner.status, partner.isSelf],
  );
}
