import {
  GraphQLError,
  Kind,
  Lexer,
  OperationTypeNode,
  Source,
  TokenKind,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValueNode,
} from 'graphql';
import type { OperationLimits } from './limits.ts';

/**
 * Bounds on one operation, checked before it runs: first on the text (tokens and bracket nesting, before
 * a parser builds a tree a deep query would overflow), then on the parsed operation (depth, aliases,
 * root fields and an estimated cost).
 *
 * The cost is an upper estimate of the work: every field that returns an object costs 1, leaves nothing;
 * a list multiplies what is selected under it by its estimated length: `first` (or its default) for a
 * page, the estimated links of a `depth` traversal (`LINKS_PER_TIER` per tier, at most `MAX_LINKS`, what
 * `suppliers`/`customers` return at most) which also costs that much itself, and `LIST_SIZE` for any
 * other list. A few fields cost more than a row because of what they compute (`FIELD_WEIGHTS`).
 */

export const LIST_SIZE = 10;
export const LINKS_PER_TIER = 20;
export const MAX_LINKS = 1_000;
/** The largest page a list serves (platform/pagination.ts): a bigger `first` is refused there anyway. */
const MAX_PAGE = 500;
/**
 * What a field computes beyond reading a row. `Partner.risk` reads the partner's certificates,
 * disruptions and in-links, and walks RISK_DEPTH tiers upstream; the network subgraph does that walk once
 * per request for every risk asked (subgraphs/network/risk.ts: one frontier-by-frontier query for the
 * batch), so the walk is bounded by the network near the batch and not multiplied by the partners asked.
 * What each further risk adds is its own few rows and its share of the formula in memory: a handful of
 * rows, hence 5, which lets the explorer read a page of hundreds of links with both companies' risk.
 */
export const FIELD_WEIGHTS: Readonly<Record<string, number>> = {
  'Partner.risk': 5,
  'Query.supplyPath': 200,
};
/** Bracket nesting beyond the depth limit allowed for input objects and lists in arguments. */
const NESTING_SLACK = 20;

export type LimitName = keyof OperationLimits;

export function tooComplex(limit: LimitName, value: number, max: number, tier: string): GraphQLError {
  const what: Record<LimitName, string> = {
    depth: 'nesting depth',
    aliases: 'aliases',
    rootFields: 'root fields',
    tokens: 'tokens',
    cost: 'estimated cost',
  };
  return new GraphQLError(
    `operation refused before it ran: its ${what[limit]} (${value}) exceeds the maximum of ${max} for ${tier} principals`,
    { extensions: { code: 'QUERY_TOO_COMPLEX', limit, value, max, http: { status: 400 } } },
  );
}

/**
 * Counts tokens and bracket nesting with graphql-js's lexer, which keeps no stack: a 10,000-deep query is
 * refused here rather than overflowing the parser.
 */
export function checkSource(source: string, limits: OperationLimits, tier: string): GraphQLError | undefined {
  const lexer = new Lexer(new Source(source));
  let tokens = 0;
  let nesting = 0;
  let deepest = 0;
  const maxNesting = limits.depth + NESTING_SLACK;
  try {
    for (let token = lexer.advance(); token.kind !== TokenKind.EOF; token = lexer.advance()) {
      tokens += 1;
      if (tokens > limits.tokens) return tooComplex('tokens', tokens, limits.tokens, tier);
      const kind = token.kind;
      if (kind === TokenKind.BRACE_L || kind === TokenKind.BRACKET_L || kind === TokenKind.PAREN_L) {
        nesting += 1;
        deepest = Math.max(deepest, nesting);
        // The outer brace of the operation is not a field level; beyond the slack it is depth abuse.
        if (nesting > maxNesting) return tooComplex('depth', nesting - 1, limits.depth, tier);
      } else if (kind === TokenKind.BRACE_R || kind === TokenKind.BRACKET_R || kind === TokenKind.PAREN_R) {
        nesting -= 1;
      }
    }
  } catch {
    // A lexical error is the parser's to report, with its position.
    return undefined;
  }
  return undefined;
}

/** What the cost rules need of the schema, read by name so any copy of graphql-js can supply it. */
interface FieldInfo {
  type: string;
  list: boolean;
  leaf: boolean;
  args: Map<string, unknown>;
}
export type SchemaIndex = Map<string, Map<string, FieldInfo>>;

interface SchemaLike {
  getTypeMap(): Record<string, unknown>;
}
interface FieldLike {
  type: unknown;
  args: readonly { name: string; defaultValue: unknown }[];
}

