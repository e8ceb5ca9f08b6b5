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
import { visibilityKey, type Principal } from '../platform/auth/principal.ts';
import pLimit from 'p-limit';
import { AsyncQueue } from '../platform/asyncQueue.ts';
import { batchingEntityFetches } from './entityBatches.ts';
import {
  asGraphQLError,
  classifyUpstreamFailure,
  UpstreamConnections,
  type UpstreamEvent,
  type UpstreamFailure,
} from './upstream.ts';

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
 *
 * Sharing: subscribers with the same operation, variables and visibility (partner and roles) share one
 * upstream subscription, and each event is completed once for all of them and fanned out. Upstream
 * subscriptions of one visibility share one WebSocket per subgraph (`upstream.ts`).
 */

type EventResult = UpstreamEvent;

const AFTER_VARIABLE = '__resumeAfter';
const CURSOR_ALIAS = '__resumeCursor';
/** Backoff between reconnects: full jitter over an exponential ceiling, so reconnects do not stampede. */
const RECONNECT_BASE_MS = 100;
const RECONNECT_CAP_MS = 5_000;
/** A subgraph down for longer than this (about two minutes) ends the subscription with an error. */
const MAX_RECONNECT_ATTEMPTS = 40;
/** A subscriber this far behind is ended (it resumes with its last cursor) rather than buffered forever. */
const MAX_BUFFERED = 10_000;
const PLAN_CACHE_SIZE = 500;
/**
 * Events completed at once, over every subscription. Unbounded, a burst of thousands of events started
 * thousands of completions whose subgraph fetches then queued behind one another, so the first event of
 * the burst was finished with nearly the last and nothing reached a subscriber until the burst was done.
 * Bounded (first come, first served), events finish in about the order they came.
 */
const COMPLETIONS_IN_FLIGHT = 32;
/** Events of one fanout completed together at most: a bound on one batch's requests and memory. */
const MAX_BATCH = 100;

export interface SubscriptionExecutorOptions {
  supergraphSdl: string;
  /** The API schema graphql-ws validates against; used to shape each event to the client's selection. */
  apiSchema: GraphQLSchema;
  subgraphUrls: Record<string, string>;
  dataSources: Record<string, GraphQLDataSource>;
  /** Signs the principal for one subgraph request or connection (the signature lives a minute). */
  sign: (principal: Principal) => Promise<string>;
}

/** What planning one operation document gives, shared by every subscription of that document. */
interface PlannedSubscription {
  primary: FetchNode;
  plan: QueryPlan;
  /** The response key of the subscription field, where each event's data sits. */
  responseKey: string;
  root: FieldNode;
  resumable: boolean;
  operationContext: ReturnType<typeof buildOperationContext>;
  query: string;
}

/** One client subscription. */
interface Member {
  principal: Principal;
  output: AsyncQueue<ExecutionResult>;
}

export class SubscriptionExecutor {
  private readonly supergraph: Supergraph;
  private readonly planner: QueryPlanner;
  private readonly supergraphSchema: GraphQLSchema;
  private readonly apiSchema: ReturnType<Supergraph['apiSchema']>;
  private readonly plans = new Map<string, PlannedSubscription>();
  private readonly fanouts = new Map<string, Fanout>();
  private readonly completions = pLimit(COMPLETIONS_IN_FLIGHT);
  readonly upstream: UpstreamConnections;

  constructor(private readonly options: SubscriptionExecutorOptions) {
    this.supergraph = Supergraph.build(options.supergraphSdl);
    this.planner = new QueryPlanner(this.supergraph);
    this.supergraphSchema = this.supergraph.schema.toGraphQLJSSchema();
    this.apiSchema = this.supergraph.apiSchema();
    this.upstream = new UpstreamConnections({ subgraphUrls: options.subgraphUrls, sign: options.sign });
  }

  /** Open client subscriptions, and the upstream subscriptions they share. */
  stats(): { subscribers: number; upstreamSubscriptions: number; upstreamConnections: number } {
    let subscribers = 0;
    for (const fanout of this.fanouts.values()) subscribers += fanout.members.size;
    return {
      subscribers,
      upstreamSubscriptions: this.fanouts.size,
      upstreamConnections: this.upstream.size,
    };
  }

  subscribe(args: ExecutionArgs, principal: Principal): AsyncQueue<ExecutionResult> | ExecutionResult {
    let planned: PlannedSubscription;
    try {
      planned = this.planned(args);
    } catch (error) {
      return { errors: [error instanceof GraphQLError ? error : new GraphQLError((error as Error).message)] };
    }
    const variables = args.variableValues ?? {};
    const after = planned.resumable ? afterArgument(planned.root, variables) : null;
    // A subscriber resuming from a cursor replays its own past: it gets an upstream subscription of its
    // own. Live subscribers of the same operation, variables and visibility share one.
    const key =
      after === null
        ? JSON.stringify([
            planned.query,
            args.operationName ?? null,
            stable(variables),
            visibilityKey(principal),
          ])
        : undefined;
    let fanout = key === undefined ? undefined : this.fanouts.get(key);
    if (!fanout) {
      const request = { variables, operationName: args.operationName ?? undefined };
      fanout = new Fanout(this, key ?? `resume:${++resumeCount}`, planned, request, principal, after);
      this.fanouts.set(fanout.key, fanout);
      fanout.start();
    }
    return fanout.join(principal);
  }

