import { createHash, randomUUID } from 'node:crypto';
import type { Driver } from 'neo4j-driver';
import type { Principal } from '../../platform/auth/principal.ts';
import type { Queryable } from '../../platform/db/database.ts';
import { badInput, conflict, notFound } from '../../platform/errors.ts';
import type { DisruptionAlertFacts, DisruptionReportedFacts } from '../../platform/events/contract.ts';
import { appendEvent, readEvents, type LoggedEvent } from '../../platform/events/eventLog.ts';
import type { EventSource } from '../../platform/events/subscription.ts';
import { subscribeToEvents } from '../../platform/events/subscription.ts';
import { idempotencyScope, idempotent, requestHash } from '../../platform/idempotency.ts';
import { parseDate, requireText } from '../../platform/input.ts';
import { assertMayReportDisruption } from './access.ts';
import { read, readOne, viewerOf, type Audience } from './cypher.ts';
import type { DeclarationDeps } from './declarations.ts';
import type { ReportDisruptionInput } from './generated/resolvers.ts';
import type { AffectedRow, AlertRow, DisruptionRow } from './model.ts';
import { todayUtc } from '../../platform/dates.ts';
import { isCountryCode } from '../../platform/validation.ts';

/**
 * Disruptions live on the event log, like declared links. `reportDisruption` reads who is downstream from
 * Neo4j, then appends `DisruptionReported` and one `DisruptionAlert` per affected company in ONE
 * PostgreSQL transaction, keyed by the disruption id; the projection then writes the disruption to Neo4j
 * (for risk scores) exactly once. There is no second store to write, so no dual write: a failed
 * transaction leaves nothing, and a retry with the same idempotency key finds the report and appends
 * nothing twice.
 */

/** Alerts returned by the mutation itself; subscribers and the log have them all. */
const ALERTS_RETURNED = 500;
function parseCountry(value: string): string {
  const code = value.trim().toUpperCase();
  if (!isCountryCode(code)) {
    throw badInput(`country must be an ISO 3166-1 alpha-2 code, not "${value}"`, { field: 'country' });
  }
  return code;
}

interface DisruptionRequest {
  partnerId: string | null;
  country: string | null;
  severity: DisruptionReportedFacts['severity'];
  description: string;
  expectedRecovery: string | null;
}

function parseReport(input: ReportDisruptionInput): DisruptionRequest {
  const partnerId = input.partnerId?.trim() || null;
  const country = input.country ? parseCountry(input.country) : null;
  if ((partnerId === null) === (country === null)) {
    throw badInput('give either partnerId or country', { field: partnerId ? 'country' : 'partnerId' });
  }
  return {
    partnerId,
    country,
    severity: input.severity,
    description: requireText(input.description, 'description'),
    expectedRecovery: input.expectedRecovery ? parseDate(input.expectedRecovery, 'expectedRecovery') : null,
  };
}