export function indexSchema(schema: GraphQLSchema | SchemaLike): SchemaIndex {
  const index: SchemaIndex = new Map();
  const typeMap = schema.getTypeMap();
  const composite = (name: string) => {
    const type = typeMap[name] as { getFields?: unknown; getValues?: unknown } | undefined;
    // Input objects have fields too, but are never selected; enums have values; scalars neither.
    return typeof type?.getFields === 'function' && !name.startsWith('__');
  };
  for (const [name, type] of Object.entries(typeMap)) {
    const withFields = type as { getFields?: () => Record<string, FieldLike> };
    if (typeof withFields.getFields !== 'function') continue;
    const fields = new Map<string, FieldInfo>();
    for (const [fieldName, field] of Object.entries(withFields.getFields())) {
      const typeName = String(field.type);
      const named = typeName.replace(/[[\]!]/g, '');
      fields.set(fieldName, {
        type: named,
        list: typeName.includes('['),
        leaf: !composite(named),
        args: new Map((field.args ?? []).map((arg) => [arg.name, arg.defaultValue])),
      });
    }
    index.set(name, fields);
  }
  return index;
}

export interface OperationShape {
  depth: number;
  aliases: number;
  rootFields: number;
  cost: number;
  /** Whether `__schema` or `__type` is selected. */
  introspection: boolean;
}

interface Measure {
  depth: number;
  aliases: number;
  cost: number;
  introspection: boolean;
}

/**
 * Measures one operation. Fragments are measured once each and reused (a fragment spread many times,
 * or spreading others that do, costs its expansion without being expanded).
 */
export function measureOperation(
  index: SchemaIndex,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown>,
): OperationShape {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  const fragmentMeasures = new Map<string, Measure>();
  const rootType =
    operation.operation === OperationTypeNode.QUERY
      ? 'Query'
      : operation.operation === OperationTypeNode.MUTATION
        ? 'Mutation'
        : 'Subscription';

  const argument = (
    field: { arguments?: readonly { name: { value: string }; value: ValueNode }[] | undefined },
    name: string,
    info: FieldInfo | undefined,
  ): number | undefined => {
    const node = field.arguments?.find((arg) => arg.name.value === name)?.value;
    let value: unknown;
    if (!node) value = info?.args.get(name);
    else if (node.kind === Kind.INT || node.kind === Kind.FLOAT) value = Number(node.value);
    else if (node.kind === Kind.VARIABLE) value = variables[node.name.value] ?? info?.args.get(name);
    return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
  };

  const measureSelections = (typeName: string, selectionSet: SelectionSetNode, inPage: boolean): Measure => {
    const result: Measure = { depth: 0, aliases: 0, cost: 0, introspection: false };
    const add = (inner: Measure) => {
      result.depth = Math.max(result.depth, inner.depth);
      result.aliases += inner.aliases;
      result.cost += inner.cost;
      result.introspection ||= inner.introspection;
    };
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.INLINE_FRAGMENT) {
        add(
          measureSelections(selection.typeCondition?.name.value ?? typeName, selection.selectionSet, inPage),
        );
        continue;
      }
      if (selection.kind === Kind.FRAGMENT_SPREAD) {
        const name = selection.name.value;
        let measured = fragmentMeasures.get(name);
        if (!measured) {
          const fragment = fragments.get(name);
          if (!fragment) continue;
          // Validation refuses cycles; this guards the measure itself should one get through.
          fragmentMeasures.set(name, { depth: 0, aliases: 0, cost: 0, introspection: false });
          measured = measureSelections(fragment.typeCondition.name.value, fragment.selectionSet, inPage);
          fragmentMeasures.set(name, measured);
        }
        add(measured);
        continue;
      }
      const name = selection.name.value;
      const info = index.get(typeName)?.get(name);
      const inner: Measure = {
        depth: 1,
        aliases: selection.alias ? 1 : 0,
        cost: 0,
        introspection: name === '__schema' || name === '__type',
      };
      if (selection.selectionSet) {
        const childType = info?.type ?? name;
        const first = argument(selection, 'first', info);
        const depth = info?.args.has('depth') ? argument(selection, 'depth', info) : undefined;
        const traversal = depth === undefined ? 0 : Math.min(MAX_LINKS, LINKS_PER_TIER * Math.max(1, depth));
        // A page's own `nodes` list is the page: it is counted once, by `first`.
        const size =
          first !== undefined
            ? Math.min(MAX_PAGE, Math.max(1, first))
            : traversal > 0 && info?.list
              ? traversal
              : info?.list && !inPage
                ? LIST_SIZE
                : 1;
        const children = measureSelections(childType, selection.selectionSet, first !== undefined);
        inner.depth += children.depth;
        inner.aliases += children.aliases;
        inner.introspection ||= children.introspection;
        inner.cost = (FIELD_WEIGHTS[`${typeName}.${name}`] ?? 1) + traversal + size * children.cost;
      } else {
        inner.cost = FIELD_WEIGHTS[`${typeName}.${name}`] ?? 0;
      }
      add(inner);
    }
    return result;
  };

  const measured = measureSelections(rootType, operation.selectionSet, false);
  return { ...measured, rootFields: countRootFields(operation.selectionSet, fragments, new Set()) };
}

