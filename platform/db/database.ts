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
  /** The row a statement must return (an INSERT … RETURNING, a count); throws when it returns none or more. */
  one<Row = Record<string, unknown>>(sql: string, params?: readonly SqlValue[]): Promise<Row>;
  /** The row a lookup by a unique key finds, or undefined; throws when it finds more than one. */
  maybeOne<Row = Record<string, unknown>>(
    sql: string,
    params?: readonly SqlValue[],
  ): Promise<Row | undefined>;
  /**
   * NOTIFY `channel` once this transaction has committed (never when it rolls back; at once outside a
   * transaction). The notifications of many transactions are coalesced: a listener learns that something
   * changed, not how often. Unlike a NOTIFY in the transaction, it does not make commits wait for one
   * another (PostgreSQL serialises the commits of notifying transactions, WAL flush included).
   */
  notifyOnCommit(channel: string): void;
}

/**
 * A statement returned another number of rows than its caller relies on: a bug or a broken invariant, never
 * bad input. The message names what the statement reads or writes, so the log says which one failed.
 */
export class RowCountError extends Error {
  constructor(
    readonly expected: 'one row' | 'at most one row',
    readonly found: number,
    /** `the statement on orders.purchase_order`, `the query on :Company`. */
    readonly subject: string,
  ) {
    super(`expected ${expected} from ${subject}, found ${found}`);
    this.name = 'RowCountError';
  }
}

/** `the statement on orders.purchase_order, orders.order_line`: the schema-qualified tables it names. */
function statementSubject(sql: string): string {
  const tables = new Set(
    [...sql.matchAll(/\b(?:FROM|INTO|UPDATE|JOIN)\s+("?\w+"?\."?\w+"?)/gi)].map((match) => match[1]),
  );
  return tables.size > 0
    ? `the statement on ${[...tables].join(', ')}`
    : `the statement "${sql.trim().replace(/\s+/g, ' ').slice(0, 60)}"`;
}

/**
 * The server refused a prepared statement because the columns it returns changed since it was prepared (a
 * migration ran meanwhile). Both engines then prepare it afresh; a transaction that met it runs again.
 */
export function isResultTypeChange(error: unknown): boolean {
  return error instanceof Error && error.message === 'cached plan must not change result type';
}

/** One `T` per database, made by `make` when first asked for: what every reader of a database shares. */
export function perDatabase<Args extends unknown[], T>(
  make: (db: Database, ...args: Args) => T,
): (db: Database, ...args: Args) => T {
  const made = new WeakMap<Database, T>();
  return (db, ...args) => {
    let value = made.get(db);
    if (value === undefined) made.set(db, (value = make(db, ...args)));
    return value;
  };
}

/** Gives an engine's `query` the row helpers, the same on PGlite and on PostgreSQL. */
export function queryable(query: Queryable['query'], notifyOnCommit: Queryable['notifyOnCommit']): Queryable {
  const maybeOne: Queryable['maybeOne'] = async <Row>(sql: string, params?: readonly SqlValue[]) => {
    const { rows } = await query<Row>(sql, params);
    if (rows.length > 1) throw new RowCountError('at most one row', rows.length, statementSubject(sql));
    return rows[0];
  };
  const one: Queryable['one'] = async <Row>(sql: string, params?: readonly SqlValue[]) => {
    const { rows } = await query<Row>(sql, params);
    const [row] = rows;
    if (row === undefined || rows.length > 1)
      throw new RowCountError('one row', rows.length, statementSubject(sql));
    return row;
  };
  return { query, one, maybeOne, notifyOnCommit };
}

export interface Database extends Queryable {
  readonly engine: 'pglite' | 'postgres';
  /** Runs `work` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T>;
  /** Calls `onNotify` for every NOTIFY on `channel`; resolves to a function that stops listening. */
  listen(channel: string, onNotify: (payload: string) => void): Promise<() => Promise<void>>;
  /** Statements sent since the database was opened; lets tests bound round trips per request. */
  readonly statementCount: number;
  /** Calls `listener` with the text of every statement sent from now on; returns a function that stops it. */
  watchStatements(listener: (sql: string) => void): () => void;
  close(): Promise<void>;
}

/** The statements an engine has sent: a count, and their text for whoever watches. */
export function statementTally() {
  let count = 0;
  const watchers = new Set<(sql: string) => void>();
  return {
    get count() {
      return count;
    },
    record(sql: string) {
      count += 1;
      for (const watcher of watchers) watcher(sql);
    },
    watch(listener: (sql: string) => void) {
      watchers.add(listener);
      return () => void watchers.delete(listener);
    },
  };
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