  /**
   * Ends, with `error`, every client subscription whose principal matches (a suspended partner, a revoked
   * key). Returns how many were ended.
   */
  end(matches: (principal: Principal) => boolean, error: GraphQLError): number {
    let ended = 0;
    for (const fanout of [...this.fanouts.values()]) ended += fanout.endMembers(matches, [error]);
    return ended;
  }

  async close(): Promise<void> {
    for (const fanout of [...this.fanouts.values()]) fanout.endMembers(() => true, []);
    await this.upstream.close();
  }

  /** Forgets a finished fanout, so that the next subscriber of its key opens a new one. */
  forget(fanout: Fanout): void {
    if (this.fanouts.get(fanout.key) === fanout) this.fanouts.delete(fanout.key);
  }

  sign(principal: Principal): Promise<string> {
    return this.options.sign(principal);
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

  /** Plans a document once, however many subscribe with it. */
  private planned(args: ExecutionArgs): PlannedSubscription {
    const query = print(args.document);
    const cacheKey = `${args.operationName ?? ''}\n${query}`;
    const cached = this.plans.get(cacheKey);
    if (cached) return cached;
    const planned = this.plan(args, query);
    if (this.plans.size >= PLAN_CACHE_SIZE) this.plans.delete(this.plans.keys().next().value!);
    this.plans.set(cacheKey, planned);
    return planned;
  }

  private plan(args: ExecutionArgs, query: string): PlannedSubscription {
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
      root,
      resumable,
      operationContext: buildOperationContext({
        schema: this.options.apiSchema,
        operationDocument: args.document,
        operationName: args.operationName ?? undefined,
      }),
      query,
    };
  }

  /**
   * Runs the plan for each event of one fanout, once a place among the completions in flight is free:
   * the primary fetch answers with the event, the rest is fetched as usual, the events' entity fetches
   * merged step by step (entityBatches.ts). A result per event, in their order.
   */
  completeBatch(
    planned: PlannedSubscription,
    request: { variables: Record<string, unknown>; operationName: string | undefined },
    principal: Principal,
    signature: () => Promise<string>,
    events: readonly EventResult[],
  ): Promise<ExecutionResult[]> {
    return this.completions(async () => {
      const { primary } = planned;
      const sources = batchingEntityFetches(this.options.dataSources);
      const real = sources[primary.serviceName]!;
      const requestContext = {
        request: { query: planned.query, variables: request.variables, operationName: request.operationName },
        context: { principal, signedPrincipal: signature() },
        logger: console,
        metrics: {},
      };
      return Promise.all(
        events.map(async (event): Promise<ExecutionResult> => {
          const eventSource: GraphQLDataSource = {
            process: (fetch: GraphQLDataSourceProcessOptions) =>
              fetch.request.query === primary.operation
                ? Promise.resolve({
                    data: event.data ?? null,
                    ...(event.errors ? { errors: event.errors } : {}),
                  })
                : real.process(fetch),
          };
          const result = await executeQueryPlan(
            planned.plan,
            { ...sources, [primary.serviceName]: eventSource },
            // executeQueryPlan reads only the request, the context (for signing), the logger and the metrics.
            requestContext as unknown as Parameters<typeof executeQueryPlan>[2],
            planned.operationContext,
            this.supergraphSchema,
            this.apiSchema,
          );
          return {
            ...result,
            ...(result.errors
              ? { errors: result.errors.map((error) => asGraphQLError(error, 'SUBGRAPH_UNAVAILABLE')) }
              : {}),
          };
        }),
      );
    });
  }
}

let resumeCount = 0;

/**
 * One upstream subscription and the client subscriptions it serves: keeps it open (re-opening it after
 * a drop, after the last cursor delivered), completes every event once, in order, and hands the result
 * to every member.
 */
class Fanout {
  readonly members = new Set<Member>();
  /** Events received and not yet completed. */
  private readonly waiting: EventResult[] = [];
  private stopUpstream: (() => void) | undefined;
  private finished = false;

  constructor(
    private readonly executor: SubscriptionExecutor,
    readonly key: string,
    private readonly planned: PlannedSubscription,
    private readonly request: { variables: Record<string, unknown>; operationName: string | undefined },
    /** The principal the upstream subscription and the event completions run as (one of the visibility). */
    private readonly principal: Principal,
    private after: string | null,
  ) {}

  join(principal: Principal): AsyncQueue<ExecutionResult> {
    const member: Member = { principal, output: new AsyncQueue<ExecutionResult>() };
    this.members.add(member);
    member.output.onClose(() => this.leave(member));
    return member.output;
  }

