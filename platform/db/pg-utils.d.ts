/** node-postgres's serialization of a query parameter, which it does not declare a type for. */
declare module 'pg/lib/utils.js' {
  /** Text for PostgreSQL to read (arrays as array literals, objects as JSON), bytes as they are, or null. */
  export function prepareValue(value: unknown): string | Buffer | null;
}
