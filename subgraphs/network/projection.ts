import type { Driver, ManagedTransaction } from 'neo4j-driver';
import type { SupplyLinkDeclaredFacts } from '../../platform/events/contract.ts';
import { isOf, type LoggedEvent } from '../../platform/events/eventLog.ts';
import { applyFresh, passingOver, type ConsumerSink } from '../../platform/events/consumer.ts';
import { isoDate } from '../../platform/dates.ts';
import { refreshDerived } from './derived.ts';

/** The events the network is made of; the projection passes every other by (`passingOver`). */
const NETWORK_SOURCES = [
  'PartnerRegistered',
  'PartnerUpdated',
  'PartnerCertificationAdded',
  'PartnerCertificationRemoved',
  'SupplyLinkDeclared',
  'SupplyLinkConfirmed',
  'SupplyLinkRejected',
  'DisruptionReported',
  'OrderConfirmed',
] as const;
type NetworkEvent = LoggedEvent<(typeof NETWORK_SOURCES)[number]>;
const actsOnNetwork = (event: LoggedEvent): event is NetworkEvent => isOf(event, NETWORK_SOURCES);

/** Adds `$new` to list `current` without repeats. */
const union = (current: string, added: string) =>
  `reduce(acc = coalesce(${current}, []), sku IN ${added} | CASE WHEN sku IN acc THEN acc ELSE acc + sku END)`;

/**
 * Binds `s`, `c` and their link `r`, creating what is missing; new links are PRIVATE until a declaration
 * says otherwise.
 */
const mergeLink = (supplierId: string, customerId: string) => `MERGE (s:Company {id: ${supplierId}})
  MERGE (c:Company {id: ${customerId}})
  MERGE (s)-[r:SUPPLIES]->(c)
    ON CREATE SET r.visibility = 'PRIVATE', r.sources = [], r.declaredItems = [], r.observedItems = []`;

const isZero = (quantity: string) => /^0*(\.0*)?$/.test(quantity);

/** The day an event happened, as the ISO date links keep for "since". */
const dayOf = (event: LoggedEvent) => isoDate(event.occurredAt);

/**
 * Writes a declaration onto the pair's link. The latest declaration replaces the earlier one's items, share
 * and visibility, except that a partner may not share a link more widely than the company itself declared
 * it. A disclosure (`requestId` set) marks a link it creates as DISCLOSED; anything else both ends stand
 * behind clears the mark.
 */
async function applyDeclaration(
  tx: ManagedTransaction,
  link: SupplyLinkDeclaredFacts,
  day: string,
  requestId: string | null,
): Promise<void> {
  await tx.run(
    `${mergeLink('$supplierId', '$customerId')}
     WITH s, r, {PRIVATE: 0, PARTNERS: 1, NETWORK: 2} AS rank,
          $requestId IS NOT NULL AND coalesce(r.disclosed, size(r.sources) = 0) AS provisional
     SET r.visibility = CASE
           WHEN $declaredBy IS NULL OR r.companyVisibility IS NULL
                OR rank[$visibility] <= rank[r.companyVisibility] THEN $visibility
           ELSE r.companyVisibility END,
         r.companyVisibility = CASE WHEN $declaredBy IS NULL THEN $visibility ELSE r.companyVisibility END
     SET r.declaredItems = $items, r.share = $share,
         r.declaredBy = $declaredBy, r.declaredAt = $day,
         r.sources = ${union('r.sources', "['DECLARED']")},
         r.since = coalesce($since, r.since, $day)
     SET r.items = ${union('r.declaredItems', 'r.observedItems')}
     SET r.disclosed = CASE WHEN provisional THEN true END,
         r.requestId = CASE WHEN provisional THEN $requestId END
     WITH s
     ${refreshDerived('s')}`,
    {
      supplierId: link.supplierId,
      customerId: link.customerId,
      items: link.items,
      share: link.share,
      since: link.since,
      visibility: link.visibility,
      declaredBy: link.declaredBy,
      day,
      requestId,
    },
  );
}

/** What a confirmed order shows of the network: goods of `items` flowing from supplier to customer on `day`. */
interface Observation {
  supplierId: string;
  customerId: string;
  items: string[];
  day: string;
}

