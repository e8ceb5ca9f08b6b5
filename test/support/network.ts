import { seedDemo } from '../../app/demoData.ts';
import { lastCommittedCursor } from '../../platform/events/eventLog.ts';
import type { Role } from '../../platform/auth/principal.ts';
import { caller, type Caller } from './orders.ts';
import { bootStack, type TestStack } from './stack.ts';

export interface NetworkStack extends TestStack {
  /** Demo partner ids by key (self, iberframe, cantabrico, baotou, velomarkt, …). */
  ids: Record<string, string>;
  /** Resolves once the network projection (and what it depends on) has applied the whole log. */
  networkSettled(): Promise<void>;
  callerAs(roles: Role[], partnerId?: string): Promise<Caller>;
}

/**
 * The real stack with the demo network. `networkSettled` waits only for the consumers the network depends
 * on (orders learns partners and items, the network projection), so these tests judge the network alone;
 * the seed itself waits for every consumer, as its steps build on each other (invoices on orders).
 */
export async function bootNetworkStack(): Promise<NetworkStack> {
  const stack = await bootStack({ seedDemo: false });
  const consumers = [
    ...(stack.subgraphs.orders.instance.consumers ?? []),
    ...(stack.subgraphs.network.instance.consumers ?? []),
  ];
  const networkSettled = async () => {
    const cursor = await lastCommittedCursor(stack.db);
    await Promise.all(consumers.map((consumer) => consumer.caughtUp(cursor)));
  };
  const ids = await seedDemo(stack.db, stack.driver, () => stack.settled());
  await networkSettled();
  return {
    ...stack,
    ids,
    networkSettled,
    callerAs: async (roles, partnerId) => caller(stack, await stack.as(roles, partnerId)),
  };
}

export const LINK_FIELDS = `supplier { id } customer { id } tier items { sku } share source sources
  declaredBy { id } since visibility`;

export interface LinkView {
  supplier: { id: string };
  customer: { id: string };
  tier: number;
  items: { sku: string }[];
  share: number | null;
  source: string | null;
  sources: string[];
  declaredBy: { id: string } | null;
  since: string | null;
  visibility: string;
}

export const UPSTREAM = `query ($of: ID, $depth: Int, $first: Int, $after: String) {
  upstream(of: $of, depth: $depth, first: $first, after: $after) {
    nodes { ${LINK_FIELDS} } pageInfo { endCursor hasNextPage } } }`;
export const DOWNSTREAM = `query ($of: ID, $depth: Int, $first: Int, $after: String) {
  downstream(of: $of, depth: $depth, first: $first, after: $after) {
    nodes { ${LINK_FIELDS} } pageInfo { endCursor hasNextPage } } }`;
export const DECLARE = `mutation ($input: DeclareSupplyLinkInput!) { declareSupplyLink(input: $input) { ${LINK_FIELDS} } }`;
export const IMPORT = `mutation ($input: ImportSupplyLinksInput!) { importSupplyLinks(input: $input) {
  imported failed rows { index link { ${LINK_FIELDS} } error { code message field } } } }`;
export const IMPACT = `query ($id: ID!, $depth: Int, $first: Int, $after: String) {
  impact(partnerId: $id, depth: $depth, first: $first, after: $after) {
    source { id } depth affectedCount items { sku }
    companies { partner { id } distance tier path { id } items { sku } }
    pageInfo { endCursor hasNextPage } } }`;
export const REPORT = `mutation ($input: ReportDisruptionInput!, $key: String) {
  reportDisruption(input: $input, idempotencyKey: $key) {
    disruption { id partner { id } country severity description expectedRecovery active alertCount }
    alerts { cursor company { id } distance path { id } items { sku } disruption { id partner { id } } } } }`;

export interface Connection<Node> {
  nodes: Node[];
  pageInfo: { endCursor: string | null; hasNextPage: boolean };
}

/** A link as "supplier>customer" with demo keys instead of ids, for readable assertions. */
export function named(ids: Record<string, string>) {
  const byId = new Map(Object.entries(ids).map(([key, id]) => [id, key]));
  const name = (id: string) => byId.get(id) ?? id;
  return {
    name,
    link: (link: { supplier: { id: string }; customer: { id: string } }) =>
      `${name(link.supplier.id)}>${name(link.customer.id)}`,
  };
}
