import neo4j, { type Driver, type ManagedTransaction } from 'neo4j-driver';
import type { LoggedEvent } from '../../platform/events/eventLog.ts';
import type { ConsumerSink } from '../../platform/events/consumer.ts';

export const MAX_DEPTH = 10;

export interface PartnerRef {
  id: string;
}

export interface SupplyLinkRow {
  supplierId: string;
  customerId: string;
  tier: number;
  items: string[];
  share: number | null;
  source: 'OBSERVED' | 'DECLARED' | null;
}

/** Constraints and indexes; `IF NOT EXISTS` makes every start safe. */
const SCHEMA = [
  'CREATE CONSTRAINT company_id IF NOT EXISTS FOR (c:Company) REQUIRE c.id IS UNIQUE',
  'CREATE INDEX company_self IF NOT EXISTS FOR (c:Company) ON (c.isSelf)',
  'CREATE INDEX company_country IF NOT EXISTS FOR (c:Company) ON (c.country)',
  'CREATE CONSTRAINT consumer_offset IF NOT EXISTS FOR (o:ConsumerOffset) REQUIRE o.consumer IS UNIQUE',
];

export async function prepareNetworkSchema(driver: Driver): Promise<void> {
  for (const statement of SCHEMA) await driver.executeQuery(statement);
}

/**
 * Variable-length bounds cannot be query parameters in Cypher, so each depth has its own constant
 * query text, chosen by a validated integer: no input ever becomes query text.
 */
function byDepth(template: (depth: number) => string): string[] {
  return Array.from({ length: MAX_DEPTH + 1 }, (_, depth) => (depth === 0 ? '' : template(depth)));
}

const LINK_FIELDS = `startNode(r).id AS supplierId, endNode(r).id AS customerId, tier,
  coalesce(r.items, []) AS items, r.share AS share, r.source AS source`;

// Every link on a path of at most `depth` links into the partner, at the tier where it is first met.
const UPSTREAM = byDepth(
  (depth) => `
  MATCH (x:Company {id: $id})
  MATCH p = (x)<-[:SUPPLIES*1..${depth}]-(:Company)
  WITH relationships(p) AS rels
  UNWIND range(0, size(rels) - 1) AS i
  WITH rels[i] AS r, min(i + 1) AS tier
  RETURN ${LINK_FIELDS} ORDER BY tier, supplierId, customerId`,
);

const DOWNSTREAM = byDepth(
  (depth) => `
  MATCH (x:Company {id: $id})
  MATCH p = (x)-[:SUPPLIES*1..${depth}]->(:Company)
  WITH relationships(p) AS rels
  UNWIND range(0, size(rels) - 1) AS i
  WITH rels[i] AS r, min(i + 1) AS tier
  RETURN ${LINK_FIELDS} ORDER BY tier, customerId, supplierId`,
);

export async function supplyLinks(
  driver: Driver,
  direction: 'upstream' | 'downstream',
  partnerId: string,
  depth: number,
): Promise<SupplyLinkRow[]> {
  const query = (direction === 'upstream' ? UPSTREAM : DOWNSTREAM)[depth];
  if (!query) throw new RangeError(`depth ${depth} outside 1..${MAX_DEPTH}`);
  const { records } = await driver.executeQuery(query, { id: partnerId }, { routing: neo4j.routing.READ });
  return records.map((record) => ({
    supplierId: record.get('supplierId') as string,
    customerId: record.get('customerId') as string,
    tier: toNumber(record.get('tier')),
    items: record.get('items') as string[],
    share: record.get('share') as number | null,
    source: record.get('source') as SupplyLinkRow['source'],
  }));
}

