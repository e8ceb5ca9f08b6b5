import neo4j, { type Driver } from 'neo4j-driver';
import { MAX_DEPTH } from '../subgraphs/network/model.ts';
import {
  assertDepth,
  int,
  keepKnown,
  linkMap,
  plain,
  reach,
  ROOT,
  viewerOf,
  visible,
  type Audience,
} from '../subgraphs/network/cypher.ts';
import type { ImpactResult } from '../subgraphs/network/impact.ts';
import type { Direction, LinkCursor, LinksOfRoot } from '../subgraphs/network/queries.ts';

/**
 * The network's earlier `upstream`/`downstream` and `impact` queries, kept as the reference the current
 * ones are compared with (test/networkTraversal.test.ts) and measured against (`npm run bench:network`):
 * a shortest-path search to every company within reach, then the links or the page sorted out of all of
 * them. Same answers, found by materialising a path per company reached.
 */

/** A read that Neo4j abandons after `timeoutMs` (the earlier queries can run for minutes on a big network). */
async function read<Row>(
  driver: Driver,
  query: string,
  parameters: Record<string, unknown>,
  timeoutMs: number | undefined,
): Promise<Row[]> {
  const { records } = await driver.executeQuery(query, parameters, {
    routing: neo4j.routing.READ,
    transactionConfig: timeoutMs === undefined ? undefined : { timeout: timeoutMs },
  });
  return records.map((record) => plain<Row>(record.toObject()));
}

function linksQuery(audience: Audience, direction: Direction, depth: number): string {
  assertDepth(depth);
  const [far, near] = direction === 'upstream' ? ['s', 'c'] : ['c', 's'];
  const hop = direction === 'upstream' ? `MATCH (c)<-[r:SUPPLIES]-(s)` : `MATCH (s)-[r:SUPPLIES]->(c)`;
  return `UNWIND $ids AS id
  ${ROOT}
  ${keepKnown(audience, 'x', ['id'])}
  CALL (x) {
    WITH x WHERE x IS NOT NULL
    ${reach(audience, direction, 'x', near, depth - 1)}
    WITH x, ${near}, length(p) + 1 AS tier
    ${hop} WHERE ${visible(audience, 'r', 's', 'c')}
    WITH r, s, c, tier
    WHERE $after IS NULL OR tier > $after.tier
       OR (tier = $after.tier AND (${far}.id > $after.a OR (${far}.id = $after.a AND ${near}.id > $after.b)))
    WITH r, s, c, tier ORDER BY tier, ${far}.id, ${near}.id LIMIT $limit
    RETURN collect(${linkMap('r', 's', 'c', 'tier')}) AS links
  }
  RETURN id, x.id AS rootId, links`;
}

export async function referenceLinksFrom(
  driver: Driver,
  audience: Audience,
  direction: Direction,
  ids: readonly (string | null)[],
  depth: number,
  limit: number,
  after: LinkCursor | null = null,
  timeoutMs?: number,
): Promise<LinksOfRoot[]> {
  return read<LinksOfRoot>(
    driver,
    linksQuery(audience, direction, depth),
    {
      ids: [...ids],
      viewer: viewerOf(audience),
      after: after && { ...after, tier: int(after.tier) },
      limit: int(limit),
    },
    timeoutMs,
  );
}

function within(audience: Audience, from: string, to: string, maxHops: number): string {
  assertDepth(maxHops, 0);
  if (maxHops === 0) return `WITH ${from}, ${from} AS ${to}`;
  if (audience.kind === 'company') {
    return `MATCH (${from})-[:SUPPLIES*0..${maxHops}]->(${to}) WITH DISTINCT ${from}, ${to}`;
  }
  return `${reach(audience, 'downstream', from, to, maxHops)} WITH DISTINCT ${from}, ${to}`;
}

export async function referenceImpact(
  driver: Driver,
  audience: Audience,
  id: string,
  depth: number,
  limit: number,
  after: { distance: number; id: string } | null,
  timeoutMs?: number,
): Promise<ImpactResult> {
  const search = `${reach(audience, 'downstream', 'x', 'a', assertDepth(depth), 1)} WHERE a <> x`;
  const [row] = await read<ImpactResult>(
    driver,
    `OPTIONAL MATCH (x:Company {id: $id})
     ${keepKnown(audience, 'x')}
     CALL (x) {
       WITH x WHERE x IS NOT NULL
       ${within(audience, 'x', 'b', depth - 1)}
       MATCH (b)-[r:SUPPLIES]->(a) WHERE a <> x AND ${visible(audience, 'r', 'b', 'a')}
       UNWIND CASE coalesce(r.items, []) WHEN [] THEN [null] ELSE r.items END AS sku
       RETURN count(DISTINCT a) AS affectedCount, collect(DISTINCT sku) AS items
     }
     CALL (x) {
       WITH x WHERE x IS NOT NULL
       ${search}
         AND ($after IS NULL OR length(p) > $after.distance
              OR (length(p) = $after.distance AND a.id > $after.id))
       WITH a, p ORDER BY length(p), a.id LIMIT $limit
       RETURN collect({companyId: a.id, distance: length(p), path: [n IN nodes(p) | n.id],
                       items: coalesce(last(relationships(p)).items, [])}) AS page
     }
     RETURN x IS NOT NULL AS found, affectedCount, items, page`,
    {
      id,
      viewer: viewerOf(audience),
      limit: int(limit),
      after: after && { ...after, distance: int(after.distance) },
    },
    timeoutMs,
  );
  return { ...row!, items: [...row!.items].sort() };
}

/** The earlier `Partner.tier`: both shortest-path searches for every company, through `visible`. */
export async function referenceTiers(
  driver: Driver,
  audience: Audience,
  ids: readonly string[],
): Promise<(number | null)[]> {
  const rows = await read<{ id: string; tier: number | null }>(
    driver,
    `UNWIND $ids AS id
     OPTIONAL MATCH (c:Company {id: id})
     OPTIONAL MATCH (self:Company {isSelf: true})
     OPTIONAL CALL (c, self) {
       WITH c, self WHERE c <> self
       ${reach(audience, 'downstream', 'c', 'self', MAX_DEPTH, 1)}
       RETURN length(p) AS up
     }
     OPTIONAL CALL (c, self) {
       WITH c, self WHERE c <> self
       ${reach(audience, 'downstream', 'self', 'c', MAX_DEPTH, 1)}
       RETURN length(p) AS down
     }
     RETURN id, CASE WHEN c IS NULL OR self IS NULL THEN null WHEN c = self THEN 0
                     WHEN up IS NOT NULL THEN up WHEN down IS NOT NULL THEN -down ELSE null END AS tier`,
    { ids: [...ids], viewer: viewerOf(audience) },
    undefined,
  );
  const byId = new Map(rows.map((row) => [row.id, row.tier]));
  return ids.map((id) => byId.get(id) ?? null);
}
