import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Database } from './database.ts';

const MIGRATION_FILE = /^(\d{3,})_[\w-]+\.sql$/;
/** Serialises migrations of every process that starts against the same database. */
const MIGRATION_LOCK = 7_342_000;

export interface AppliedMigration {
  version: number;
  name: string;
}

/**
 * Applies the numbered `NNN_name.sql` files of `dir` that `schema` has not recorded yet, each in its own
 * transaction together with its record, so a failed migration leaves nothing half-applied.
 */
export async function migrate(db: Database, schema: string, dir: string): Promise<AppliedMigration[]> {
  const recorded = await recordedVersions(db, schema);
  const files = (await readdir(dir))
    .filter((file) => MIGRATION_FILE.test(file) && !recorded.has(migrationVersion(file)))
    .sort();
  const applied: AppliedMigration[] = [];
  if (files.length === 0) return applied;
  await db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await tx.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`);
    await tx.query(
      `CREATE TABLE IF NOT EXISTS ${quoteIdent(schema)}.schema_migrations (
         version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`,
    );
  });
  for (const file of files) {
    const version = migrationVersion(file);
    const sql = await readFile(path.join(dir, file), 'utf8');
    const done = await db.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
      const seen = await tx.query(
        `SELECT 1 FROM ${quoteIdent(schema)}.schema_migrations WHERE version = $1`,
        [version],
      );
      if (seen.rowCount > 0) return false;
      await tx.query(`SET LOCAL search_path TO ${quoteIdent(schema)}, public`);
      for (const statement of splitStatements(sql)) await tx.query(statement);
      await tx.query(`INSERT INTO ${quoteIdent(schema)}.schema_migrations (version, name) VALUES ($1, $2)`, [
        version,
        file,
      ]);
      return true;
    });
    if (done) applied.push({ version, name: file });
  }
  return applied;
}

const migrationVersion = (file: string) => Number(MIGRATION_FILE.exec(file)?.[1]);

/**
 * The versions `schema` has recorded, read without the lock: on most starts every file is there, and the
 * start goes on after two statements instead of a transaction per file. A version missing here is checked
 * again under the lock, where another process may have applied it meanwhile.
 */
async function recordedVersions(db: Database, schema: string): Promise<Set<number>> {
  const table = `${quoteIdent(schema)}.schema_migrations`;
  const exists = await db.one<{ table: string | null }>('SELECT to_regclass($1)::text AS table', [table]);
  if (exists.table === null) return new Set();
  const { rows } = await db.query<{ version: number }>(`SELECT version FROM ${table}`);
  return new Set(rows.map((row) => row.version));
}

export function quoteIdent(name: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`unsafe SQL identifier: ${name}`);
  return `"${name}"`;
}

/**
 * Extended-protocol queries take one statement each. Migration files separate statements with a line
 * holding only `;`-terminated text; dollar-quoted bodies are kept whole.
 */
function splitStatements(sql: string): string[] {
  const statements: string[] = [];
  let current = '';
  let inDollar = false;
  for (const line of sql.split('\n')) {
    if (/^\s*--/.test(line) && !inDollar) continue;
    current += line + '\n';
    if ((line.match(/\$\$/g)?.length ?? 0) % 2 === 1) inDollar = !inDollar;
    if (!inDollar && /;\s*$/.test(line)) {
      statements.push(current.trim());
      current = '';
    }
  }
  if (current.trim()) statements.push(current.trim());
  return statements;
}