/**
 * A confirmed order shows goods flowing from seller to buyer: supplier → us for a purchase order, us →
 * customer for a sales order. Declined lines (0 confirmed) show nothing, nor does an order with oneself.
 */
function observationOf(event: LoggedEvent<'OrderConfirmed'>): Observation | null {
  const order = event.payload;
  const items = [...new Set(order.lines.filter((l) => !isZero(l.confirmedQuantity)).map((l) => l.sku))];
  if (items.length === 0 || order.sellerId === order.buyerId) return null;
  return { supplierId: order.sellerId, customerId: order.buyerId, items, day: dayOf(event) };
}

/**
 * Writes observations onto their links in one statement, in their order, then rewrites the derived
 * properties once per supplier: confirmations come in bursts, and a statement per order made the
 * projection's round trips to Neo4j, and its planning and writes of derived properties, grow with them.
 */
async function applyObservations(
  tx: ManagedTransaction,
  observations: readonly Observation[],
): Promise<void> {
  if (observations.length === 0) return;
  await tx.run(
    `UNWIND $observations AS o
     ${mergeLink('o.supplierId', 'o.customerId')}
     SET r.observedItems = ${union('r.observedItems', 'o.items')},
         r.sources = ${union('r.sources', "['OBSERVED']")},
         r.observedAt = o.day, r.since = coalesce(r.since, o.day)
     REMOVE r.disclosed, r.requestId
     SET r.items = ${union('r.declaredItems', 'r.observedItems')}
     WITH DISTINCT s
     ${refreshDerived('s')}`,
    { observations },
  );
}

/**
 * Applies events in their order. Consecutive confirmations go to Neo4j as one statement
 * (applyObservations); every other event as its own.
 */
async function projectEvents(tx: ManagedTransaction, events: readonly LoggedEvent[]): Promise<void> {
  const observations: Observation[] = [];
  for (const event of events.filter(actsOnNetwork)) {
    if (event.type === 'OrderConfirmed') {
      const observation = observationOf(event);
      if (observation) observations.push(observation);
      continue;
    }
    await applyObservations(tx, observations.splice(0));
    await projectEvent(tx, event);
  }
  await applyObservations(tx, observations);
}

/**
 * Applies one event other than a confirmation (projectEvents gathers those) to the graph. Every write is
 * a MERGE or SET keyed by ids from the event, so the projection is deterministic; exactly-once comes from
 * the offset stored in the same transaction. Every write to a link also rewrites its supplier's derived
 * properties (derived.ts) in that statement, so no reader sees one without the other.
 */
