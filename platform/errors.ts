import { randomUUID } from 'node:crypto';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';

export type ErrorCode = 'BAD_USER_INPUT' | 'FORBIDDEN' | 'NOT_FOUND' | 'CONFLICT' | 'UNAUTHENTICATED';

function error(code: ErrorCode, message: string, details?: Record<string, unknown>): GraphQLError {
  return new GraphQLError(message, { extensions: { code, ...details } });
}

export const badInput = (message: string, details?: Record<string, unknown>) =>
  error('BAD_USER_INPUT', message, details);
export const forbidden = (message = 'not allowed for this principal') => error('FORBIDDEN', message);
export const notFound = (what: string, id: string) => error('NOT_FOUND', `${what} ${id} not found`, { id });
export const conflict = (message: string, details?: Record<string, unknown>) =>
  error('CONFLICT', message, details);
export const unauthenticated = (message: string) =>
  new GraphQLError(message, { extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } } });

/**
 * An error a client may read as it is: one the code raised on purpose, with a code of its own. Anything
 * else (a driver's message, a bug's TypeError) is unexpected, and its text stays in the server's log.
 */
function isDeliberate(formatted: GraphQLFormattedError): boolean {
  const code = formatted.extensions?.code;
  if (typeof formatted.extensions?.correlationId === 'string') return true;
  return typeof code === 'string' && code !== 'INTERNAL_SERVER_ERROR';
}

/**
 * What a client is told of an error: deliberate errors as they are; unexpected ones as
 * INTERNAL_SERVER_ERROR with a correlation id, logged here with the real error under the same id.
 */
export function clientSafeError(
  service: string,
  formatted: GraphQLFormattedError,
  original?: unknown,
): GraphQLFormattedError {
  if (isDeliberate(formatted)) return formatted;
  const correlationId = randomUUID();
  const cause =
    original instanceof GraphQLError && original.originalError ? original.originalError : original;
  console.error(`[${service}] unexpected error ${correlationId}:`, cause ?? formatted.message);
  return {
    message: `internal error; quote reference ${correlationId} to the operator`,
    ...(formatted.path ? { path: formatted.path } : {}),
    ...(formatted.locations ? { locations: formatted.locations } : {}),
    extensions: { code: 'INTERNAL_SERVER_ERROR', correlationId },
  };
}

/** Apollo Server's `formatError` for a service. */
export const safeFormatError =
  (service: string) =>
  (formatted: GraphQLFormattedError, original: unknown): GraphQLFormattedError =>
    clientSafeError(service, formatted, original);
