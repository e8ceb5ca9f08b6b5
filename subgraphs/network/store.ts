import type { Driver } from 'neo4j-driver';

/**
 * The graph's shape: `(:Company {id, name, country, status, isSelf})-[:SUPPLIES]->(:Company)`, one
 * SUPPLIES relationship per supplier and customer whatever its sources; `(:Company)-[:HOLDS]->
 * (:Certification)`; `(:Disruption)`; `(:LinkRequest)`, a partner's declaration awaiting a decision; and the projection's `(:ConsumerOffset)`. Everything in it is
 * projected from the event log (docs/network.md), so an emptied graph rebuilds from the log.
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

/** Constraints and indexes; `IF NOT EXISTS` makes every start safe. */
export async function prepareNetworkSchema(driver: Driver): Promise<void> {
  // One question instead of a schema transaction per statement: on every start but the first, each index
  // (a constraint's included) is already there and online, and the start goes on at once.
  const { records } = await driver.executeQuery('SHOW INDEXES YIELD name, state');
  const online = new Set(
    records.filter((r) => r.get('state') === 'ONLINE').map((r) => r.get('name') as string),
  );
  const missing = SCHEMA.filter((statement) => !online.has(schemaName(statement)));
  if (missing.length === 0) return;
  for (const statement of missing) await driver.executeQuery(statement);
  await driver.executeQuery('CALL db.awaitIndexes(300)');
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
