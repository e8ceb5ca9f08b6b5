import neo4j, { type Driver } from 'neo4j-driver';
import { RowCountError } from '../../platform/db/database.ts';
import { MAX_DEPTH } from './model.ts';

/**
 * Cypher shared by the network's queries. Query text is built only from code constants and from depths
 * that were validated as integers in 1..MAX_DEPTH (variable-length bounds cannot be parameters); every
 * value that comes from a request travels as a parameter.
 */

/** Whose view a query computes: the company's staff see every link, a partner what visibility allows. */
export type Audience = { kind: 'company' } | { kind: 'partner'; partnerId: string };

/** The `$viewer` parameter every query takes: null for the company. */
export function viewerOf(audience: Audience): string | null {
  return audience.kind === 'partner' ? audience.partnerId : null;
}

/**
 * Whether link `r` from supplier `s` to customer `c` is visible to `$viewer`: its own links, links shared
 * with the whole network, and PARTNERS links one tier beyond (the viewer buys from `c`, or sells to `s`).
 * A DISCLOSED link (`r.disclosed`, to a company known only by a partner's disclosure) is seen by its ends
 * alone and opens nothing beyond: the tier-beyond rule counts only the viewer's links both ends stand
 * behind. Pending declarations are not SUPPLIES relationships at all, so they never appear here.
 * For the company the predicate is `true`, so its queries carry no visibility cost.
 */
export function visible(audience: Audience, r: string, s: string, c: string): string {
  if (audience.kind === 'company') return 'true';
  return `(${s}.id = $viewer OR ${c}.id = $viewer OR (${r}.disclosed IS NULL AND (${r}.visibility = 'NETWORK'
    OR (${r}.visibility = 'PARTNERS'
        AND (EXISTS { (${c})-[own:SUPPLIES]->(:Company {id: $viewer}) WHERE own.disclosed IS NULL }
             OR EXISTS { (:Company {id: $viewer})-[own:SUPPLIES]->(${s}) WHERE own.disclosed IS NULL })))))`;
}

/**
 * Whether company `x` is known to the audience: a partner knows itself and the ends of the links it may
 * see; any other company is answered as if it did not exist (NOT_FOUND), so asking reveals nothing.
 */
export function known(audience: Audience, x: string): string {
  if (audience.kind === 'company') return 'true';
  return `(${x}.id = $viewer
    OR EXISTS { (${x})-[kr:SUPPLIES]->(ko) WHERE ${visible(audience, 'kr', x, 'ko')} }
    OR EXISTS { (ko)-[kr:SUPPLIES]->(${x}) WHERE ${visible(audience, 'kr', 'ko', x)} })`;
}

/** Rebinds `x` to null when the audience may not know it. */
export function keepKnown(audience: Audience, x: string, carry: readonly string[] = []): string {
  if (audience.kind === 'company') return '';
  return `WITH ${[...carry, `CASE WHEN ${x} IS NOT NULL AND ${known(audience, x)} THEN ${x} END AS ${x}`].join(', ')}`;
}

export function assertDepth(depth: number, min = 1): number {
  if (!Number.isInteger(depth) || depth < min || depth > MAX_DEPTH) {
    throw new RangeError(`depth ${depth} outside ${min}..${MAX_DEPTH}`);
  }
  return depth;
}

/**
 * Every company within `maxHops` links of `from` (itself included, at distance 0), each once with one
 * shortest path `p`: a breadth-first search, so cycles neither loop nor repeat a company.
 */
export function reach(
  audience: Audience,
  direction: 'upstream' | 'downstream',
  from: string,
  to: string,
  maxHops: number,
  minHops = 0,
): string {
  assertDepth(maxHops, 0);
  // A quantifier may not be {0,0}: zero hops is the start itself, as a path of length 0.
  if (maxHops === 0) return `WITH *, ${from} AS ${to} MATCH p = (${to})`;
  const hop =
    direction === 'upstream'
      ? `(hc)<-[hr:SUPPLIES]-(hs) WHERE ${visible(audience, 'hr', 'hs', 'hc')}`
      : `(hs)-[hr:SUPPLIES]->(hc) WHERE ${visible(audience, 'hr', 'hs', 'hc')}`;
  return `MATCH p = ANY SHORTEST (${from})(${hop}){${minHops},${maxHops}}(${to})`;
}

/** The variables `withViewer` binds, to carry through a query's `WITH` clauses. */
export function viewerScope(audience: Audience): string[] {
  return audience.kind === 'partner' ? ['vw', 'vwSuppliers', 'vwCustomers'] : [];
}

/**
 * Binds the viewer's company (`vw`) and the companies on either side of its own confirmed links, once, so
 * `visibleHop` tests a link against two short lists instead of running a subquery per link. Nothing for
 * the company, whose view needs no test.
 */
export function withViewer(audience: Audience, carry: readonly string[]): string {
  if (audience.kind === 'company') return '';
  return `OPTIONAL MATCH (vw:Company {id: $viewer})
    WITH ${[...carry, 'vw'].join(', ')},
      COLLECT { MATCH (vs)-[own:SUPPLIES]->(vw) WHERE own.disclosed IS NULL RETURN vs } AS vwSuppliers,
      COLLECT { MATCH (vw)-[own:SUPPLIES]->(vc) WHERE own.disclosed IS NULL RETURN vc } AS vwCustomers`;
}

/**
 * `visible` over the viewer bound by `withViewer`: the same rule (its own links, NETWORK links, PARTNERS
 * links one tier beyond, DISCLOSED links only to their ends), with the tier-beyond test as list lookups.
 */
