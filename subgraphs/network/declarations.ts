import { randomUUID } from 'node:crypto';
import { GraphQLError } from 'graphql';
import type { Driver } from 'neo4j-driver';
import type { Principal } from '../../platform/auth/principal.ts';
import type { Database, Queryable } from '../../platform/db/database.ts';
import { badInput, notFound } from '../../platform/errors.ts';
import type { SupplyLinkConfirmedFacts, SupplyLinkDeclaredFacts } from '../../platform/events/contract.ts';
import { appendEvent } from '../../platform/events/eventLog.ts';
import { parseDate } from '../../platform/input.ts';
import { assertMayDeclare, declarerOf } from './access.ts';
import { linkMap, read, requestMap } from './cypher.ts';
import type { DeclareSupplyLinkInput } from './generated/resolvers.ts';
import type { SupplyLinkRow, Visibility } from './model.ts';

/**
 * Declared links travel through the event log: a declaration is appended as `SupplyLinkDeclared` in one
 * PostgreSQL transaction, and the network projection writes it to Neo4j exactly once. Neo4j is never
 * written beside the log, so there is no dual write to reconcile, and the graph rebuilds from the log.
 *
 * A link needs both ends behind it. The company's staff declare CONFIRMED links; a partner naming another
 * partner (or the company) as the other end declares a PENDING request that changes nothing until that
 * party (or staff) confirms it (linkRequests.ts); a partner naming a company known only by disclosure
 * (INVITED, which cannot confirm anything) makes a DISCLOSED link, its own account, which only it and the
 * company's staff see.
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
export function parseDeclaration(principal: Principal, input: DeclareSupplyLinkInput): Declaration {
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

interface KnownCompany {
  id: string;
  status: string | null;
  isSelf: boolean;
}

/** The companies of `ids` in the network (partners registered, as projected), with their status. */
async function knownCompanies(driver: Driver, ids: readonly string[]): Promise<Map<string, KnownCompany>> {
  const rows = await read<KnownCompany>(
    driver,
    `UNWIND $ids AS id MATCH (c:Company {id: id})
     RETURN c.id AS id, c.status AS status, coalesce(c.isSelf, false) AS isSelf`,
    { ids: [...new Set(ids)] },
  );
  return new Map(rows.map((row) => [row.id, row]));
}

/** A declaration's standing: the company's own are confirmed; a partner's await the other end. */
function statusOf(
  facts: SupplyLinkDeclaredFacts,
  known: Map<string, KnownCompany>,
): NonNullable<SupplyLinkDeclaredFacts['status']> {
  if (facts.declaredBy === null) return 'CONFIRMED';
  const other = known.get(facts.declaredBy === facts.supplierId ? facts.customerId : facts.supplierId);
  return other && !other.isSelf && other.status === 'INVITED' ? 'DISCLOSED' : 'PENDING';
}

/** The declarations of these ids, as their declarer described them. */
async function storedRequests(driver: Driver, ids: readonly string[]): Promise<Map<string, SupplyLinkRow>> {
  const rows = await read<{ link: SupplyLinkRow }>(
    driver,
    `UNWIND $ids AS id MATCH (q:LinkRequest {id: id}) RETURN ${requestMap('q')} AS link`,
    { ids },
  );
  return new Map(rows.map(({ link }) => [link.id ?? '', link]));
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
  const status = facts.status ?? 'CONFIRMED';
  return {
    id: status === 'CONFIRMED' ? null : (facts.linkId ?? null),
    status,
    rejectionReason: null,
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

/** Declarations, confirmations and rejections of links take turns, so a decision sees every declaration. */
export async function lockLinkRequests(tx: Queryable): Promise<void> {
  await tx.query("SELECT pg_advisory_xact_lock(hashtext('network:supply-link-requests'))");
}

/** The aggregate every event about one pair of companies belongs to. */
export const linkAggregate = (supplierId: string, customerId: string) => ({
  aggregateType: 'SupplyLink',
  aggregateId: `${supplierId}>${customerId}`,
});

/** A declaration before it is appended: without a status, the company's own (CONFIRMED). */
export type Declaration = Omit<SupplyLinkDeclaredFacts, 'linkId' | 'status'> & {
  status?: SupplyLinkDeclaredFacts['status'];
};

/**
 * Appends declarations in the caller's transaction, each with a new id, and `SupplyLinkConfirmed` after
 * each confirmed one (consumers learn who is related to whom from it); returns the last cursor and the
 * declarations as appended. The demo seed uses it too.
 */
export async function appendDeclarations(
  tx: Queryable,
  declarations: readonly Declaration[],
  actor: string,
): Promise<{ cursor: string; declared: SupplyLinkDeclaredFacts[] }> {
  await lockLinkRequests(tx);
  let cursor = '0';
  const declared: SupplyLinkDeclaredFacts[] = [];
  for (const declaration of declarations) {
    const facts: SupplyLinkDeclaredFacts = {
      ...declaration,
      linkId: randomUUID(),
      status: declaration.status ?? 'CONFIRMED',
    };
    const parties = [facts.supplierId, facts.customerId];
    const aggregate = linkAggregate(facts.supplierId, facts.customerId);
    ({ cursor } = await appendEvent(tx, {
      type: 'SupplyLinkDeclared',
      ...aggregate,
      parties,
      actor,
      payload: facts,
    }));
    if (facts.status === 'CONFIRMED') {
      const confirmed: SupplyLinkConfirmedFacts = {
        linkId: facts.linkId!,
        supplierId: facts.supplierId,
        customerId: facts.customerId,
      };
      ({ cursor } = await appendEvent(tx, {
        type: 'SupplyLinkConfirmed',
        ...aggregate,
        parties,
        actor,
        payload: confirmed,
      }));
    }
    declared.push(facts);
  }
  return { cursor, declared };
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
    if (missing === undefined) return { facts: { ...facts, status: statusOf(facts, known) }, error: null };
    const field = missing === facts.supplierId ? 'supplierId' : 'customerId';
    return { facts: null, error: { ...rowError(notFound('partner', missing)), field } };
  });
  const anyFailed = checked.some(({ error }) => error !== null);
  const accepted = allOrNothing && anyFailed ? [] : checked.flatMap(({ facts }) => (facts ? [facts] : []));
  let declared: SupplyLinkDeclaredFacts[] = [];
  if (accepted.length > 0) {
    const appended = await deps.db.transaction((tx) => appendDeclarations(tx, accepted, principal.subject));
    declared = appended.declared;
    await deps.projected(appended.cursor);
  }
  const links = await storedLinks(
    deps.driver,
    declared
      .filter((facts) => facts.status !== 'PENDING')
      .map((facts) => [facts.supplierId, facts.customerId]),
  );
  const requests = await storedRequests(
    deps.driver,
    declared.flatMap((facts) => (facts.status === 'PENDING' ? [facts.linkId!] : [])),
  );
  const stored = (facts: SupplyLinkDeclaredFacts) =>
    (facts.status === 'PENDING'
      ? requests.get(facts.linkId!)
      : links.get(`${facts.supplierId}>${facts.customerId}`)) ?? declaredLink(facts);
  let next = 0;
  return checked.map(({ facts, error }, index) => ({
    index,
    link: facts && declared.length > 0 ? stored(declared[next++]!) : null,
    error,
  }));
}
