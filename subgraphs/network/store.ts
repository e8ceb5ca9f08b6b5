import { createHash } from 'node:crypto';
import type { Driver } from 'neo4j-driver';
import { DERIVED_DATA, deriveAll } from './derived.ts';

/**
 * The graph's shape: `(:Company {id, name, country, status, isSelf})-[:SUPPLIES]->(:Company)`, one
 * SUPPLIES relationship per supplier and customer whatever its sources; `(:Company)-[:HOLDS]->
 * (:Certification)`; `(:Disruption)`; `(:LinkRequest)`, a partner's declaration awaiting a decision; the
 * projection's `(:ConsumerOffset)`; and the versions a start looks for, `(:SchemaVersion)` and
 * `(:DerivedData)`. Everything in it is projected from the event log (docs/network.md), so an emptied graph
 * rebuilds from the log.
 */
const SCHEMA = [
  'CREATE CONSTRAINT company_id IF NOT EXISTS FOR (c:Company) REQUIRE c.id IS UNIQUE',
  'CREATE INDEX company_self IF NOT EXISTS FOR (c:Company) ON (c.isSelf)',
  'CREATE INDEX company_country IF NOT EXISTS FOR (c:Company) ON (c.country)',
  'CREATE CONSTRAINT certification_id IF NOT EXISTS FOR (c:Certification) REQUIRE c.id IS UNIQUE',
  'CREATE CONSTRAINT disruption_id IF NOT EXISTS FOR (d:Disruption) REQUIRE d.id IS UNIQUE',
  'CREATE INDEX disruption_partner IF NOT EXISTS FOR (d:Disruption) ON (d.partnerId)',
  'CREATE INDEX disruption_country IF NOT EXISTS FOR (d:Disruption) ON (d.country)',
  'CREATE CONSTRAINT link_request_id IF NOT EXISTS FOR (q:LinkRequest) REQUIRE q.id IS UNIQUE',
  'CREATE INDEX link_request_pair IF NOT EXISTS FOR (q:LinkRequest) ON (q.supplierId, q.customerId)',
  'CREATE INDEX link_request_status IF NOT EXISTS FOR (q:LinkRequest) ON (q.status)',
  'CREATE CONSTRAINT consumer_offset IF NOT EXISTS FOR (o:ConsumerOffset) REQUIRE o.consumer IS UNIQUE',
];

/** Names the statements above: recorded in `(:SchemaVersion)` once every one of them has run. */
const SCHEMA_VERSION = createHash('sha256').update(SCHEMA.join('\n')).digest('base64url').slice(0, 16);

/**
 * What every start does before the projection runs: the schema and the derived properties, each only when
 * the graph does not record this code's version of it. Asked in one statement: on a JVM that has just
 * started, each new Cypher statement is planned by cold code, most of a second apiece, and a start waits
 * for this before it serves.
 */
export async function prepareNetworkGraph(driver: Driver): Promise<void> {
  const { records } = await driver.executeQuery(
    `OPTIONAL MATCH (s:SchemaVersion)
     OPTIONAL MATCH (d:DerivedData {name: $name})
     RETURN s.version AS schema, d.version AS derived`,
    { name: DERIVED_DATA.name },
  );
  if (records[0]?.get('schema') !== SCHEMA_VERSION) await prepareNetworkSchema(driver);
  // After the schema: rebuilding the derived properties finds companies through its indexes.
  if (records[0]?.get('derived') !== DERIVED_DATA.version) await deriveAll(driver);
}

/**
 * Constraints and indexes; `IF NOT EXISTS` makes every run safe. An index dropped by hand after its version
 * was recorded comes back only with a new version (or `clearNetwork`), like a migration already applied.
 */
export async function prepareNetworkSchema(driver: Driver): Promise<void> {
  // One question instead of a schema transaction per statement: most indexes are usually there already.
  const { records } = await driver.executeQuery('SHOW INDEXES YIELD name, state');
  const online = new Set(
    records.filter((r) => r.get('state') === 'ONLINE').map((r) => r.get('name') as string),
  );
  const missing = SCHEMA.filter((statement) => !online.has(schemaName(statement)));
  for (const statement of missing) await driver.executeQuery(statement);
  if (missing.length > 0) await driver.executeQuery('CALL db.awaitIndexes(300)');
  await driver.executeQuery('MERGE (v:SchemaVersion) SET v.version = $version', { version: SCHEMA_VERSION });
}

function schemaName(statement: string): string {
  const name = /^CREATE (?:CONSTRAINT|INDEX) (\w+) /.exec(statement)?.[1];
  if (!name) throw new Error(`a schema statement without a name: ${statement}`);
  return name;
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
