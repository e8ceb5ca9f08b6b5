import type { Principal } from '../../../platform/auth/principal.ts';
import type { SubgraphName } from '../../../platform/subgraphs.ts';
import type { Location } from '../formats/business.ts';
import type { DocumentCommand, DocumentEffect, Finding, MessageOutcome } from '../formats/types.ts';
import { SubgraphUnavailable, type SubgraphClient } from '../subgraphClient.ts';

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
          'mutation ($id: ID!, $input: ConfirmOrderInput, $key: String) { confirmOrder(id: $id, input: $input, idempotencyKey: $key) { id } }',
        variables: { id: command.orderId, input: command.input, key: idempotencyKey },
        effects: () => [ORDER('UPDATED', command.orderId)],
      };
    case 'rejectOrder':
      return {
        subgraph: 'orders',
        query:
          'mutation ($id: ID!, $reason: String!, $key: String) { rejectOrder(id: $id, reason: $reason, idempotencyKey: $key) { id } }',
        variables: { id: command.orderId, reason: command.reason, key: idempotencyKey },
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

/** The owning subgraph refused the command: the message is rejected with its reasons. */
const REFUSALS = new Set([
  'BAD_USER_INPUT',
  'FORBIDDEN',
  'NOT_FOUND',
  'CONFLICT',
  'GRAPHQL_VALIDATION_FAILED',
]);

/** Thrown when the command could not be run (the subgraph is down): the document waits and is tried again. */
export class CommandUnavailable extends Error {}

/**
 * Runs a message's command as the partner that sent it, through the GraphQL API of the subgraph that owns
 * it: the mutation applies the same validation, authorization and idempotency as for any other client of
 * that partner. `locate` turns the input path a refusal names (`lines[2].quantity`) into where the
 * document said it, so the negative acknowledgement points at the segment.
 */
export async function runCommand(
  client: SubgraphClient,
  command: DocumentCommand,
  as: Principal,
  idempotencyKey: string,
  locate: (field: string) => Location | undefined = () => undefined,
): Promise<MessageOutcome> {
  const operation = operationOf(command, idempotencyKey);
  let answer;
  try {
    answer = await client.request<Record<string, unknown>>(
      operation.subgraph,
      as,
      operation.query,
      operation.variables,
    );
  } catch (error) {
    if (error instanceof SubgraphUnavailable) throw new CommandUnavailable(error.message);
    throw error;
  }
  if (answer.errors.length > 0) {
    const refused = answer.errors.every((error) => REFUSALS.has(error.extensions?.code ?? ''));
    if (!refused) throw new CommandUnavailable(`${operation.subgraph} failed: ${answer.errors[0]!.message}`);
    const findings = answer.errors.map((error): Finding => {
      const at = error.extensions?.field ? locate(error.extensions.field) : undefined;
      return {
        severity: 'ERROR',
        code: error.extensions?.code ?? 'REFUSED',
        message: error.message,
        ...(at ? { at } : {}),
      };
    });
    return { accepted: false, findings, effects: [] };
  }
  return { accepted: true, findings: [], effects: operation.effects(answer.data ?? {}) };
}