export function visibleHop(audience: Audience, r: string, s: string, c: string): string {
  if (audience.kind === 'company') return 'true';
  return `(${s} = vw OR ${c} = vw OR (${r}.disclosed IS NULL AND (${r}.visibility = 'NETWORK'
    OR (${r}.visibility = 'PARTNERS' AND (${c} IN vwSuppliers OR ${s} IN vwCustomers)))))`;
}

/**
 * Binds `to` to every company within `minHops`..`maxHops` links of `from` through links the audience may
 * see, with `p` a path to it, for a following `WITH …, to, min(length(p)) AS …`: Neo4j plans that
 * as a breadth-first expand that never expands a company twice and yields each once at its distance, so
 * the cost follows the links reached, not the paths through them. Partners need `withViewer` first.
 */
export function nearest(
  audience: Audience,
  direction: 'upstream' | 'downstream',
  from: string,
  to: string,
  minHops: number,
  maxHops: number,
): string {
  assertDepth(maxHops, minHops);
  const pattern =
    direction === 'upstream'
      ? `(${from})<-[:SUPPLIES*${minHops}..${maxHops}]-(${to})`
      : `(${from})-[:SUPPLIES*${minHops}..${maxHops}]->(${to})`;
  const where =
    audience.kind === 'company'
      ? ''
      : `WHERE all(hr IN relationships(p) WHERE ${visibleHop(audience, 'hr', 'startNode(hr)', 'endNode(hr)')})`;
  return `MATCH p = ${pattern} ${where}`;
}

/**
 * Binds `x` to the company `id` names, or to us when `id` is null: one index lookup either way, in the
 * same query as the rest (no round trip to find our own id).
 */
export const ROOT = `OPTIONAL CALL (id) {
    MATCH (x:Company {id: id}) RETURN x
    UNION
    MATCH (x:Company {isSelf: true}) WHERE id IS NULL RETURN x
  }`;

/** A link's fields as `SupplyLinkRow` reads them; `r` from `s` to `c`, met at `tier`. */
export function linkMap(r: string, s: string, c: string, tier: string): string {
  return `{id: ${r}.requestId, status: CASE WHEN ${r}.disclosed THEN 'DISCLOSED' ELSE 'CONFIRMED' END,
    rejectionReason: null, supplierId: ${s}.id, customerId: ${c}.id, tier: ${tier},
    items: coalesce(${r}.items, []), share: ${r}.share, sources: coalesce(${r}.sources, []),
    declaredBy: ${r}.declaredBy, since: ${r}.since, visibility: coalesce(${r}.visibility, 'PRIVATE')}`;
}

/** A declaration (`:LinkRequest`) as a `SupplyLinkRow`: one link, as its declarer described it. */
export function requestMap(q: string): string {
  return `{id: ${q}.id, status: CASE ${q}.status WHEN 'CONFIRMED' THEN 'CONFIRMED'
      WHEN 'PENDING' THEN 'PENDING' ELSE 'REJECTED' END,
    rejectionReason: ${q}.reason, supplierId: ${q}.supplierId, customerId: ${q}.customerId, tier: 1,
    items: ${q}.items, share: ${q}.share, sources: ['DECLARED'], declaredBy: ${q}.declaredBy,
    since: ${q}.since, visibility: ${q}.visibility, seq: ${q}.seq}`;
}

/** Integers for LIMIT and list slices: JavaScript numbers travel as floats, which Cypher refuses there. */
export function int(value: number) {
  return neo4j.int(value);
}

export function toNumber(value: unknown): number {
  return neo4j.isInt(value) ? value.toNumber() : Number(value);
}

/** Converts Neo4j integers in a returned value to numbers, deeply. */
export function plain<T>(value: unknown): T {
  if (neo4j.isInt(value)) return value.toNumber() as T;
  if (Array.isArray(value)) return value.map((entry) => plain<unknown>(entry)) as T;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, entry]) => [key, plain<unknown>(entry)])) as T;
  }
  return value as T;
}

/**
 * A read that returns exactly one record (an aggregate, an OPTIONAL MATCH with a summary); another count is
 * a bug, reported with the labels the query names.
 */
export async function readOne<Row>(
  driver: Driver,
  query: string,
  parameters: Record<string, unknown>,
): Promise<Row> {
  const rows = await read<Row>(driver, query, parameters);
  const [row] = rows;
  if (row === undefined || rows.length > 1) {
    const labels = new Set([...query.matchAll(/\(\w*:(\w+)/g)].map((match) => `:${match[1]}`));
    throw new RowCountError('one row', rows.length, `the query on ${[...labels].join(', ') || 'no label'}`);
  }
  return row;
}

/** A read that failed for a reason worth another try (a pooled connection the server dropped) gets one. */
const READ_ATTEMPTS = 2;

/**
 * A read as one auto-commit query; records come back as plain objects. Its RUN and PULL go to Neo4j in one
 * write and are answered together: a managed transaction (`executeQuery`) adds a BEGIN and a COMMIT, two
 * more messages each way, for a read that needs neither.
 */
export async function read<Row>(
  driver: Driver,
  query: string,
  parameters: Record<string, unknown>,
): Promise<Row[]> {
  for (let attempt = 1; ; attempt += 1) {
    const session = driver.session({ defaultAccessMode: neo4j.session.READ });
    try {
      const { records } = await session.run(query, parameters);
      return records.map((record) => plain<Row>(record.toObject()));
    } catch (error) {
      if (attempt >= READ_ATTEMPTS || !neo4j.isRetryableError(error)) throw error;
    } finally {
      await session.close();
    }
  }
}
