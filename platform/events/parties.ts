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
  /** Where the copy lives; inventory's (`partner`) has no `is_self`. */
  options: { table: string; withSelf: boolean } = { table: 'party', withSelf: true },
): Promise<void> {
  const partner = event.payload;
  const columns = ['id', 'name', 'roles', 'status', ...(options.withSelf ? ['is_self'] : [])];
  const values = [
    partner.id,
    partner.name,
    partner.roles,
    partner.status,
    ...(options.withSelf ? [partner.isSelf] : []),
  ];
  await tx.query(
    `INSERT INTO ${quoteIdent(schema)}.${quoteIdent(options.table)} (${columns.join(', ')})
     VALUES (${columns.map((_, index) => `$${index + 1}`).join(', ')})
     ON CONFLICT (id) DO UPDATE SET ${columns
       .slice(1)
       .map((column) => `${column} = EXCLUDED.${column}`)
       .join(', ')}`,
    values,
  );
}