  start(): void {
    this.relay().catch((error: unknown) => {
      // Whatever breaks inside the relay reaches the clients, who would otherwise wait forever.
      console.error('subscription relay failed:', error);
      this.finish([
        new GraphQLError(
          'the subscription failed inside the gateway; subscribe again with your last cursor',
          {
            extensions: { code: 'INTERNAL_SERVER_ERROR' },
          },
        ),
      ]);
    });
  }

  /** Ends the matching members with these errors; the upstream goes when no member is left. */
  endMembers(matches: (principal: Principal) => boolean, errors: readonly GraphQLError[]): number {
    let ended = 0;
    for (const member of [...this.members]) {
      if (!matches(member.principal)) continue;
      ended += 1;
      if (errors.length > 0) member.output.push({ errors });
      member.output.end();
      this.leave(member);
    }
    return ended;
  }

  private leave(member: Member): void {
    if (!this.members.delete(member) || this.members.size > 0) return;
    // No one is listening: stop now, so that a new subscriber opens a fresh upstream subscription.
    this.finished = true;
    this.executor.forget(this);
    this.stopUpstream?.();
  }

  private broadcast(result: ExecutionResult): void {
    for (const member of this.members) {
      if (member.output.size >= MAX_BUFFERED) {
        member.output.push({
          errors: [
            new GraphQLError('the subscriber fell too far behind; subscribe again with its last cursor', {
              extensions: { code: 'SUBSCRIBER_TOO_SLOW' },
            }),
          ],
        });
        member.output.end();
        this.leave(member);
        continue;
      }
      member.output.push(result);
    }
  }

  private finish(errors: readonly GraphQLError[]): void {
    this.endMembers(() => true, errors);
    this.finished = true;
    this.executor.forget(this);
  }

  /**
   * Completes the events waiting, as one batch, and hands out the results in event order; then the events
   * that arrived meanwhile. One batch at a time per fanout: under load a fanout's next batch is whatever
   * queued while the last completed, so the busier it is, the fewer requests each event costs.
   */
  private async drain(signature: () => Promise<string>): Promise<void> {
    while (this.waiting.length > 0) {
      const batch = this.waiting.splice(0, MAX_BATCH);
      const results = await this.executor
        .completeBatch(this.planned, this.request, this.principal, signature, batch)
        .catch((error: unknown): ExecutionResult[] =>
          batch.map(() => ({
            errors: [
              new GraphQLError(`could not complete the event: ${(error as Error).message}`, {
                extensions: { code: 'INTERNAL_SERVER_ERROR' },
              }),
            ],
          })),
        );
      for (const [index, event] of batch.entries()) {
        if (this.planned.resumable) this.after = cursorOf(event, this.planned.responseKey) ?? this.after;
        if (!this.finished) this.broadcast(results[index]!);
      }
    }
  }

  private async relay(): Promise<void> {
    const { planned } = this;
    const signature = renewingSignature(() => this.executor.sign(this.principal));
    // Events arrive in I/O callbacks, never between a drain's last check of `waiting` and its end.
    let draining: Promise<void> | undefined;
    const drain = () => {
      draining ??= this.drain(signature).finally(() => {
        draining = undefined;
      });
    };
    for (let attempt = 0; !this.finished;) {
      const variables = { ...this.request.variables, [AFTER_VARIABLE]: this.after };
      const outcome = await new Promise<'complete' | 'closed' | UpstreamFailure>((resolve) => {
        this.stopUpstream = () => {
          unsubscribe();
          resolve('closed');
        };
        const unsubscribe = this.executor.upstream.subscribe(
          planned.primary.serviceName,
          this.principal,
          {
            query: planned.primary.operation,
            variables: pick(variables, planned.primary.variableUsages ?? []),
          },
          {
            next: (event) => {
              attempt = 0;
              this.waiting.push(event);
              drain();
            },
            error: (error) => resolve(classifyUpstreamFailure(planned.primary.serviceName, error)),
            complete: () => resolve('complete'),
          },
        );
        if (this.finished) this.stopUpstream();
      });
      this.stopUpstream = undefined;
      while (draining) await draining;
      if (outcome === 'closed' || this.finished) return;
      if (outcome === 'complete') return this.finish([]);
      if (outcome.kind === 'fatal') return this.finish(outcome.errors);
      if (!planned.resumable || attempt >= MAX_RECONNECT_ATTEMPTS) {
        return this.finish([
          new GraphQLError(
            `${planned.primary.serviceName} is unavailable (${outcome.reason}); subscribe again later`,
            {
              extensions: { code: 'SUBGRAPH_UNAVAILABLE' },
            },
          ),
        ]);
      }
      await sleep(backoff(attempt));
      attempt += 1;
    }
  }
}

/** Full jitter: a random wait below an exponentially growing ceiling. */
function backoff(attempt: number): number {
  return Math.random() * Math.min(RECONNECT_CAP_MS, RECONNECT_BASE_MS * 2 ** attempt);
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

/** JSON with object keys sorted, so equal variables give equal keys. */
function stable(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) =>
    inner && typeof inner === 'object' && !Array.isArray(inner)
      ? Object.fromEntries(Object.entries(inner).sort(([a], [b]) => (a < b ? -1 : 1)))
      : inner,
  );
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

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
