import { GraphQLError } from 'graphql';
import type { Driver } from 'neo4j-driver';
import type { Principal } from '../../platform/auth/principal.ts';
import type { Database, Queryable } from '../../platform/db/database.ts';
import { badInput, notFound } from '../../platform/errors.ts';
import type { SupplyLinkDeclaredFacts } from '../../platform/events/contract.ts';
import { appendEvent } from '../../platform/events/eventLog.ts';
import { parseDate } from '../../platform/input.ts';
import { assertMayDeclare, declarerOf } from './access.ts';
import { linkMap, read } from './cypher.ts';
import type { DeclareSupplyLinkInput } from './generated/resolvers.ts';
import type { SupplyLinkRow, Visibility } from './model.ts';

/**
 * Declared links travel through the event log: a declaration is appended as `SupplyLinkDeclared` in one
 * PostgreSQL transaction, and the network projection writes it to Neo4j exactly once. Neo4j is never
 * written beside the log, so there is no dual write to reconcile, and the graph rebuilds from the log.
 */

export const MAX_IMPORT_ROWS = 5_000;
const MAX_ITEMS = 100;
const SKU = /^[A-Za-z0-9][A-Za-z0-9._\-/]{0,63}$/;

export interface DeclarationDeps {
  db: Database;
  driver: Driver;
  /** Resolves once the projection has applied the log up to now (mutations read their own writes). */
  projected(cursor?: string): Promise<void>;
}

/** Checks one row's content and the caller's right to declare it; throws BAD_USER_INPUT or FORBIDDEN. */
export function parseDeclaration(
  principal: Principal,
  input: DeclareSupplyLinkInput,
): SupplyLinkDeclaredFacts {
  const supplierId = input.supplierId.trim();
  const customerId = input.customerId.trim();
  if (supplierId === '') throw badInput('supplierId must not be empty', { field: 'supplierId' });
  if (customerId === '') throw badInput('customerId must not be empty', { field: 'customerId' });
  if (supplierId === customerId) {
    throw badInput('a company cannot supply itself: supplierId and customerId are the same', {
      field: 'customerId',
    });
  }
  const items = [...new Set(input.items.map((sku) => sku.trim()))];
  if (items.length === 0) throw badInput('a link carries at least one item', { field: 'items' });
  if (items.length > MAX_ITEMS) throw badInput(`at most ${MAX_ITEMS} items per link`, { field: 'items' });
  const bad = items.find((sku) => !SKU.test(sku));
  if (bad !== undefined) throw badInput(`"${bad}" is not a SKU`, { field: 'items' });
  const share = input.share ?? null;
  if (share !== null && !(share > 0 && share <= 1)) {
    throw badInput('share must be greater than 0 and at most 1', { field: 'share' });
  }
  const since = input.since ? parseDate(input.since, 'since') : null;
  assertMayDeclare(principal, supplierId, customerId);
  return {
    supplierId,
    customerId,
    items,
    share,
    since,
    visibility: (input.visibility ?? 'PARTNERS') satisfies Visibility,
    declaredBy: declarerOf(principal),
  };
}

/** Which of `ids` are companies in the network (partners registered, as projected). */
async function knownCompanies(driver: Driver, ids: readonly string[]): Promise<Set<string>> {
  const rows = await read<{ id: string }>(
    driver,
    'UNWIND $ids AS id MATCH (c:Company {id: id}) RETURN c.id AS id',
    { ids: [...new Set(ids)] },
  );
  return new Set(rows.map((row) => row.id));
}

/** The stored links of these pairs, as their direct relationship (tier 1). */
async function storedLinks(
  driver: Driver,
  pairs: readonly [string, string][],
): Promise<Map<string, SupplyLinkRow>> {
  const rows = await read<{ link: SupplyLinkRow }>(
    driver,
    `UNWIND $pairs AS pair
     MATCH (s:Company {id: pair[0]})-[r:SUPPLIES]->(c:Company {id: pair[1]})
     RETURN ${linkMap('r', 's', 'c', '1')} AS link`,
    { pairs },
  );
  return new Map(rows.map(({ link }) => [`${link.supplierId}>${link.customerId}`, link]));
}

