import { expect } from 'vitest';
import type { GraphQLResponse, TestStack } from './stack.ts';

/** Sends operations as one caller and hands back the data, failing the test on unexpected errors. */
export interface Caller {
  headers: Record<string, string>;
  ok<Data = Record<string, unknown>>(query: string, variables?: Record<string, unknown>): Promise<Data>;
  /** The error code of an operation that must fail. */
  refused(query: string, variables?: Record<string, unknown>): Promise<string | undefined>;
  raw(query: string, variables?: Record<string, unknown>): Promise<GraphQLResponse<Record<string, unknown>>>;
}

export function caller(stack: Pick<TestStack, 'request'>, headers: Record<string, string>): Caller {
  const raw = async (query: string, variables: Record<string, unknown> = {}) =>
    (await stack.request<Record<string, unknown>>(query, variables, headers)).body;
  return {
    headers,
    raw,
    async ok(query, variables) {
      const body = await raw(query, variables);
      expect(body.errors, JSON.stringify(body.errors)).toBeUndefined();
      return body.data as never;
    },
    async refused(query, variables) {
      const body = await raw(query, variables);
      expect(body.errors, `expected an error from ${query}`).toBeDefined();
      return body.errors?.[0]?.extensions?.code;
    },
  };
}

export const ORDER_FIELDS = `id number kind status currency externalRef
  total { amount currency }
  buyer { id name } seller { id name }
  lines { lineNo item { sku } quantity unit unitPrice { amount currency } requestedDate
          confirmedQuantity confirmedDate shippedQuantity receivedQuantity rejectedQuantity }
  shipments { id number status lines { lineNo quantity receivedQuantity rejectedQuantity } }
  history { type status actor actorPartner { name } summary reason }`;

export const CREATE_PO = `mutation ($input: CreatePurchaseOrderInput!, $key: String) {
  createPurchaseOrder(input: $input, idempotencyKey: $key) { ${ORDER_FIELDS} } }`;
export const PLACE_SO = `mutation ($input: PlaceSalesOrderInput!, $key: String) {
  placeSalesOrder(input: $input, idempotencyKey: $key) { ${ORDER_FIELDS} } }`;
export const SUBMIT = `mutation ($id: ID!) { submitOrder(id: $id) { ${ORDER_FIELDS} } }`;
export const CONFIRM = `mutation ($id: ID!, $input: ConfirmOrderInput) { confirmOrder(id: $id, input: $input) { ${ORDER_FIELDS} } }`;
export const REJECT = `mutation ($id: ID!, $reason: String!) { rejectOrder(id: $id, reason: $reason) { ${ORDER_FIELDS} } }`;
export const CANCEL = `mutation ($id: ID!, $reason: String!) { cancelOrder(id: $id, reason: $reason) { ${ORDER_FIELDS} } }`;
export const CLOSE = `mutation ($id: ID!) { closeOrder(id: $id) { ${ORDER_FIELDS} } }`;
export const SHIP = `mutation ($id: ID!, $input: ShipOrderInput!) {
  shipOrder(id: $id, input: $input) { id number status order { ${ORDER_FIELDS} } } }`;
export const RECEIVE = `mutation ($id: ID!, $input: ReceiveShipmentInput) {
  receiveShipment(shipmentId: $id, input: $input) { id number status order { ${ORDER_FIELDS} } } }`;
export const ORDER = `query ($id: ID!) { order(id: $id) { ${ORDER_FIELDS} } }`;

/** Demo partner ids by name fragment, as the company sees them. */
export async function partnerIds(admin: Caller, ...names: string[]): Promise<string[]> {
  const data = await admin.ok<{ partners: { nodes: { id: string; name: string }[] } }>(
    '{ partners(first: 100) { nodes { id name } } }',
  );
  return names.map((name) => {
    const found = data.partners.nodes.find((partner) => partner.name.includes(name));
    if (!found) throw new Error(`no demo partner named like ${name}`);
    return found.id;
  });
}

/** An API key for a partner: what its ERP sends. */
export async function apiKeyFor(
  stack: Pick<TestStack, 'request'>,
  admin: Caller,
  partnerId: string,
): Promise<Caller> {
  const data = await admin.ok<{ createApiKey: { secret: string } }>(
    'mutation ($id: ID!) { createApiKey(partnerId: $id, name: "ERP") { secret } }',
    { id: partnerId },
  );
  return caller(stack, { 'x-api-key': data.createApiKey.secret });
}