async function projectEvent(
  tx: ManagedTransaction,
  event: Exclude<NetworkEvent, LoggedEvent<'OrderConfirmed'>>,
): Promise<void> {
  switch (event.type) {
    case 'PartnerRegistered':
    case 'PartnerUpdated': {
      const { id, name, country, isSelf, status } = event.payload;
      await tx.run(
        `MERGE (c:Company {id: $id}) SET c.name = $name, c.country = $country, c.isSelf = $isSelf, c.status = $status`,
        { id, name, country, isSelf, status },
      );
      return;
    }
    case 'PartnerCertificationAdded': {
      const facts = event.payload;
      await tx.run(
        `MERGE (c:Company {id: $partnerId})
         MERGE (cert:Certification {id: $certificationId})
         SET cert.kind = $kind, cert.issuer = $issuer, cert.validUntil = $validUntil
         MERGE (c)-[:HOLDS]->(cert)`,
        { ...facts },
      );
      return;
    }
    case 'PartnerCertificationRemoved': {
      const facts = event.payload;
      await tx.run('MATCH (cert:Certification {id: $certificationId}) DETACH DELETE cert', { ...facts });
      return;
    }
    case 'SupplyLinkDeclared': {
      const link = event.payload;
      const status = link.status ?? 'CONFIRMED';
      // A later declaration of a pair replaces the one still awaiting a decision.
      await tx.run(
        `MATCH (q:LinkRequest {supplierId: $supplierId, customerId: $customerId, status: 'PENDING'})
         SET q.status = 'SUPERSEDED'`,
        { supplierId: link.supplierId, customerId: link.customerId },
      );
      if (status !== 'CONFIRMED') {
        await tx.run(
          `CREATE (q:LinkRequest {id: $linkId}) SET q.supplierId = $supplierId, q.customerId = $customerId,
             q.items = $items, q.share = $share, q.since = $since, q.visibility = $visibility,
             q.declaredBy = $declaredBy, q.status = 'PENDING', q.disclosure = $disclosure,
             q.seq = toInteger($seq), q.requestedAt = $at`,
          {
            ...link,
            linkId: link.linkId ?? `${event.cursor}`,
            disclosure: status === 'DISCLOSED',
            seq: event.cursor,
            at: event.occurredAt.toISOString(),
          },
        );
      }
      // A pending declaration changes nothing in the network until it is confirmed.
      if (status === 'PENDING') return;
      await applyDeclaration(tx, link, dayOf(event), status === 'DISCLOSED' ? (link.linkId ?? null) : null);
      return;
    }
    case 'SupplyLinkConfirmed': {
      const { linkId } = event.payload;
      const { records } = await tx.run(
        `MATCH (q:LinkRequest {id: $linkId, status: 'PENDING'})
         SET q.status = 'CONFIRMED', q.decidedAt = $at
         RETURN q {.supplierId, .customerId, .items, .share, .since, .visibility, .declaredBy} AS facts`,
        { linkId, at: event.occurredAt.toISOString() },
      );
      // The company's own declarations are confirmed as they are declared: no request to apply.
      const facts = records[0]?.get('facts') as SupplyLinkDeclaredFacts | undefined;
      if (facts) await applyDeclaration(tx, facts, dayOf(event), null);
      return;
    }
    case 'SupplyLinkRejected': {
      const { linkId, reason } = event.payload;
      // A disclosed link nothing else stands behind goes with its declaration.
      await tx.run(
        `MATCH (q:LinkRequest {id: $linkId, status: 'PENDING'})
         SET q.status = 'REJECTED', q.reason = $reason, q.decidedAt = $at
         WITH q
         OPTIONAL MATCH (:Company {id: q.supplierId})-[r:SUPPLIES {requestId: q.id}]->(:Company {id: q.customerId})
         WHERE r.disclosed
         DELETE r
         WITH q
         MATCH (s:Company {id: q.supplierId})
         ${refreshDerived('s')}`,
        { linkId, reason, at: event.occurredAt.toISOString() },
      );
      return;
    }
    case 'DisruptionReported': {
      const facts = event.payload;
      await tx.run(
        `MERGE (d:Disruption {id: $disruptionId})
         SET d.partnerId = $partnerId, d.country = $country, d.severity = $severity,
             d.description = $description, d.expectedRecovery = $expectedRecovery,
             d.reportedAt = $reportedAt, d.alertCount = $alertCount`,
        { ...facts },
      );
      return;
    }
  }
}

/**
 * The network projection keeps its position in Neo4j, written in the transaction that applies the batch.
 * A batch with no event of the network's is passed over (`passingOver`).
 */
export function networkProjectionSink(driver: Driver, consumer: string): ConsumerSink {
  return passingOver(actsOnNetwork, {
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
          // Writing the offset node first takes its write lock, which a second instance of the projection
          // then waits for; a plain read would let both apply the same batch.
          await tx.run(
            `MERGE (o:ConsumerOffset {consumer: $consumer}) ON CREATE SET o.cursor = "0"
             SET o.claims = coalesce(o.claims, 0) + 1`,
            { consumer },
          );
          const stored = await tx.run(
            'MATCH (o:ConsumerOffset {consumer: $consumer}) RETURN o.cursor AS cursor',
            {
              consumer,
            },
          );
          const position = (stored.records[0]?.get('cursor') as string | undefined) ?? '0';
          const last = await applyFresh(position, events, async (fresh) => {
            await projectEvents(tx, fresh);
          });
          if (last) {
            await tx.run('MATCH (o:ConsumerOffset {consumer: $consumer}) SET o.cursor = $cursor', {
              consumer,
              cursor: last,
            });
          }
        });
      } finally {
        await session.close();
      }
    },
  });
}
