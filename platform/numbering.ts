import type { Queryable } from './db/database.ts';
import { quoteIdent } from './db/migrate.ts';

/** A table of counters, one row per series and year: `(<series column>, year, last)`. */
export interface NumberCounter {
  schema: string;
  table: string;
  seriesColumn: string;
}

/**
 * AR-2026-000001: the next number of `series` in `year`, written `<prefix>-<year>-<six digits>`. The counter
 * row is locked until the transaction ends, so numbers are gap-free within committed transactions.
 */
export async function nextDocumentNumber(
  tx: Queryable,
  counter: NumberCounter,
  series: string,
  prefix: string,
  year: number,
): Promise<string> {
  const table = `${quoteIdent(counter.schema)}.${quoteIdent(counter.table)}`;
  const column = quoteIdent(counter.seriesColumn);
  const row = await tx.one<{ last: number }>(
    `INSERT INTO ${table} AS counter (${column}, year, last) VALUES ($1, $2, 1)
     ON CONFLICT (${column}, year) DO UPDATE SET last = counter.last + 1
     RETURNING last`,
    [series, year],
  );
  return `${prefix}-${year}-${String(row.last).padStart(6, '0')}`;
}
