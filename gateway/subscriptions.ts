import { operationFromDocument, Supergraph } from '@apollo/federation-internals';
import {
  buildOperationContext,
  executeQueryPlan,
  type GraphQLDataSource,
  type GraphQLDataSourceProcessOptions,
} from '@apollo/gateway';
import { QueryPlanner, type FetchNode, type QueryPlan } from '@apollo/query-planner';
import {
  GraphQLError,
  Kind,
  OperationTypeNode,
  print,
  visit,
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
  type FieldNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import { createClient } from 'graphql-ws';
import type { FormattedExecutionResult as GraphQLWsResult } from 'graphql-ws';
import WebSocket from 'ws';
import { PRINCIPAL_HEADER, type Principal } from '../platform/auth/principal.ts';
import { AsyncQueue } from '../platform/asyncQueue.ts';

/**
 * Subscriptions through the federated gateway, which `@apollo/gateway` cannot execute by itself.
 *
 * The query planner splits a subscription into a primary fetch, answered by the subgraph that owns the
 * subscription field, and the rest of the selection. The primary is opened as a graphql-ws subscription
 * to that subgraph, carrying the caller's signed principal; each event it delivers is then completed by
 * the gateway's own federated execution (`executeQueryPlan`), as if the primary fetch had just answered
 * with that event, so a subscriber can select fields of every subgraph.
 *
 * Resuming: subscription fields take `after` and their events carry a `cursor`. The executor asks for the
 * cursor of every event (whether the client selected it or not) and, when the subgraph's connection
 * drops, re-subscribes after the last cursor it delivered: the client's subscription goes on, with no
 * event lost or repeated.
 */

/** One event as the subgraph delivered it. */
type EventResult = GraphQLWsResult<Record<string, unknown>, unknown>;

const AFTER_VARIABLE = '__resumeAfter';
const CURSOR_ALIAS = '__resumeCursor';
const RECONNECT_DELAYS_MS = [100, 250, 500, 1_000, 2_000, 5_000];
/** A subgraph down for longer than this ends the subscription with an error the client can act on. */
const MAX_RECONNECT_ATTEMPTS = 30;

export interface SubscriptionExecutorOptions {
  supergraphSdl: string;
  /** The API schema graphql-ws validates against; used to shape each event to the client's selection. */
  apiSchema: GraphQLSchema;
  subgraphUrls: Record<string, string>;
  dataSources: Record<string, GraphQLDataSource>;
  /** Signs the principal for one subgraph request or connection (the signature lives a minute). */
  sign: (principal: Principal) => Promise<string>;
}

interface PlannedSubscription {
  primary: FetchNode;
  plan: QueryPlan;
  /** The response key of the subscription field, where each event's data sits. */
  responseKey: string;
  resumable: boolean;
  initialAfter: string | null;
  /** Built once per subscription, used for every event. */
  operationContext: ReturnType<typeof buildOperationContext>;
  query: string;
}

export class SubscriptionExecutor {
  private readonly supergraph: Supergraph;
  private readonly planner: QueryPlanner;
  private readonly supergraphSchema: GraphQLSchema;
  private readonly apiSchema: ReturnType<Supergraph['apiSchema']>;

  constructor(private readonly options: SubscriptionExecutorOptions) {
    this.supergraph = Supergraph.build(options.supergraphSdl);
    this.planner = new QueryPlanner(this.supergraph);
    this.supergraphSchema = this.supergraph.schema.toGraphQLJSSchema();
    this.apiSchema = this.supergraph.apiSchema();
  }

  subscribe(
    args: ExecutionArgs,
    principal: Principal,
  ): AsyncIterableIterator<ExecutionResult> | ExecutionResult {
    let planned: PlannedSubscription;
    try {
      planned = this.plan(args);
    } catch (error) {
      return { errors: [error instanceof GraphQLError ? error : new GraphQLError((error as Error).message)] };
    }
    const output = new AsyncQueue<ExecutionResult>();
    void this.relay(planned, args, principal, output);
    return output;
  }

  /**
   * Whether events of this type carry a cursor. Read by name, not with graphql-js type predicates: the
   * API schema comes from @apollo/gateway's CommonJS copy of graphql, and this module runs on the ESM copy.
   */
  private hasCursor(typeReference: string): boolean {
    const eventType = this.options.apiSchema.getType(typeReference.replace(/[[\]!]/g, ''));
    const fields =
      eventType && 'getFields' in eventType ? (eventType.getFields() as Record<string, unknown>) : {};
    return 'cursor' in fields;
  }

  private plan(args: ExecutionArgs): PlannedSubscription {
    const operation = operationOf(args.document, args.operationName);
    const root = operation.selectionSet.selections[0];
    if (!root || root.kind !== Kind.FIELD || operation.selectionSet.selections.length !== 1) {
      throw new GraphQLError('a subscription selects exactly one field');
    }
    const field = this.options.apiSchema.getSubscriptionType()?.getFields()[root.name.value];
    if (!field) throw new GraphQLError(`unknown subscription ${root.name.value}`);
    const resumable = field.args.some((arg) => arg.name === 'after') && this.hasCursor(String(field.type));
    const document = resumable ? withResumeCursor(args.document, operation, root) : args.document;
    const plan = this.planner.buildQueryPlan(
      operationFromDocument(this.apiSchema, document, { operationName: operation.name?.value }),
    );
    if (plan.node?.kind !== 'Subscription')
      throw new GraphQLError('the query planner produced no subscription plan');
    const { primary, rest } = plan.node;
    return {
      primary,
      plan: { kind: 'QueryPlan', node: rest ? { kind: 'Sequence', nodes: [primary, rest] } : primary },
      responseKey: root.alias?.value ?? root.name.value,
      resumable,
      initialAfter: resumable ? afterArgument(root, args.variableValues ?? {}) : null,
      operationContext: buildOperationContext({
        schema: this.options.apiSchema,
        operationDocument: args.document,
        operationName: args.operationName ?? undefined,
      }),
      query: print(args.document),
    };
  }

  /** Keeps the subgraph subscription open (re-opening it after a drop) and completes every event in order. */
  private async relay(
    planned: PlannedSubscription,
    args: ExecutionArgs,
    principal: Principal,
    output: AsyncQueue<ExecutionResult>,
  ): Promise<void> {
    const url = webSocketUrl(this.options.subgraphUrls[planned.primary.serviceName]!);
    const signature = renewingSignature(() => this.options.sign(principal));
    let after = planned.initialAfter;
    let delivered = Promise.resolve();
    for (let attempt = 0; !output.closed;) {
      const client = createClient({
        url,
        webSocketImpl: WebSocket,
        lazy: true,
        retryAttempts: 0,
        connectionParams: async () => ({ [PRINCIPAL_HEADER]: await this.options.sign(principal) }),
      });
      const variables = { ...(args.variableValues ?? {}), [AFTER_VARIABLE]: after };
      let stopListening: () => void = () => undefined;
      const outcome = await new Promise<'complete' | 'closed' | 'dropped' | readonly GraphQLError[]>(
        (resolve) => {
          const unsubscribe = client.subscribe(
            {
              query: planned.primary.operation,
              variables: pick(variables, planned.primary.variableUsages ?? []),
            },
            {
              next: (event) => {
                attempt = 0;
                delivered = delivered.then(async () => {
                  // Whatever goes wrong completing one event is that event's error, never the stream's end.
                  const result = await this.complete(planned, args, principal, signature, event).catch(
                    (error: unknown): ExecutionResult => ({
                      errors: [new GraphQLError(`could not complete the event: ${(error as Error).message}`)],
                    }),
                  );
                  if (planned.resumable) after = cursorOf(event, planned.responseKey) ?? after;
                  output.push(result);
                });
              },
              error: (error) => resolve(Array.isArray(error) ? (error as GraphQLError[]) : 'dropped'),
              complete: () => resolve('complete'),
            },
          );
          stopListening = output.onClose(() => {
            unsubscribe();
            resolve('closed');
          });
        },
      );
      stopListening();
      await delivered;
      await client.dispose();
      if (outcome === 'closed') return;
      if (outcome === 'complete') return output.end();
      if (outcome !== 'dropped') return finish(output, outcome);
      if (!planned.resumable || attempt >= MAX_RECONNECT_ATTEMPTS) {
        return finish(output, [
          new GraphQLError(`${planned.primary.serviceName} is unavailable; subscribe again later`),
        ]);
      }
      await sleep(RECONNECT_DELAYS_MS[Math.min(attempt, RECONNECT_DELAYS_MS.length - 1)]!);
      attempt += 1;
    }
  }

  /** Runs the plan for one event: the primary fetch answers with the event, the rest is fetched as usual. */
  private async complete(
    planned: PlannedSubscription,
    args: ExecutionArgs,
    principal: Principal,
    signature: () => Promise<string>,
    event: EventResult,
  ): Promise<ExecutionResult> {
    const { primary } = planned;
    const real = this.options.dataSources[primary.serviceName]!;
    const eventSource: GraphQLDataSource = {
      process: (request: GraphQLDataSourceProcessOptions) =>
        request.request.query === primary.operation
          ? Promise.resolve({ data: event.data ?? null, ...(event.errors ? { errors: event.errors } : {}) })
          : real.process(request),
    };
    const requestContext = {
      request: {
        query: planned.query,
        variables: args.variableValues ?? {},
        operationName: args.operationName ?? undefined,
      },
      context: { principal, signedPrincipal: signature() },
      logger: console,
      metrics: {},
    };
    const result = await executeQueryPlan(
      planned.plan,
      { ...this.options.dataSources, [primary.serviceName]: eventSource },
      // executeQueryPlan reads only the request, the context (for signing), the logger and the metrics.
      requestContext as unknown as Parameters<typeof executeQueryPlan>[2],
      planned.operationContext,
      this.supergraphSchema,
      this.apiSchema,
    );
    return {
      ...result,
      ...(result.errors ? { errors: result.errors.map(asGraphQLError) } : {}),
    };
  }
}

/** The principal's signature, renewed well within its one-minute life, shared by a subscription's fetches. */
function renewingSignature(sign: () => Promise<string>): () => Promise<string> {
  let signed: Promise<string> | undefined;
  let signedAt = 0;
  return () => {
    if (!signed || Date.now() - signedAt > 20_000) {
      signed = sign();
      signedAt = Date.now();
    }
    return signed;
  };
}

/** A last result carrying the errors, then the end of the client's subscription. */
function finish(output: AsyncQueue<ExecutionResult>, errors: readonly GraphQLError[]): void {
  output.push({ errors });
  output.end();
}

/**
 * Errors as graphql-ws sends them: a fetch that failed (a subgraph down) comes back from the plan executor
 * as a plain Error, whose message would otherwise not survive serialisation.
 */
function asGraphQLError(error: unknown): GraphQLError {
  if (error instanceof GraphQLError) return error;
  const { message, path, extensions } = error as {
    message?: string;
    path?: (string | number)[];
    extensions?: Record<string, unknown>;
  };
  return new GraphQLError(message ?? 'subgraph request failed', {
    ...(path ? { path } : {}),
    extensions: { code: 'SUBGRAPH_UNAVAILABLE', ...extensions },
  });
}

function operationOf(
  document: DocumentNode,
  operationName: string | null | undefined,
): OperationDefinitionNode {
  const operations = document.definitions.filter(
    (definition): definition is OperationDefinitionNode => definition.kind === Kind.OPERATION_DEFINITION,
  );
  const operation = operationName ? operations.find((o) => o.name?.value === operationName) : operations[0];
  if (!operation || operation.operation !== OperationTypeNode.SUBSCRIPTION)
    throw new GraphQLError('not a subscription operation');
  return operation;
}

/** The `after` the client asked for, as a literal or through a variable. */
function afterArgument(root: FieldNode, variables: Record<string, unknown>): string | null {
  const value = root.arguments?.find((arg) => arg.name.value === 'after')?.value;
  if (value?.kind === Kind.STRING) return value.value;
  if (value?.kind === Kind.VARIABLE) {
    const given = variables[value.name.value];
    return typeof given === 'string' ? given : null;
  }
  return null;
}

/**
 * The client's subscription with `after` bound to a variable the executor controls, and the event's
 * cursor selected under an alias of its own (the response is shaped to the client's selection, so the
 * client never sees it).
 */
function withResumeCursor(
  document: DocumentNode,
  operation: OperationDefinitionNode,
  root: FieldNode,
): DocumentNode {
  return visit(document, {
    OperationDefinition(node) {
      if (node !== operation) return undefined;
      return {
        ...node,
        variableDefinitions: [
          ...(node.variableDefinitions ?? []),
          {
            kind: Kind.VARIABLE_DEFINITION,
            variable: { kind: Kind.VARIABLE, name: { kind: Kind.NAME, value: AFTER_VARIABLE } },
            type: { kind: Kind.NAMED_TYPE, name: { kind: Kind.NAME, value: 'String' } },
          },
        ],
      };
    },
    Field(node) {
      if (node !== root) return undefined;
      return {
        ...node,
        arguments: [
          ...(node.arguments ?? []).filter((arg) => arg.name.value !== 'after'),
          {
            kind: Kind.ARGUMENT,
            name: { kind: Kind.NAME, value: 'after' },
            value: { kind: Kind.VARIABLE, name: { kind: Kind.NAME, value: AFTER_VARIABLE } },
          },
        ],
        selectionSet: {
          kind: Kind.SELECTION_SET,
          selections: [
            ...(node.selectionSet?.selections ?? []),
            {
              kind: Kind.FIELD,
              alias: { kind: Kind.NAME, value: CURSOR_ALIAS },
              name: { kind: Kind.NAME, value: 'cursor' },
            },
          ],
        },
      };
    },
  });
}

function cursorOf(event: EventResult, responseKey: string): string | null {
  const data = event.data?.[responseKey] as Record<string, unknown> | null | undefined;
  const cursor = data?.[CURSOR_ALIAS];
  return typeof cursor === 'string' ? cursor : null;
}

function pick(variables: Record<string, unknown>, names: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(names.filter((name) => name in variables).map((name) => [name, variables[name]]));
}

function webSocketUrl(httpUrl: string): string {
  const url = new URL(httpUrl);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return url.toString();
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
