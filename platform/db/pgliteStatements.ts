import { messages as backend, parse, protocol, type PGlite, type Results } from '@electric-sql/pglite';
import { prepareValue } from 'pg/lib/utils.js';
import { isResultTypeChange, type SqlValue } from './database.ts';

/**
 * Statements run on PGlite through its wire protocol, one call into PostgreSQL each, each text parsed and
 * planned once.
 *
 * PGlite's own `query` makes six calls into PostgreSQL for every statement (parse, describe the statement
 * for its parameters' types, bind, describe, execute, sync) and parses and plans the text every time: a
 * lookup by key cost 127 µs, 34 µs as one call to a statement prepared before. On a database that runs
 * every statement of the process one after another, that time is the process's throughput.
 *
 * Parameters are sent as text of unspecified type, as node-postgres sends them to a PostgreSQL server
 * (and with its serialization), so PostgreSQL infers their types the same way on both engines.
 */

const { serialize } = protocol;

type Row = Record<string, unknown>;
type BackendMessage = Awaited<ReturnType<PGlite['execProtocol']>>['messages'][number];
/** A statement on its own, in the open transaction, or the first of a transaction it begins. */
export type StatementPlace = 'alone' | 'in transaction' | 'begins';

/** Statements kept prepared at most; the one used least recently is closed to make room. */
const CAPACITY = 500;
/** Statements worth keeping a plan of; the rest (DDL, SET, DO) run as the unnamed statement. */
const PLANNABLE = /^\s*(select|insert|update|delete|with|values)\b/i;

export class PreparedStatements {
  /** Statement text → its name, in order of last use. */
  private readonly names = new Map<string, string>();
  private nextName = 1;
  /** Closes of evicted statements, sent ahead of the next statement. */
  private closing: Uint8Array[] = [];

  constructor(private readonly pg: PGlite) {}

  /**
   * Runs a statement on its own, in the open transaction, or (`begins`) as the first of a transaction that
   * the same call into PostgreSQL opens: a statement that fails leaves that transaction open and aborted.
   */
  async run(sql: string, params: readonly SqlValue[], where: StatementPlace): Promise<Results<Row>> {
    try {
      return await this.runOnce(sql, params, where);
    } catch (error) {
      if (!isResultTypeChange(error)) throw error;
      this.forget(sql);
      // On its own, nothing was aborted: prepare it afresh. In a transaction, the caller's transaction
      // failed, and its next attempt prepares afresh.
      if (where !== 'alone') throw error;
      return this.runOnce(sql, params, where);
    }
  }

  /** Ends the open transaction; a commit PostgreSQL turned into a rollback (a statement failed) throws. */
  async end(commit: boolean): Promise<void> {
    const replies = await this.exchange([serialize.query(commit ? 'COMMIT' : 'ROLLBACK')], true);
    const done = replies.find((reply) => reply instanceof backend.CommandCompleteMessage);
    if (commit && done?.text === 'ROLLBACK')
      throw Object.assign(new Error('the transaction was rolled back: one of its statements had failed'), {
        code: '25P02',
      });
  }

  private async runOnce(
    sql: string,
    params: readonly SqlValue[],
    where: StatementPlace,
  ): Promise<Results<Row>> {
    const { name, parsed } = this.nameFor(sql);
    const replies = await this.exchange(
      [
        ...(where === 'begins' ? [serialize.query('BEGIN')] : []),
        ...this.closing.splice(0),
        ...(parsed ? [] : [serialize.parse({ name, text: sql })]),
        serialize.bind({ statement: name, values: params.map((value) => prepareValue(value)) }),
        serialize.describe({ type: 'P' }),
        serialize.execute({}),
        serialize.sync(),
      ],
      where === 'alone',
    );
    const failure = replies.find((reply) => reply instanceof backend.DatabaseError);
    if (failure) {
      // A statement PostgreSQL could not parse was not prepared.
      if (!parsed && !replies.some((reply) => reply.name === 'parseComplete')) this.names.delete(sql);
      throw failure;
    }
    // A transaction's BEGIN has a result of its own, before the statement's.
    const result = parse.parseResults(replies, this.pg.parsers, {}).at(-1);
    return result ?? { rows: [], fields: [], affectedRows: 0 };
  }

  /**
   * One call into PostgreSQL, under the lock `query` takes: PGlite gathers a call's replies on the
   * instance, so two calls that overlap would read each other's. What a call changed is synced to the data
   * folder unless a transaction stays open after it, as `query` does.
   */
  private async exchange(messages: readonly Uint8Array[], settles: boolean): Promise<BackendMessage[]> {
    const { messages: replies } = await this.pg._runExclusiveQuery(() =>
      this.pg.execProtocol(concat(messages), { syncToFs: settles, throwOnError: false }),
    );
    return replies;
  }

  /** The statement's name, and whether it was prepared before (the unnamed one never is). */
  private nameFor(sql: string): { name: string; parsed: boolean } {
    if (!PLANNABLE.test(sql)) return { name: '', parsed: false };
    const known = this.names.get(sql);
    if (known !== undefined) {
      this.names.delete(sql);
      this.names.set(sql, known);
      return { name: known, parsed: true };
    }
    if (this.names.size >= CAPACITY) {
      const [oldest, oldestName] = this.names.entries().next().value!;
      this.names.delete(oldest);
      this.closing.push(serialize.close({ type: 'S', name: oldestName }));
    }
    const name = `s${this.nextName++}`;
    this.names.set(sql, name);
    return { name, parsed: false };
  }

  private forget(sql: string): void {
    const name = this.names.get(sql);
    if (name === undefined) return;
    this.names.delete(sql);
    this.closing.push(serialize.close({ type: 'S', name }));
  }
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((length, part) => length + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
