import type { ApolloServerPlugin, BaseContext, GraphQLRequestListener } from '@apollo/server';
import {
  GraphQLError,
  Kind,
  OperationTypeNode,
  type DocumentNode,
  type GraphQLFormattedError,
  type OperationDefinitionNode,
} from 'graphql';
import type { Principal } from '../platform/auth/principal.ts';
import { budgetKey, tierOf, type LimitsConfig, type TierLimits } from './limits.ts';
import { checkInputs, checkSource, exceeded, measureOperation, type SchemaIndex } from './limitsOperation.ts';
import { RateLimiter, rateLimited, type Slot } from './limitsRate.ts';

/**
 * Applies the limits to an operation, over HTTP (an Apollo Server plugin and an admission around each
 * request) and over graphql-ws (the gateway calls `checkSource`, `checkOperation` and `admit` before it
 * runs anything).
 */

export const badRequest = (message: string) =>
  new GraphQLError(message, { extensions: { code: 'BAD_REQUEST', http: { status: 400 } } });

/** Subscriptions held by one graphql-ws connection, by operation id. */
export class ConnectionSubscriptions {
  readonly held = new Map<string, Slot>();

  releaseAll(): void {
    for (const slot of this.held.values()) slot.release();
    this.held.clear();
  }
}

export class OperationGuard {
  readonly rates = new RateLimiter();

  constructor(
    readonly config: LimitsConfig,
    private readonly schemaIndex: () => SchemaIndex | undefined,
  ) {}

  limitsOf(principal: Principal): { tier: string; limits: TierLimits } {
    const tier = tierOf(principal);
    return { tier, limits: this.config[tier] };
  }

  /** Verdicts on texts seen recently, per tier: clients send the same few operations again and again. */
  private readonly sourceVerdicts = new Map<string, GraphQLError | null>();

  /** Tokens and nesting of the text, before it is parsed. */
  checkSource(source: string, principal: Principal): GraphQLError | undefined {
    const { tier, limits } = this.limitsOf(principal);
    if (source.length > 20_000) return checkSource(source, limits.operation, tier);
    const key = `${tier}\n${source}`;
    const known = this.sourceVerdicts.get(key);
    if (known !== undefined) return known ?? undefined;
    const verdict = checkSource(source, limits.operation, tier);
    if (this.sourceVerdicts.size >= 1_000) this.sourceVerdicts.clear();
    this.sourceVerdicts.set(key, verdict ?? null);
    return verdict;
  }

  /** The operation the request names, and everything about it that can be checked before it runs. */
  checkOperation(
    document: DocumentNode,
    operationName: string | null | undefined,
    variables: Record<string, unknown>,
    principal: Principal,
    transport: 'http' | 'graphql-ws',
  ): { operation: OperationDefinitionNode } | { error: GraphQLError } {
    const operations = document.definitions.filter(
      (definition): definition is OperationDefinitionNode => definition.kind === Kind.OPERATION_DEFINITION,
    );
    let operation: OperationDefinitionNode | undefined;
    if (operationName) {
      operation = operations.find((candidate) => candidate.name?.value === operationName);
      if (!operation) return { error: badRequest(`the document has no operation named "${operationName}"`) };
    } else {
      if (operations.length !== 1)
        return {
          error: badRequest(
            `the document holds ${operations.length} operations: name the one to run in \`operationName\``,
          ),
        };
      operation = operations[0]!;
    }
    if (transport === 'http' && operation.operation === OperationTypeNode.SUBSCRIPTION)
      return {
        error: badRequest(
          'subscriptions are served over WebSocket with the graphql-ws protocol (graphql-transport-ws) on this same path, not over HTTP',
        ),
      };
    const { tier, limits } = this.limitsOf(principal);
    const input = checkInputs(document, variables);
    if (input) return { error: input };
    const index = this.schemaIndex();
    if (!index) return { operation };
    const shape = measureOperation(index, document, operation, variables);
    if (shape.introspection && tier === 'partner' && !this.config.partnerIntrospection)
      return {
        error: new GraphQLError('introspection is disabled for partner principals; the schema is published', {
          extensions: { code: 'FORBIDDEN', http: { status: 403 } },
        }),
      };
    const error = exceeded(shape, limits.operation, tier);
    return error ? { error } : { operation };
  }

  /** One operation against the principal's rate, and a slot among its concurrent ones. */
  admit(principal: Principal): Slot | GraphQLError {
    const { tier, limits } = this.limitsOf(principal);
    const key = budgetKey(principal);
    const refused = this.rates.take(key, limits.rate, tier);
    return refused ?? this.rates.run(key, limits.rate, tier);
  }

  /** An HTTP request: the text's tokens and nesting, then the rate and a concurrent slot. */
  admitHttp(principal: Principal, query: string | undefined): Slot | GraphQLError {
    const refused = query === undefined ? undefined : this.checkSource(query, principal);
    return refused ?? this.admit(principal);
  }

  /** A subscription against the connection's count and the principal's total. */
  admitSubscription(
    principal: Principal,
    connection: ConnectionSubscriptions,
    id: string,
  ): GraphQLError | undefined {
    const { tier, limits } = this.limitsOf(principal);
    if (connection.held.size >= limits.rate.subscriptionsPerConnection)
      return rateLimited('subscriptionsPerConnection', limits.rate.subscriptionsPerConnection, tier);
    const refused = this.rates.take(budgetKey(principal), limits.rate, tier);
    if (refused) return refused;
    const slot = this.rates.subscribe(budgetKey(principal), limits.rate, tier);
    if (slot instanceof GraphQLError) return slot;
    connection.held.set(id, slot);
    return undefined;
  }

  /** Field suggestions name fields a partner would otherwise have to be told: off with introspection. */
  hidesSchema(principal: Principal): boolean {
    return tierOf(principal) === 'partner' && !this.config.partnerIntrospection;
  }

  /**
   * The checks of a parsed operation as Apollo Server runs it (the text was checked at admission, before
   * it was parsed).
   */
  plugin<Context extends BaseContext & { principal: Principal }>(): ApolloServerPlugin<Context> {
    return {
      requestDidStart: async ({ contextValue }): Promise<GraphQLRequestListener<Context>> => ({
        didResolveOperation: async ({ document, request }) => {
          const verdict = this.checkOperation(
            document,
            request.operationName,
            request.variables ?? {},
            contextValue.principal,
            'http',
          );
          if ('error' in verdict) throw verdict.error;
        },
        willSendResponse: async ({ response }) => {
          if (!this.hidesSchema(contextValue.principal) || response.body.kind !== 'single') return;
          const { errors } = response.body.singleResult;
          if (errors) response.body.singleResult.errors = errors.map(withoutSuggestions);
        },
      }),
    };
  }
}

/** graphql-js's "Did you mean …?" lists fields and types of the schema. */
export function withoutSuggestions(error: GraphQLFormattedError): GraphQLFormattedError {
  return / Did you mean .*\?$/.test(error.message)
    ? { ...error, message: error.message.replace(/ Did you mean .*\?$/, '') }
    : error;
}