/** A retry under the same key, by the same caller, names the same disruption. */
function disruptionId(principal: Principal, idempotencyKey: string | null | undefined): string {
  if (idempotencyKey === null || idempotencyKey === undefined) return randomUUID();
  const key = requireText(idempotencyKey, 'idempotencyKey');
  if (key.length > 200)
    throw badInput('idempotencyKey is at most 200 characters', { field: 'idempotencyKey' });
  const scope = idempotencyScope(principal);
  const hex = createHash('sha256').update(`disruption\n${scope}\n${key}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/**
 * Every company downstream of the disrupted ones, however many tiers away, each once at its nearest
 * distance with one shortest path: a breadth-first search per disrupted company, so it ends on any graph.
 */
async function downstreamOf(
  driver: Driver,
  request: DisruptionRequest,
): Promise<{ sources: number; affected: AffectedRow[] }> {
  return readOne<{ sources: number; affected: AffectedRow[] }>(
    driver,
    `OPTIONAL CALL () {
       MATCH (x:Company {id: $partnerId}) RETURN x
       UNION
       MATCH (x:Company {country: $country}) RETURN x
     }
     WITH collect(x) AS sources
     CALL (sources) {
       UNWIND sources AS x
       MATCH p = ANY SHORTEST (x)-[:SUPPLIES]->+(a)
       WHERE NOT a IN sources
       WITH a, p ORDER BY length(p)
       WITH a, head(collect(p)) AS p
       WITH a, p ORDER BY length(p), a.id
       RETURN collect({companyId: a.id, distance: length(p), path: [n IN nodes(p) | n.id],
                       items: coalesce(last(relationships(p)).items, [])}) AS affected
     }
     RETURN size(sources) AS sources, affected`,
    { partnerId: request.partnerId, country: request.country },
  );
}

export function disruptionOf(facts: Omit<DisruptionReportedFacts, 'requestHash'>): DisruptionRow {
  return {
    id: facts.disruptionId,
    partnerId: facts.partnerId,
    country: facts.country,
    severity: facts.severity,
    description: facts.description,
    expectedRecovery: facts.expectedRecovery,
    reportedAt: facts.reportedAt,
    alertCount: facts.alertCount,
  };
}

export function alertOf(event: LoggedEvent<'DisruptionAlert'>): AlertRow {
  const facts = event.payload;
  return {
    cursor: event.cursor,
    at: event.occurredAt.toISOString(),
    disruption: disruptionOf(facts.disruption),
    companyId: facts.companyId,
    distance: facts.distance,
    path: facts.path,
    items: facts.items,
  };
}

/**
 * What a partner is told: that a disruption reaches it, through which of its suppliers, and the
 * disrupted company only when that is its direct supplier. Companies further up stay undisclosed.
 */
export function alertFor(audience: Audience, alert: AlertRow): AlertRow {
  if (audience.kind === 'company') return alert;
  return {
    ...alert,
    path: alert.path.slice(-2),
    disruption: { ...alert.disruption, partnerId: alert.distance === 1 ? alert.disruption.partnerId : null },
  };
}

async function existingReport(tx: Queryable, id: string) {
  const filter = { aggregateType: 'Disruption', aggregateId: id };
  const [reported] = await readEvents(tx, '0', 1, { ...filter, types: ['DisruptionReported'] });
  if (!reported) return null;
  const alerts = await readEvents(tx, '0', ALERTS_RETURNED, { ...filter, types: ['DisruptionAlert'] });
  return { reported, alerts };
}

export interface ReportedDisruption {
  disruption: DisruptionRow;
  alerts: AlertRow[];
}

export async function reportDisruption(
  deps: DeclarationDeps,
  principal: Principal,
  audience: Audience,
  input: ReportDisruptionInput,
  idempotencyKey: string | null | undefined,
): Promise<ReportedDisruption> {
  const request = parseReport(input);
  assertMayReportDisruption(principal, request.partnerId);
  const id = disruptionId(principal, idempotencyKey);
  const hash = requestHash(request);
  await deps.projected();
  const { sources, affected } = await downstreamOf(deps.driver, request);
  if (request.partnerId && sources === 0) throw notFound('partner', request.partnerId);

  const { reported, alerts } = await deps.db.transaction((tx) =>
    // Two retries at once: the second waits for the first, then finds its report.
    idempotent(
      tx,
      {
        lock: `disruption:${id}`,
        find: async () => {
          const existing = await existingReport(tx, id);
          if (!existing) return undefined;
          return { result: existing, requestHash: existing.reported.payload.requestHash };
        },
        requestHash: hash,
        conflict: () => conflict('this idempotency key was used for a different disruption report', { id }),
      },
      async () => {
        const disruption: DisruptionAlertFacts['disruption'] = {
          disruptionId: id,
          ...request,
          reportedAt: new Date().toISOString(),
          alertCount: affected.length,
        };
        const facts: DisruptionReportedFacts = { ...disruption, requestHash: hash };
        const logged = await appendEvent(tx, {
          type: 'DisruptionReported',
          aggregateType: 'Disruption',
          aggregateId: id,
          parties: request.partnerId ? [request.partnerId] : [],
          actor: principal.subject,
          payload: facts,
        });
        const appended: LoggedEvent<'DisruptionAlert'>[] = [];
        for (const company of affected) {
          const alert: DisruptionAlertFacts = { disruption, ...company };
          const event = await appendEvent(tx, {
            type: 'DisruptionAlert',
            aggregateType: 'Disruption',
            aggregateId: id,
            parties: [company.companyId],
            actor: principal.subject,
            payload: alert,
          });
          if (appended.length < ALERTS_RETURNED) appended.push(event);
        }
        return { reported: logged, alerts: appended };
      },
    ),
  );
  // Risk scores read the disruption from Neo4j: wait until the projection has it.
  await deps.projected(reported.cursor);
  return {
    disruption: disruptionOf(reported.payload),
    alerts: alerts
      .map(alertOf)
      .filter((alert) => audience.kind === 'company' || alert.distance === 1)
      .map((alert) => alertFor(audience, alert)),
  };
}

/** Disruptions as projected: the company's staff see all, a partner those at its own company. */
export async function listDisruptions(
  driver: Driver,
  audience: Audience,
  activeOnly: boolean,
): Promise<DisruptionRow[]> {
  const rows = await read<{ d: Omit<DisruptionRow, 'id'> & { id: string } }>(
    driver,
    `MATCH (d:Disruption)
     WHERE ($activeOnly = false OR d.expectedRecovery IS NULL OR d.expectedRecovery >= $today)
       AND ($viewer IS NULL OR d.partnerId = $viewer)
     RETURN d {.id, .partnerId, .country, .severity, .description, .expectedRecovery, .reportedAt, .alertCount} AS d
     ORDER BY d.reportedAt DESC`,
    { activeOnly, today: todayUtc(), viewer: viewerOf(audience) },
  );
  return rows.map(({ d }) => d);
}

export function isActive(disruption: DisruptionRow): boolean {
  return disruption.expectedRecovery === null || disruption.expectedRecovery >= todayUtc();
}

/** Live alerts: a partner receives those addressed to it (it is the event's party), the company all. */
/** Who sees an alert: the alerted company, and the company's own people (a null viewer). */
export const alertVisibleTo =
  (partnerId: string | null) =>
  (event: LoggedEvent): boolean =>
    partnerId === null || event.parties.includes(partnerId);

export function subscribeToAlerts(source: EventSource, audience: Audience, after: string | null | undefined) {
  const partnerId = viewerOf(audience);
  return subscribeToEvents(source, {
    after,
    filter: {
      types: ['DisruptionAlert'],
      aggregateType: 'Disruption',
      ...(partnerId ? { party: partnerId } : {}),
    },
    visible: alertVisibleTo(partnerId),
    toPayload: (event) => alertFor(audience, alertOf(event)),
  });
}
