import type { Driver } from 'neo4j-driver';
import type { Principal } from '../../platform/auth/principal.ts';
import { badInput, conflict, notFound } from '../../platform/errors.ts';
import { appendEvent, readCommittedEvents } from '../../platform/events/eventLog.ts';
import { requireText } from '../../platform/input.ts';
import { assertMayDecide, audienceOf, mayReadRequest } from './access.ts';
import { int, read, requestMap, viewerOf } from './cypher.ts';
import { linkAggregate, lockLinkRequests, type DeclarationDeps } from './declarations.ts';
import type { SupplyLinkRow } from './model.ts';

/**
 * Decisions on partners' declarations. A declaration is PENDING from its `SupplyLinkDeclared` until a
 * `SupplyLinkConfirmed` or `SupplyLinkRejected` with its id, or a later declaration of the same pair,
 * follows it on the log. Decisions append under the same lock declarations take, after re-reading the
 * pair's events in that transaction, so two decisions on one declaration cannot both succeed.
 */

const MAX_REASON = 1_000;

export type PendingFilter = 'TO_CONFIRM' | 'DECLARED' | 'ALL';

export interface RequestRow extends SupplyLinkRow {
  id: string;
  seq: number;
}

interface StoredRequest {
  link: RequestRow;
  /** PENDING, CONFIRMED, REJECTED or SUPERSEDED, as projected. */
  state: string;
  selfId: string | null;
}

async function requestById(driver: Driver, id: string): Promise<StoredRequest | null> {
  const [row] = await read<StoredRequest>(
    driver,
    `MATCH (q:LinkRequest {id: $id})
     OPTIONAL MATCH (self:Company {isSelf: true})
     RETURN ${requestMap('q')} AS link, q.status AS state, self.id AS selfId LIMIT 1`,
    { id },
  );
  return row ?? null;
}

/**
 * Declarations awaiting a decision, oldest first, one page: a partner those it is an end of (TO_CONFIRM:
 * declared by the other end; DECLARED: its own); the company's staff every one.
 */
export async function pendingRequests(
  driver: Driver,
  principal: Principal,
  filter: PendingFilter,
  afterSeq: number | null,
  limit: number,
): Promise<RequestRow[]> {
  const viewer = viewerOf(audienceOf(principal));
  if (viewer === null && filter === 'DECLARED') return [];
  const rows = await read<{ link: RequestRow }>(
    driver,
    `MATCH (q:LinkRequest {status: 'PENDING'})
     WHERE ($after IS NULL OR q.seq > $after)
       AND ($viewer IS NULL
            OR ((q.supplierId = $viewer OR q.customerId = $viewer)
                AND ($filter = 'ALL' OR ($filter = 'DECLARED') = (q.declaredBy = $viewer))))
     WITH q ORDER BY q.seq LIMIT $limit
     RETURN ${requestMap('q')} AS link`,
    { viewer, filter, after: afterSeq === null ? null : int(afterSeq), limit: int(limit) },
  );
  return rows.map(({ link }) => link);
}

/** Reads the declaration for a decision: unknown and not the caller's to see are the same NOT_FOUND. */
async function requestToDecide(
  deps: DeclarationDeps,
  principal: Principal,
  id: string,
  decision: 'confirm' | 'reject',
): Promise<StoredRequest> {
  audienceOf(principal);
  const trimmed = id.trim();
  if (trimmed === '' || trimmed.length > 100) throw notFound('supply link request', id);
  await deps.projected();
  const request = await requestById(deps.driver, trimmed);
  if (!request || !mayReadRequest(principal, request.link)) throw notFound('supply link request', id);
  assertMayDecide(principal, request.link, request.selfId, decision);
  return request;
}

/**
 * Appends the decision (a confirmation when `reason` is null, a rejection otherwise) if the declaration is
 * still pending on the log; CONFLICT otherwise.
 */
async function decide(
  deps: DeclarationDeps,
  principal: Principal,
  request: RequestRow,
  reason: string | null,
): Promise<void> {
  const aggregate = linkAggregate(request.supplierId, request.customerId);
  const cursor = await deps.db.transaction(async (tx) => {
    await lockLinkRequests(tx);
    const [later] = await readCommittedEvents(tx, String(request.seq), 1, {
      ...aggregate,
      types: ['SupplyLinkDeclared', 'SupplyLinkConfirmed', 'SupplyLinkRejected'],
    });
    if (later) {
      const what =
        later.type === 'SupplyLinkDeclared' ? 'replaced by a later declaration' : 'already decided';
      throw conflict(`this declaration is no longer pending: ${what}`, { id: request.id });
    }
    const facts = { linkId: request.id, supplierId: request.supplierId, customerId: request.customerId };
    const envelope = {
      ...aggregate,
      parties: [request.supplierId, request.customerId],
      actor: principal.subject,
    };
    const event =
      reason === null
        ? await appendEvent(tx, { ...envelope, type: 'SupplyLinkConfirmed', payload: facts })
        : await appendEvent(tx, { ...envelope, type: 'SupplyLinkRejected', payload: { ...facts, reason } });
    return event.cursor;
  });
  await deps.projected(cursor);
}

function notPending(request: StoredRequest) {
  const what = request.state === 'SUPERSEDED' ? 'replaced by a later declaration' : 'already decided';
  return conflict(`this declaration is no longer pending: ${what}`, { id: request.link.id });
}

/** The declaration after a decision, as projected (or as decided, if the projection is slow). */
async function afterDecision(
  deps: DeclarationDeps,
  request: RequestRow,
  status: 'CONFIRMED' | 'REJECTED',
  reason: string | null,
): Promise<SupplyLinkRow> {
  const stored = await requestById(deps.driver, request.id);
  if (stored && stored.state === status) return stored.link;
  return { ...request, status, rejectionReason: reason };
}

export async function confirmRequest(
  deps: DeclarationDeps,
  principal: Principal,
  id: string,
): Promise<SupplyLinkRow> {
  const request = await requestToDecide(deps, principal, id, 'confirm');
  if (request.state !== 'PENDING') throw notPending(request);
  await decide(deps, principal, request.link, null);
  return afterDecision(deps, request.link, 'CONFIRMED', null);
}

export async function rejectRequest(
  deps: DeclarationDeps,
  principal: Principal,
  id: string,
  reason: string,
): Promise<SupplyLinkRow> {
  const text = requireText(reason, 'reason');
  if (text.length > MAX_REASON) {
    throw badInput(`reason is at most ${MAX_REASON} characters`, { field: 'reason' });
  }
  const request = await requestToDecide(deps, principal, id, 'reject');
  if (request.state !== 'PENDING') throw notPending(request);
  await decide(deps, principal, request.link, text);
  return afterDecision(deps, request.link, 'REJECTED', text);
}
