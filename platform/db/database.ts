/**
 * One interface over the two PostgreSQL engines the project runs on: PGlite in-process (the default)
 * and a PostgreSQL server through `pg` (when DATABASE_URL is set). Stores write plain parameterised SQL
 * against `Queryable`; nothing above this module knows which engine answers.
 */
export type SqlValue =
  string | number | boolean | null | Date | Uint8Array | readonly SqlValue[] | { [key: string]: unknown };

export interface QueryResult<Row> {
  rows: Row[];
  rowCount: number;
}

export interface Queryable {
  query<Row = Record<string, unknown>>(sql: string, params?: readonly SqlValue[]): Promise<QueryResult<Row>>;
  /**
   * NOTIFY `channel` once this transaction has committed (never when it rolls back; at once outside a
   * transaction). The notifications of many transactions are coalesced: a listener learns that something
   * changed, not how often. Unlike a NOTIFY in the transaction, it does not make commits wait for one
   * another (PostgreSQL serialises the commits of notifying transactions, WAL flush included).
   */
  notifyOnCommit(channel: string): void;
}

export interface Database extends Queryable {
  readonly engine: 'pglite' | 'postgres';
  /** Runs `work` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T>;
  /** Calls `onNotify` for every NOTIFY on `channel`; resolves to a function that stops listening. */
  listen(channel: string, onNotify: (payload: string) => void): Promise<() => Promise<void>>;
  /** Statements sent since the database was opened; lets tests bound round trips per request. */
  readonly statementCount: number;
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  /** A PostgreSQL connection string; when absent, PGlite is used. */
  url?: string | undefined;
  /** PGlite data folder; absent means in memory. */
  dataDir?: string | undefined;
  /** Size of the `pg` connection pool. */
  poolSize?: number;
}

export async function openDatabase(options: OpenDatabaseOptions): Promise<Database> {
  if (options.url) {
    const { openPostgres } = await import('./postgres.ts');
    return openPostgres(options.url, options.poolSize ?? 10);
  }
  const { openPglite } = await import('./pglite.ts');
  return openPglite(options.dataDir);
}
