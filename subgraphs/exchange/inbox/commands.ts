import { PRINCIPAL_HEADER, signPrincipal, type Principal } from '../../../platform/auth/principal.ts';
import type { SubgraphName } from '../../../platform/subgraphs.ts';
import type { DocumentCommand, DocumentEffect, DocumentOutcome } from '../formats/types.ts';

/**
 * Runs a document's command as the partner that sent it, through the GraphQL API of the subgraph that owns
 * the command, with the principal signed as the gateway signs it. Exchange never reads or writes another
 * subgraph's tables: the mutation applies the same validation, authorization and idempotency as for any
 * other client of that partner (docs/exchange.md, "How documents run").
 */
export type ServiceUrl = (name: SubgraphName) => string;

interface Operation {
  subgraph: SubgraphName;
  query: string;
  variables: Record<string, unknown>;
  effects: (data: Record<string, unknown>) => DocumentEffect[];
}

const ORDER = (action: DocumentEffect['action'], id: unknown): DocumentEffect => ({
  action,
  type: 'Order',
  id: String(id),
});

function operationOf(command: DocumentCommand, idempotencyKey: string): Operation {
  switch (command.mutation) {
    case 'placeSalesOrder':
      return {
        subgraph: 'orders',
        query:
          'mutation ($input: PlaceSalesOrderInput!, $key: String) { placeSalesOrder(input: $input, idempotencyKey: $key) { id } }',
        variables: { input: command.input, key: idempotencyKey },
        effects: (data) => [ORDER('CREATED', (data.placeSalesOrder as { id: string }).id)],
      };
    case 'confirmOrder':
      return {
        subgraph: 'orders',
        query:
          'mutation ($id: ID!, $input: ConfirmOrderInput) { confirmOrder(id: $id, input: $input) { id } }',
        variables: { id: command.orderId, input: command.input },
        effects: () => [ORDER('UPDATED', command.orderId)],
      };
    case 'rejectOrder':
      return {
        subgraph: 'orders',
        query: 'mutation ($id: ID!, $reason: String!) { rejectOrder(id: $id, reason: $reason) { id } }',
        variables: { id: command.orderId, reason: command.reason },
        effects: () => [ORDER('UPDATED', command.orderId)],
      };
    case 'shipOrder':
      return {
        subgraph: 'orders',
        query: 'mutation ($id: ID!, $input: ShipOrderInput!) { shipOrder(id: $id, input: $input) { id } }',
        variables: { id: command.orderId, input: command.input },
        effects: (data) => [
          { action: 'CREATED', type: 'Shipment', id: (data.shipOrder as { id: string }).id },
          ORDER('UPDATED', command.orderId),
        ],
      };
    case 'submitSupplierInvoice':
      return {
        subgraph: 'invoices',
        query:
          'mutation ($input: SupplierInvoiceInput!, $key: String) { submitSupplierInvoice(input: $input, idempotencyKey: $key) { id } }',
        variables: { input: command.input, key: idempotencyKey },
        effects: (data) => [
          { action: 'CREATED', type: 'Invoice', id: (data.submitSupplierInvoice as { id: string }).id },
        ],
      };
  }
}

/** The owning subgraph refused the command: the document is rejected with its reasons. */
const REFUSALS = new Set([
  'BAD_USER_INPUT',
  'FORBIDDEN',
  'NOT_FOUND',
  'CONFLICT',
  'GRAPHQL_VALIDATION_FAILED',
]);

/** Thrown when the command could not be run (the subgraph is down): the document waits and is tried again. */
export class CommandUnavailable extends Error {}

export async function runCommand(
  command: DocumentCommand,
  as: Principal,
  idempotencyKey: string,
  serviceUrl: ServiceUrl,
  internalSecret: string,
): Promise<DocumentOutcome> {
  const operation = operationOf(command, idempotencyKey);
  let body: {
    data?: Record<string, unknown> | null;
    errors?: { message: string; extensions?: { code?: string } }[];
  };
  try {
    const response = await fetch(serviceUrl(operation.subgraph), {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        [PRINCIPAL_HEADER]: await signPrincipal(as, internalSecret),
      },
      body: JSON.stringify({ query: operation.query, variables: operation.variables }),
      signal: AbortSignal.timeout(30_000),
    });
    body = (await response.json()) as typeof body;
  } catch (error) {
    throw new CommandUnavailable(`${operation.subgraph} did not answer: ${(error as Error).message}`);
  }
  if (body.errors?.length) {
    const refused = body.errors.every((error) => REFUSALS.has(error.extensions?.code ?? ''));
    if (!refused) throw new CommandUnavailable(`${operation.subgraph} failed: ${body.errors[0]!.message}`);
    return {
      accepted: false,
      reasons: body.errors.map((error) => `${error.extensions?.code}: ${error.message}`),
      effects: [],
    };
  }
  return { accepted: true, reasons: [], effects: operation.effects(body.data ?? {}) };
}
