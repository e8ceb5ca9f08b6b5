/**
 * Shapes of event payloads: each is a TypeScript type and the check that a stored payload has it, from one
 * declaration, so the type a producer is held to and the check a reader applies cannot drift apart.
 * Objects may carry fields their shape does not name (a producer may add fields before its readers use
 * them); the fields it names must be there with the right type.
 */

/** Returns `value` as a `T`, or throws a `ShapeError` naming the first field that is not. */
export interface Shape<T> {
  check(value: unknown, path: string): T;
  readonly optional: boolean;
}

/** The shape of a field that may be absent. */
export interface OptionalShape<T> extends Shape<T | undefined> {
  readonly optional: true;
}

export type Infer<S> = S extends Shape<infer T> ? T : never;

export class ShapeError extends Error {
  constructor(
    readonly path: string,
    readonly expected: string,
  ) {
    super(`${path || 'payload'}: expected ${expected}`);
  }
}

function shape<T>(expected: string, test: (value: unknown) => boolean): Shape<T> {
  return {
    optional: false,
    check(value, path) {
      if (!test(value)) throw new ShapeError(path, expected);
      return value as T;
    },
  };
}

export const str = shape<string>('a string', (value) => typeof value === 'string');
export const num = shape<number>('a number', (value) => typeof value === 'number' && Number.isFinite(value));
export const int = shape<number>('a whole number', (value) => Number.isInteger(value));
export const bool = shape<boolean>('true or false', (value) => typeof value === 'boolean');
/** A decimal amount or quantity, as a string (no binary floating point for money or stock). */
export const decimal = shape<string>(
  'a decimal string',
  (value) => typeof value === 'string' && /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(value),
);

export function oneOf<const Values extends readonly string[]>(...values: Values): Shape<Values[number]> {
  return shape(`one of ${values.join(', ')}`, (value) => values.includes(value as string));
}

export function nullable<T>(inner: Shape<T>): Shape<T | null> {
  return {
    optional: false,
    check: (value, path) => (value === null ? null : inner.check(value, path)),
  };
}

/** A field that may be absent. */
export function optional<T>(inner: Shape<T>): OptionalShape<T> {
  return {
    optional: true,
    check: (value, path) => (value === undefined ? undefined : inner.check(value, path)),
  };
}

export function list<T>(item: Shape<T>): Shape<T[]> {
  return {
    optional: false,
    check(value, path) {
      if (!Array.isArray(value)) throw new ShapeError(path, 'a list');
      value.forEach((element, index) => item.check(element, `${path}[${index}]`));
      return value as T[];
    },
  };
}

type Fields = Record<string, Shape<unknown>>;
type OptionalKeys<F extends Fields> = {
  [K in keyof F]: F[K] extends OptionalShape<unknown> ? K : never;
}[keyof F];
type Flat<T> = { [K in keyof T]: T[K] };
export type ObjectOf<F extends Fields> = Flat<
  { [K in Exclude<keyof F, OptionalKeys<F>>]: Infer<F[K]> } & { [K in OptionalKeys<F>]?: Infer<F[K]> }
>;

export interface ObjectShape<F extends Fields> extends Shape<ObjectOf<F>> {
  readonly fields: F;
}

export function object<F extends Fields>(fields: F): ObjectShape<F> {
  return {
    fields,
    optional: false,
    check(value, path) {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        throw new ShapeError(path, 'an object');
      }
      const record = value as Record<string, unknown>;
      for (const [name, field] of Object.entries(fields)) {
        field.check(record[name], path ? `${path}.${name}` : name);
      }
      return value as ObjectOf<F>;
    },
  };
}

/** `base` with more fields (or some of its fields narrowed). */
export function extend<F extends Fields, G extends Fields>(
  base: ObjectShape<F>,
  more: G,
): ObjectShape<Omit<F, keyof G> & G> {
  const fields: Omit<F, keyof G> & G = { ...base.fields, ...more };
  return object(fields);
}

/** `base` without some of its fields. */
export function omit<F extends Fields, K extends keyof F & string>(
  base: ObjectShape<F>,
  ...names: K[]
): ObjectShape<Omit<F, K>> {
  const fields: Fields = { ...base.fields };
  for (const name of names) delete fields[name];
  return object(fields as Omit<F, K>);
}
