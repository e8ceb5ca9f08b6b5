import { mkdir } from 'node:fs/promises';
import { PGlite, types } from '@electric-sql/pglite';
import { queryable, statementTally, type Database, type QueryResult, type SqlValue } from './database.ts';
import { quoteIdent } from './migrate.ts';
import { CommitNotifications, coalescedNotifier } from './notifier.ts';

/** int8 comes back as text on both engines, so cursors and counts never lose precision. */
const parsers = { [types.INT8]: (value: string) => value };

export async function openPglite(dataDir: string | undefined): Promise<Database> {
  if (dataDir) await mkdir(dataDir, { recursive: true });
  const pg = await PGlite.create(dataDir ?? 'memory://', { parsers });
  const statements = statementTally();

  const run = async <Row>(
    target: Pick<PGlite, 'query'>,
    sql: string,
    params: readonly SqlValue[] = [],
  ): Promise<QueryResult<Row>> => {
    statements.record(sql);
    const result = await target.query<Row>(sql, params as unknown[]);
    // PGlite reports affectedRows 0 for SELECT; pg counts the rows it returned.
    return {
      rows: result.rows,
      rowCount: result.rows.length > 0 ? result.rows.length : (result.affectedRows ?? 0),
    };
  };

  const notify = coalescedNotifier(async (channel) => {
    await pg.query(`NOTIFY ${quoteIdent(channel)}`);
  });

  return {
    engine: 'pglite',
    get statementCount() {
      return statements.count;
    },
    watchStatements: (listener) => statements.watch(listener),
    ...queryable((sql, params) => run(pg, sql, params), notify),
    async transaction(work) {
      const notifications = new CommitNotifications(notify);
      const result = await pg.transaction((tx) =>
        work(queryable((sql, params) => run(tx, sql, params), notifications.add)),
      );
      notifications.committed();
      return result;
    },
    async listen(channel, onNotify) {
      const unlisten = await pg.listen(channel, onNotify);
      return () => unlisten();
    },
    close: () => pg.close(),
  };
}