function countRootFields(
  selectionSet: SelectionSetNode,
  fragments: Map<string, FragmentDefinitionNode>,
  seen: Set<string>,
): number {
  let count = 0;
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) count += 1;
    else if (selection.kind === Kind.INLINE_FRAGMENT)
      count += countRootFields(selection.selectionSet, fragments, seen);
    else if (!seen.has(selection.name.value)) {
      const fragment = fragments.get(selection.name.value);
      if (fragment)
        count += countRootFields(fragment.selectionSet, fragments, new Set([...seen, fragment.name.value]));
    }
  }
  return count;
}

/** The first limit the shape exceeds, as the error to answer. */
export function exceeded(
  shape: OperationShape,
  limits: OperationLimits,
  tier: string,
): GraphQLError | undefined {
  for (const limit of ['depth', 'aliases', 'rootFields', 'cost'] as const) {
    if (shape[limit] > limits[limit]) return tooComplex(limit, shape[limit], limits[limit], tier);
  }
  return undefined;
}

/** `field`: the argument or input field that holds the value, as the subgraphs name it in theirs. */
const badInput = (message: string, field?: string) =>
  new GraphQLError(message, {
    extensions: { code: 'BAD_USER_INPUT', ...(field ? { field } : {}), http: { status: 400 } },
  });

/**
 * Arguments no field can store or compute with: a NUL character (PostgreSQL text cannot hold one) and a
 * number beyond double precision (`1e400` would reach a resolver as Infinity).
 */
export function checkInputs(
  document: DocumentNode,
  variables: Record<string, unknown>,
): GraphQLError | undefined {
  return checkLiterals(document) ?? checkVariables(variables);
}

/** The literals of a document, checked once per document (Apollo Server reuses parsed documents). */
const literalVerdicts = new WeakMap<DocumentNode, GraphQLError | null>();
function checkLiterals(document: DocumentNode): GraphQLError | undefined {
  const known = literalVerdicts.get(document);
  if (known !== undefined) return known ?? undefined;
  const verdict = findBadLiteral(document);
  literalVerdicts.set(document, verdict ?? null);
  return verdict;
}

function findBadLiteral(document: DocumentNode): GraphQLError | undefined {
  const literal = (value: ValueNode, name?: string): GraphQLError | undefined => {
    switch (value.kind) {
      case Kind.STRING:
        return value.value.includes('\u0000')
          ? badInput(`${name ?? 'text'} must not contain NUL characters`, name)
          : undefined;
      case Kind.FLOAT:
      case Kind.INT:
        return Number.isFinite(Number(value.value))
          ? undefined
          : badInput(`the number ${value.value.slice(0, 40)} is out of range`, name);
      case Kind.LIST:
        for (const item of value.values) {
          const problem = literal(item, name);
          if (problem) return problem;
        }
        return undefined;
      case Kind.OBJECT:
        for (const field of value.fields) {
          const problem = literal(field.value, field.name.value);
          if (problem) return problem;
        }
        return undefined;
      default:
        return undefined;
    }
  };
  const stack: unknown[] = [document];
  while (stack.length > 0) {
    const node = stack.pop() as {
      kind?: string;
      arguments?: { name: { value: string }; value: ValueNode }[];
      defaultValue?: ValueNode;
    };
    for (const arg of node.arguments ?? []) {
      const problem = literal(arg.value, arg.name.value);
      if (problem) return problem;
    }
    if (node.defaultValue) {
      const problem = literal(node.defaultValue);
      if (problem) return problem;
    }
    for (const value of Object.values(node)) {
      if (Array.isArray(value))
        stack.push(...value.filter((item) => typeof item === 'object' && item !== null));
      else if (typeof value === 'object' && value !== null && 'kind' in value) stack.push(value);
    }
  }
  return undefined;
}

function checkVariables(variables: Record<string, unknown>): GraphQLError | undefined {
  const values: [string | undefined, unknown][] = [[undefined, variables]];
  while (values.length > 0) {
    const [name, value] = values.pop()!;
    if (typeof value === 'string' && value.includes('\u0000'))
      return badInput(`${name ?? 'text'} must not contain NUL characters`, name);
    if (typeof value === 'number' && !Number.isFinite(value))
      return badInput(`${name ?? 'a number'} is out of range`, name);
    if (Array.isArray(value))
      values.push(
        ...(value as readonly unknown[]).map((item): [string | undefined, unknown] => [name, item]),
      );
    else if (typeof value === 'object' && value !== null)
      values.push(...Object.entries(value as Record<string, unknown>));
  }
  return undefined;
}
