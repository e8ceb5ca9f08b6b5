import type { Driver } from 'neo4j-driver';
import {
  assertDepth,
  int,
  keepKnown,
  linkMap,
  nearest,
  reach,
  read,
  readOne,
  ROOT,
  viewerOf,
  viewerScope,
  visible,
  visibleHop,
  withViewer,
  type Audience,
} from './cypher.ts';
import { MAX_DEPTH, type ConcentrationEntryRow, type SingleSourceRow, type SupplyLinkRow } from './model.ts';

/**
 * The network's read queries. Each answers one GraphQL field in one Cypher query: a breadth-first
 * search (`ANY SHORTEST`) finds every company once at its nearest distance, then one more hop picks up
 * the links. No path enumeration, so the cost follows the links reached, not the paths through them.
 */

export type Direction = 'upstream' | 'downstream';

/** Keyset position in a list of links: tier, then the far end's id, then the near end's. */
export interface LinkCursor {
  tier: number;
  a: string;
  b: string;
}

export interface LinksOfRoot {
  /** The id asked for, or null for us. */
  id: string | null;
  /** The company the links were computed from; null when `id` is unknown. */
  rootId: string | null;
  links: SupplyLinkRow[];
}

function linksQuery(audience: Audience, direction: Direction, depth: number): string {
  assertDepth(depth);
  const [far, near] = direction === 'upstream' ? ['s', 'c'] : ['c', 's'];
  const hop = direction === 'upstream' ? `MATCH (c)<-[r:SUPPLIES]-(s)` : `MATCH (s)-[r:SUPPLIES]->(c)`;
  const view = viewerScope(audience);
  const carry = (...names: string[]) => [...names, ...view].join(', ');
  // Links at tier t leave the companies exactly t - 1 links away. Tiers are computed nearest first, each
  // only while the page is not yet full and only from the cursor's tier on, so a page costs the tiers it
  // covers, not the whole depth.
  const tier = (t: number) => `
  OPTIONAL CALL (${carry('x', 'links')}) {
    WITH ${carry('x', 'links')}
    WHERE x IS NOT NULL AND size(links) < $limit AND ($after IS NULL OR $after.tier <= ${t})
    ${
      t === 1
        ? `WITH *, x AS ${near}`
        : `CALL (${carry('x')}) {
      ${nearest(audience, direction, 'x', near, 0, t - 1)}
      WITH ${near}, min(length(p)) AS distance WHERE distance = ${t - 1}
      RETURN ${near}
    }`
    }
    ${hop} WHERE ${visibleHop(audience, 'r', 's', 'c')}
    WITH r, s, c
    WHERE $after IS NULL OR ${t} > $after.tier
       OR ${far}.id > $after.a OR (${far}.id = $after.a AND ${near}.id > $after.b)
    WITH r, s, c ORDER BY ${far}.id, ${near}.id LIMIT $limit
    RETURN collect(${linkMap('r', 's', 'c', String(t))}) AS more
  }
  WITH ${carry('id', 'x')}, links + coalesce(more, []) AS links`;
  return `UNWIND $ids AS id
  ${ROOT}
  ${keepKnown(audience, 'x', ['id'])}
  ${withViewer(audience, ['id', 'x'])}
  WITH ${carry('id', 'x')}, [] AS links
  ${Array.from({ length: depth }, (_, index) => tier(index + 1)).join('')}
  RETURN id, x.id AS rootId, links[..$limit] AS links`;
}

/**
 * Links up- or downstream of each root, up to `depth` links away, each at the tier where it is first met
 * (one more than its near end's distance). A link back into the root (a cycle) is not listed again.
 */
export async function linksFrom(
  driver: Driver,
  audience: Audience,
  direction: Direction,
  ids: readonly (string | null)[],
  depth: number,
  limit: number,
  after: LinkCursor | null = null,
): Promise<LinksOfRoot[]> {
  return read<LinksOfRoot>(driver, linksQuery(audience, direction, depth), {
    ids: [...ids],
    viewer: viewerOf(audience),
    after: after && { ...after, tier: int(after.tier) },
    limit: int(limit),
  });
}

export function linkCursor(direction: Direction, link: SupplyLinkRow): [string, string, string] {
  return direction === 'upstream'
    ? [String(link.tier), link.supplierId, link.customerId]
    : [String(link.tier), link.customerId, link.supplierId];
}

/**
 * Tier of each company relative to us, through the links the audience may see; one query per batch. Each
 * tier is a shortest-path search between two known ends (breadth-first from both, so it stops where the
 * two frontiers meet), over the hops `visibleHop` allows; the search downstream of us runs only for a
 * company that is not upstream of us, so an upstream company never walks our whole downstream network.
 */
export async function tiers(
  driver: Driver,
  audience: Audience,
  ids: readonly string[],
): Promise<(number | null)[]> {
  const view = viewerScope(audience);
  const carry = (...names: string[]) => [...names, ...view].join(', ');
  const hops =
    audience.kind === 'company'
      ? ''
      : `WHERE all(hr IN relationships(p) WHERE ${visibleHop(audience, 'hr', 'startNode(hr)', 'endNode(hr)')})`;
  const rows = await read<{ id: string; tier: number | null }>(
    driver,
    `OPTIONAL MATCH (self:Company {isSelf: true})
     ${withViewer(audience, ['self'])}
     UNWIND $ids AS id
     OPTIONAL MATCH (c:Company {id: id})
     OPTIONAL CALL (${carry('c', 'self')}) {
       WITH ${carry('c', 'self')} WHERE c <> self
       MATCH p = shortestPath((c)-[:SUPPLIES*1..${MAX_DEPTH}]->(self)) ${hops}
       RETURN length(p) AS up
     }
     OPTIONAL CALL (${carry('c', 'self', 'up')}) {
       WITH ${carry('c', 'self', 'up')} WHERE c <> self AND up IS NULL
       MATCH p = shortestPath((self)-[:SUPPLIES*1..${MAX_DEPTH}]->(c)) ${hops}
       RETURN length(p) AS down
     }
     RETURN id, CASE WHEN c IS NULL OR self IS NULL THEN null WHEN c = self THEN 0
                     WHEN up IS NOT NULL THEN up WHEN down IS NOT NULL THEN -down ELSE null END AS tier`,
    { ids: [...ids], viewer: viewerOf(audience) },
  );
  const byId = new Map(rows.map((row) => [row.id, row.tier]));
  return ids.map((id) => byId.get(id) ?? null);
}