/** Tier of each partner relative to us, in one query for the whole batch. */
export async function tiers(driver: Driver, ids: readonly string[]): Promise<(number | null)[]> {
  const { records } = await driver.executeQuery(
    `UNWIND $ids AS id
     OPTIONAL MATCH (c:Company {id: id})
     OPTIONAL MATCH (self:Company {isSelf: true})
     OPTIONAL CALL (c, self) {
       WITH c, self WHERE c <> self
       MATCH p = shortestPath((c)-[:SUPPLIES*1..${MAX_DEPTH}]->(self))
       RETURN length(p) AS up
     }
     OPTIONAL CALL (c, self) {
       WITH c, self WHERE c <> self
       MATCH p = shortestPath((self)-[:SUPPLIES*1..${MAX_DEPTH}]->(c))
       RETURN length(p) AS down
     }
     RETURN id, CASE WHEN c IS NULL OR self IS NULL THEN null WHEN c = self THEN 0
                     WHEN up IS NOT NULL THEN up WHEN down IS NOT NULL THEN -down ELSE null END AS tier`,
    { ids: [...ids] },
    { routing: neo4j.routing.READ },
  );
  const byId = new Map(records.map((record) => [record.get('id') as string, record.get('tier') as unknown]));
  return ids.map((id) => {
    const tier = byId.get(id);
    return tier === null || tier === undefined ? null : toNumber(tier);
  });
}

export async function selfId(driver: Driver): Promise<string | null> {
  const { records } = await driver.executeQuery(
    'MATCH (c:Company {isSelf: true}) RETURN c.id AS id LIMIT 1',
    {},
    {
      routing: neo4j.routing.READ,
    },
  );
  return (records[0]?.get('id') as string | undefined) ?? null;
}

export interface DeclaredLink {
  supplierId: string;
  customerId: string;
  items: string[];
  share: number | null;
  source: 'OBSERVED' | 'DECLARED';
  declaredBy: string | null;
  visibility: 'PRIVATE' | 'PARTNERS' | 'NETWORK';
}

export async function mergeSupplyLink(tx: ManagedTransaction, link: DeclaredLink): Promise<void> {
  await tx.run(
    `MERGE (s:Company {id: $supplierId})
     MERGE (c:Company {id: $customerId})
     MERGE (s)-[r:SUPPLIES]->(c)
       ON CREATE SET r.since = datetime()
     SET r.items = $items, r.share = $share, r.source = $source, r.declaredBy = $declaredBy,
         r.visibility = $visibility`,
    link,
  );
}

/** Applies the partner facts the network mirrors: companies keep the partner's id, name and country. */
async function projectEvent(tx: ManagedTransaction, event: LoggedEvent): Promise<void> {
  if (event.type !== 'PartnerRegistered' && event.type !== 'PartnerUpdated') return;
  const { id, name, country, isSelf } = event.payload as {
    id: string;
    name: string;
    country: string;
    isSelf: boolean;
  };
  await tx.run(`MERGE (c:Company {id: $id}) SET c.name = $name, c.country = $country, c.isSelf = $isSelf`, {
    id,
    name,
    country,
    isSelf,
  });
}

/** The network projection keeps its position in Neo4j, written in the transaction that applies the batch. */
export function networkProjectionSink(driver: Driver, consumer: string): ConsumerSink {
  return {
    async position() {
      const { records } = await driver.executeQuery(
        'MATCH (o:ConsumerOffset {consumer: $consumer}) RETURN o.cursor AS cursor',
        { consumer },
      );
      return (records[0]?.get('cursor') as string | undefined) ?? '0';
    },
    async applyBatch(events) {
      const session = driver.session();
      try {
        await session.executeWrite(async (tx) => {
          const stored = await tx.run(
            'MERGE (o:ConsumerOffset {consumer: $consumer}) ON CREATE SET o.cursor = "0" RETURN o.cursor AS cursor',
            { consumer },
          );
          const position = BigInt((stored.records[0]?.get('cursor') as string | undefined) ?? '0');
          const fresh = events.filter((event) => BigInt(event.cursor) > position);
          for (const event of fresh) await projectEvent(tx, event);
          const last = fresh[fresh.length - 1];
          if (last) {
            await tx.run('MATCH (o:ConsumerOffset {consumer: $consumer}) SET o.cursor = $cursor', {
              consumer,
              cursor: last.cursor,
            });
          }
        });
      } finally {
        await session.close();
      }
    },
  };
}

function toNumber(value: unknown): number {
  return neo4j.isInt(value) ? value.toNumber() : Number(value);
}

/** Empties the graph (tests and benchmarks start from nothing); batched, so it needs an auto-commit transaction. */
export async function clearNetwork(driver: Driver): Promise<void> {
  const session = driver.session();
  try {
    await session.run('MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS');
  } finally {
    await session.close();
  }
}
