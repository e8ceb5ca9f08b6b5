import type { Driver } from 'neo4j-driver';
import {
  assertDepth,
  int,
  keepKnown,
  nearest,
  readOne,
  viewerOf,
  viewerScope,
  visibleHop,
  withViewer,
  type Audience,
} from './cypher.ts';
import { SUPPLYING } from './derived.ts';
import type { AffectedRow } from './model.ts';

export interface ImpactResult {
  found: boolean;
  affectedCount: number;
  items: string[];
  /** One more than asked, to tell whether another page follows. */
  page: AffectedRow[];
}

/**
 * The SKUs on the links a disruption at `x` spreads along: every visible link out of a company nearer
 * than `depth` (bound as `levels[..depth]`), links back into `x` excepted. Most companies answer from
 * their derived properties (derived.ts), and those that supply nobody (most, at the end of the chain) by
 * their missing label alone; only those whose links need a closer look are read link by link:
 *   - suppliers of `x`, whose link back into it does not count;
 *   - for a partner, the companies with a link whose visibility depends on the viewer: itself, its
 *     customers (it sees their PARTNERS links), its suppliers and their suppliers (links into them); every
 *     other company's links it sees are exactly the NETWORK links that are not DISCLOSED.
 */
function itemsOnTheWay(audience: Audience, depth: number): string {
  const explicit = `COLLECT {
      MATCH (a)-[r:SUPPLIES]->(b) WHERE b <> x AND ${visibleHop(audience, 'r', 'a', 'b')}
      UNWIND coalesce(r.items, []) AS sku
      RETURN sku
    }`;
  const special =
    audience.kind === 'company'
      ? `COLLECT { MATCH (t)-[:SUPPLIES]->(x) RETURN DISTINCT t }`
      : `COLLECT { MATCH (t)-[:SUPPLIES]->(x) RETURN t } + [vw] + vwCustomers
          + COLLECT { MATCH (t)-[:SUPPLIES]->(vw) RETURN t }
          + COLLECT { UNWIND vwSuppliers AS vs MATCH (t)-[:SUPPLIES]->(vs) RETURN t }`;
  const derived = audience.kind === 'company' ? 'a.outItems' : 'a.sharedOutItems';
  return `WITH *, ${special} AS special
    UNWIND levels[..${depth}] AS level
    UNWIND level AS a
    WITH * WHERE a:${SUPPLYING}
    UNWIND CASE WHEN a IN special THEN ${explicit} ELSE coalesce(${derived}, []) END AS sku
    WITH DISTINCT sku
    RETURN collect(sku) AS items`;
}

/**
 * Every company downstream of `id` within `depth` links, each once with a shortest path, nearest first;
 * the count and the items on the way cover all of them, the rows only the page.
 */
export async function impact(
  driver: Driver,
  audience: Audience,
  id: string,
  depth: number,
  limit: number,
  after: { distance: number; id: string } | null,
): Promise<ImpactResult> {
  assertDepth(depth);
  const view = viewerScope(audience);
  const carry = (...names: string[]) => [...names, ...view].join(', ');
  // The page, level by level from the cursor's: a level's ids are read only while the page is not full.
  const level = (d: number) => `
       OPTIONAL CALL (levels, page) {
         WITH levels, page WHERE size(page) < $limit AND ($after IS NULL OR $after.distance <= ${d})
         UNWIND levels[${d}] AS a
         WITH a WHERE $after IS NULL OR ${d} > $after.distance OR a.id > $after.id
         WITH a ORDER BY a.id LIMIT $limit
         RETURN collect({a: a, distance: ${d}}) AS more
       }
       WITH ${carry('x', 'levels')}, page + coalesce(more, []) AS page`;
  // One breadth-first pass finds every company once at its distance: the count is the sizes of its
  // levels, and no path is built but the page's, each searched between its two known ends.
  const row = await readOne<ImpactResult>(
    driver,
    `OPTIONAL MATCH (x:Company {id: $id})
     ${keepKnown(audience, 'x')}
     OPTIONAL CALL (x) {
       WITH x WHERE x IS NOT NULL
       ${withViewer(audience, ['x'])}
       CALL (${carry('x')}) {
         ${nearest(audience, 'downstream', 'x', 'a', 0, depth)}
         RETURN a, min(length(p)) AS distance
       }
       WITH ${carry('x', 'distance')}, collect(a) AS level ORDER BY distance
       WITH ${carry('x')}, collect(level) AS levels, [] AS page
       ${Array.from({ length: depth }, (_, index) => level(index + 1)).join('')}
       CALL (${carry('x', 'levels')}) {
         ${itemsOnTheWay(audience, depth)}
       }
       CALL (${carry('x', 'page')}) {
         UNWIND page[..$limit] AS row
         WITH ${carry('x')}, row.a AS a, row.distance AS distance
         MATCH p = shortestPath((x)-[:SUPPLIES*1..${depth}]->(a))
         ${audience.kind === 'company' ? '' : `WHERE all(hr IN relationships(p) WHERE ${visibleHop(audience, 'hr', 'startNode(hr)', 'endNode(hr)')})`}
         RETURN collect({companyId: a.id, distance: distance, path: [n IN nodes(p) | n.id],
                         items: coalesce(last(relationships(p)).items, [])}) AS rows
       }
       RETURN reduce(count = 0, l IN levels[1..] | count + size(l)) AS affectedCount, items, rows
     }
     RETURN x IS NOT NULL AS found, coalesce(affectedCount, 0) AS affectedCount, coalesce(items, []) AS items,
            coalesce(rows, []) AS page`,
    {
      id,
      viewer: viewerOf(audience),
      limit: int(limit),
      after: after && { ...after, distance: int(after.distance) },
    },
  );
  return { ...row, items: [...row.items].sort() };
}
