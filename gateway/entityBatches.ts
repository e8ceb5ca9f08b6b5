import type { GraphQLDataSource, GraphQLDataSourceProcessOptions } from '@apollo/gateway';

type Response = Awaited<ReturnType<GraphQLDataSource['process']>>;
type ResponseError = NonNullable<Response['errors']>[number];

interface Waiting {
  options: GraphQLDataSourceProcessOptions;
  representations: unknown[];
  resolve: (response: Response) => void;
  reject: (reason: unknown) => void;
}

/**
 * Data sources for plans run side by side as one batch, all for one principal (the events of one fanout):
 * the entity fetches they make at the same step, to the same subgraph with the same query and other
 * variables, go out as one request carrying all their representations, in turn. Each plan gets its own
 * slice of `_entities` back, with errors re-pointed at its own indices. A burst of events then costs each
 * subgraph one request and one read of its keys per plan step, not one per event.
 *
 * Requests wait for the end of the current turn of the event loop: plans started together reach the same
 * step within it, as their fetches before it answered together.
 */
export function batchingEntityFetches(
  sources: Record<string, GraphQLDataSource>,
): Record<string, GraphQLDataSource> {
  return Object.fromEntries(Object.entries(sources).map(([name, source]) => [name, batchingSource(source)]));
}

function batchingSource(source: GraphQLDataSource): GraphQLDataSource {
  const groups = new Map<string, Waiting[]>();
  const send = (group: Waiting[]) => {
    const first = group[0]!;
    if (group.length === 1) {
      source.process(first.options).then(first.resolve, first.reject);
      return;
    }
    const representations = group.flatMap((waiting) => waiting.representations);
    const { request } = first.options;
    source
      .process({
        ...first.options,
        request: { ...request, variables: { ...request.variables, representations } },
      })
      .then(
        (response) => {
          let offset = 0;
          for (const waiting of group) {
            waiting.resolve(sliceOf(response, offset, waiting.representations.length));
            offset += waiting.representations.length;
          }
        },
        (error: unknown) => {
          for (const waiting of group) waiting.reject(error);
        },
      );
  };
  return {
    process(options) {
      const { representations, ...others } = options.request.variables ?? {};
      if (!Array.isArray(representations)) return source.process(options);
      const key = JSON.stringify([options.request.query, options.request.operationName ?? null, others]);
      return new Promise<Response>((resolve, reject) => {
        const group = groups.get(key);
        const waiting: Waiting = { options, representations, resolve, reject };
        if (group) return void group.push(waiting);
        groups.set(key, [waiting]);
        setImmediate(() => {
          const ready = groups.get(key)!;
          groups.delete(key);
          send(ready);
        });
      });
    },
  };
}

/** The part of a merged `_entities` answer that belongs to representations [offset, offset + count). */
function sliceOf(response: Response, offset: number, count: number): Response {
  const entities: unknown = response.data?._entities;
  const data =
    response.data && Array.isArray(entities)
      ? { ...response.data, _entities: entities.slice(offset, offset + count) }
      : response.data;
  const errors = response.errors?.flatMap((error): ResponseError[] => {
    const index = error.path?.[0] === '_entities' ? error.path[1] : undefined;
    // An error of the whole request belongs to every part of it.
    if (typeof index !== 'number') return [error];
    if (index < offset || index >= offset + count) return [];
    return [{ ...error, path: ['_entities', index - offset, ...error.path!.slice(2)] }];
  });
  return { ...response, data, ...(errors ? { errors } : {}) };
}