export interface PathResult {
  fromFound: boolean;
  toFound: boolean;
  companyIds: string[] | null;
  links: SupplyLinkRow[] | null;
}

/** The shortest chain along which goods flow from `from` to `to`, at most MAX_DEPTH links. */
export async function supplyPath(
  driver: Driver,
  audience: Audience,
  from: string,
  to: string,
): Promise<PathResult> {
  return readOne<PathResult>(
    driver,
    `OPTIONAL MATCH (a:Company {id: $from})
     OPTIONAL MATCH (b:Company {id: $to})
     ${keepKnown(audience, 'a', ['b'])}
     ${keepKnown(audience, 'b', ['a'])}
     OPTIONAL CALL (a, b) {
       WITH a, b WHERE a IS NOT NULL AND b IS NOT NULL
       ${reach(audience, 'downstream', 'a', 'b', MAX_DEPTH, 1)}
       WITH nodes(p) AS companies, relationships(p) AS rels
       RETURN [n IN companies | n.id] AS companyIds,
              [i IN range(0, size(rels) - 1) |
                 ${linkMap('rels[i]', 'companies[i]', 'companies[i + 1]', 'i + 1')}] AS links
     }
     RETURN a IS NOT NULL AS fromFound, b IS NOT NULL AS toFound, companyIds, links`,
    { from, to, viewer: viewerOf(audience) },
  );
}

export interface RootedResult<Row> {
  rootId: string | null;
  rows: Row[];
}

/** Items a company within `depth` tiers upstream of the root receives from exactly one supplier. */
export async function singleSourceRisks(
  driver: Driver,
  audience: Audience,
  id: string | null,
  depth: number,
): Promise<RootedResult<SingleSourceRow>> {
  return readOne<RootedResult<SingleSourceRow>>(
    driver,
    `WITH $id AS id
     ${ROOT}
     ${keepKnown(audience, 'x')}
     CALL (x) {
       WITH x WHERE x IS NOT NULL
       ${reach(audience, 'upstream', 'x', 'c', assertDepth(depth) - 1)}
       WITH c, length(p) + 1 AS tier
       MATCH (c)<-[r:SUPPLIES]-(s) WHERE ${visible(audience, 'r', 's', 'c')}
       UNWIND coalesce(r.items, []) AS sku
       WITH c, tier, sku, collect({supplierId: s.id, share: r.share}) AS sources
       WHERE size(sources) = 1
       WITH c, tier, sku, sources[0] AS only ORDER BY tier, c.id, sku
       RETURN collect({customerId: c.id, supplierId: only.supplierId, sku: sku, tier: tier, share: only.share}) AS rows
     }
     RETURN x.id AS rootId, rows`,
    { id, viewer: viewerOf(audience) },
  );
}

export interface ConcentrationResult {
  rootId: string | null;
  directSuppliers: number;
  upstreamCompanies: number;
  entries: Omit<ConcentrationEntryRow, 'share' | 'dependentShare'>[];
}

/**
 * How the root's upstream within `depth` tiers concentrates: for each country (or company), how many
 * upstream companies it holds and how many direct suppliers depend on it somewhere in their own upstream.
 */
export async function concentration(
  driver: Driver,
  audience: Audience,
  by: 'COUNTRY' | 'SUPPLIER',
  id: string | null,
  depth: number,
  first: number,
): Promise<ConcentrationResult> {
  const key = by === 'COUNTRY' ? `coalesce(u.country, '??')` : 'u.id';
  const result = await readOne<ConcentrationResult>(
    driver,
    `WITH $id AS id
     ${ROOT}
     ${keepKnown(audience, 'x')}
     OPTIONAL CALL (x) {
       WITH x WHERE x IS NOT NULL
       MATCH (x)<-[r:SUPPLIES]-(d) WHERE d <> x AND ${visible(audience, 'r', 'd', 'x')}
       WITH x, collect(DISTINCT d) AS direct
       UNWIND direct AS d
       CALL (x, d) {
         ${reach(audience, 'upstream', 'd', 'u', assertDepth(depth) - 1)}
         WITH u WHERE u <> x
         RETURN u
       }
       WITH size(direct) AS directCount, ${key} AS key, u, d
       WITH directCount, key, count(DISTINCT u) AS companies, count(DISTINCT d) AS dependentSuppliers
       ORDER BY dependentSuppliers DESC, companies DESC, key
       WITH directCount, collect({key: key, companies: companies, dependentSuppliers: dependentSuppliers}) AS entries
       RETURN directCount, reduce(total = 0, e IN entries | total + e.companies) AS upstreamCompanies,
              entries[..$first] AS entries
     }
     RETURN x.id AS rootId, coalesce(directCount, 0) AS directSuppliers,
            coalesce(upstreamCompanies, 0) AS upstreamCompanies, coalesce(entries, []) AS entries`,
    { id, viewer: viewerOf(audience), first: int(first) },
  );
  return {
    ...result,
    entries: result.entries.map((entry) => ({ ...entry, partnerId: by === 'SUPPLIER' ? entry.key : null })),
  };
}