/** The link as declared, for when the projection has not applied it within the wait (it will). */
function declaredLink(facts: SupplyLinkDeclaredFacts): SupplyLinkRow {
  return {
    supplierId: facts.supplierId,
    customerId: facts.customerId,
    tier: 1,
    items: facts.items,
    share: facts.share,
    sources: ['DECLARED'],
    declaredBy: facts.declaredBy,
    since: facts.since,
    visibility: facts.visibility,
  };
}

/** Appends declarations in the caller's transaction; returns the last cursor. The demo seed uses it too. */
export async function appendDeclarations(
  tx: Queryable,
  declarations: readonly SupplyLinkDeclaredFacts[],
  actor: string,
): Promise<string> {
  let cursor = '0';
  for (const facts of declarations) {
    const event = await appendEvent(tx, {
      type: 'SupplyLinkDeclared',
      aggregateType: 'SupplyLink',
      aggregateId: `${facts.supplierId}>${facts.customerId}`,
      parties: [facts.supplierId, facts.customerId],
      actor,
      payload: facts,
    });
    cursor = event.cursor;
  }
  return cursor;
}

export interface RowOutcome {
  index: number;
  link: SupplyLinkRow | null;
  error: { code: string; message: string; field: string | null } | null;
}

function rowError(error: unknown): NonNullable<RowOutcome['error']> {
  if (error instanceof GraphQLError) {
    const field = error.extensions.field;
    return {
      code: typeof error.extensions.code === 'string' ? error.extensions.code : 'BAD_USER_INPUT',
      message: error.message,
      field: typeof field === 'string' ? field : null,
    };
  }
  throw error;
}

/**
 * Declares links row by row: every row is checked (content, right to declare, both ends registered),
 * then the good ones are appended in one transaction; with `allOrNothing`, one bad row appends none.
 */
export async function declareLinks(
  deps: DeclarationDeps,
  principal: Principal,
  inputs: readonly DeclareSupplyLinkInput[],
  allOrNothing: boolean,
): Promise<RowOutcome[]> {
  if (inputs.length > MAX_IMPORT_ROWS) {
    throw badInput(`at most ${MAX_IMPORT_ROWS} links per import`, { field: 'links' });
  }
  // A partner registered a moment ago is a company once the projection has applied its event.
  await deps.projected();
  const parsed = inputs.map((input) => {
    try {
      return { facts: parseDeclaration(principal, input), error: null };
    } catch (error) {
      return { facts: null, error: rowError(error) };
    }
  });
  const known = await knownCompanies(
    deps.driver,
    parsed.flatMap(({ facts }) => (facts ? [facts.supplierId, facts.customerId] : [])),
  );
  const checked = parsed.map(({ facts, error }) => {
    if (!facts) return { facts, error };
    const missing = [facts.supplierId, facts.customerId].find((id) => !known.has(id));
    if (missing === undefined) return { facts, error: null };
    const field = missing === facts.supplierId ? 'supplierId' : 'customerId';
    return { facts: null, error: { ...rowError(notFound('partner', missing)), field } };
  });
  const anyFailed = checked.some(({ error }) => error !== null);
  const accepted = allOrNothing && anyFailed ? [] : checked.flatMap(({ facts }) => (facts ? [facts] : []));
  if (accepted.length > 0) {
    const last = await deps.db.transaction((tx) => appendDeclarations(tx, accepted, principal.subject));
    await deps.projected(last);
  }
  const links = await storedLinks(
    deps.driver,
    accepted.map((facts) => [facts.supplierId, facts.customerId]),
  );
  return checked.map(({ facts, error }, index) => ({
    index,
    link:
      facts && accepted.length > 0
        ? (links.get(`${facts.supplierId}>${facts.customerId}`) ?? declaredLink(facts))
        : null,
    error,
  }));
}
