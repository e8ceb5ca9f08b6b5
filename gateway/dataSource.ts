import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { OperationTypeNode, type OperationDefinitionNode } from 'graphql';
import { PRINCIPAL_HEADER, type Principal } from '../platform/auth/principal.ts';

/** What a subgraph fetch needs of the gateway's request context. */
export interface FetchContext {
  principal: Principal;
  /** The principal's signed header (gateway/signedPrincipals.ts). */
  signedPrincipal: Promise<string>;
  /** When the gateway received the request (`performance.now()`). */
  receivedAt: number;
}

type GatewayGraphQLResponse = Awaited<ReturnType<RemoteGraphQLDataSource['process']>>;

interface InFlight {
  /** When it was sent; undefined while it waits for the identical fetch before it to end. */
  startedAt: number | undefined;
  followers: number;
  /** One copy of the response per follower, taken as it arrives. */
  copies: Promise<GatewayGraphQLResponse[]>;
}

/**
 * Forwards the caller's principal to a subgraph in a signed header (subgraphs trust nothing else), and
 * shares one fetch among identical ones in flight: the same subgraph, query text, variables and signed
 * principal (never across principals, whose rows differ), for queries only (never a mutation, nor the
 * fetches of a mutation's plan, which must read what it wrote). A request joins only a fetch sent after
 * it arrived, so it never reads data older than itself: a client that wrote and then queries sees its
 * write. Each request gets its own copy of the response, as the gateway merges into what it receives.
 *
 * A request that finds an identical fetch running, sent before it arrived, does not send its own at once:
 * it waits for that one to end, and every identical request arriving meanwhile joins it. However many
 * identical queries arrive, at most two fetches of them are out, and each still reads data no older
 * than the requests it answers.
 */
export class SignedDataSource<Context extends FetchContext> extends RemoteGraphQLDataSource<Context> {
  private readonly inFlight = new Map<string, InFlight[]>();

  override async willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<Context>) {
    request.http?.headers.set(PRINCIPAL_HEADER, await (context as Context).signedPrincipal);
  }

  override async process(options: GraphQLDataSourceProcessOptions<Context>): Promise<GatewayGraphQLResponse> {
    if (!('incomingRequestContext' in options)) return super.process(options);
    const { context } = options;
    // A subscription's event completions run plans without an incoming operation or arrival time: they
    // fetch on their own.
    const operation = options.incomingRequestContext.operation as OperationDefinitionNode | undefined;
    if (operation?.operation !== OperationTypeNode.QUERY || typeof context.receivedAt !== 'number')
      return super.process(options);
    const { query, variables, operationName } = options.request;
    const key = JSON.stringify([await context.signedPrincipal, query, operationName, variables]);
    const sent = this.inFlight.get(key) ?? [];
    const joinable = sent.find(
      (fetch) => fetch.startedAt === undefined || fetch.startedAt >= context.receivedAt,
    );
    if (joinable) {
      const index = joinable.followers++;
      return joinable.copies.then((copies) => copies[index]!);
    }
    const fetch: InFlight = { startedAt: undefined, followers: 0, copies: Promise.resolve([]) };
    const running = sent.at(-1);
    const send = () => {
      fetch.startedAt = performance.now();
      return super.process(options);
    };
    const leader = running ? running.copies.then(send, send) : send();
    // Registered before anything else awaits `leader`: the copies are taken before the leader's own
    // execution merges into its response, and nobody joins once it has arrived.
    fetch.copies = leader.then(
      (response) => {
        this.settle(key, fetch);
        return Array.from({ length: fetch.followers }, () => copyOf(response));
      },
      (error: unknown) => {
        this.settle(key, fetch);
        throw error;
      },
    );
    fetch.copies.catch(() => undefined);
    this.inFlight.set(key, [...sent, fetch]);
    return leader;
  }

  private settle(key: string, fetch: InFlight): void {
    const remaining = (this.inFlight.get(key) ?? []).filter((other) => other !== fetch);
    if (remaining.length > 0) this.inFlight.set(key, remaining);
    else this.inFlight.delete(key);
  }
}

/** A response as a follower receives it: its own objects, the leader's HTTP response. */
function copyOf(response: GatewayGraphQLResponse): GatewayGraphQLResponse {
  const { http, ...body } = response;
  return { ...structuredClone(body), ...(http ? { http } : {}) };
}
