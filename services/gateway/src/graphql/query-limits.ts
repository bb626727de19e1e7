import { SluiceError } from '@sluice/errors';
import { Kind } from 'graphql';
import type { ASTVisitor, SelectionSetNode, ValidationContext, ValidationRule } from 'graphql';
import { graphql } from './graphql-runtime';

export interface QueryLimits {
  /** Deepest field nesting an operation may have. */
  maxDepth: number;
  /** Largest estimated number of resolved fields (lists count `first` times). */
  maxCost: number;
  /** Most aliased fields a document may have (aliases multiply work without deepening it). */
  maxAliases: number;
}

export const defaultQueryLimits: QueryLimits = { maxDepth: 10, maxCost: 20_000, maxAliases: 100 };

/**
 * Most lexical tokens a document may have; the parser stops there, so a huge document costs no
 * more than this to refuse. A configuration document is far smaller (a rule's SQL is one token).
 */
export const GRAPHQL_MAX_TOKENS = 5_000;

/** An operation too deep or too costly; refused before anything runs. */
export class QueryTooComplexError extends SluiceError {
  readonly code = 'QUERY_TOO_COMPLEX';
  readonly category = 'BAD_INPUT';
  constructor(
    message: string,
    readonly depth: number,
    readonly cost: number,
  ) {
    super(message);
  }
}

// why 500 for a variable: validation runs without variable values, so assume the largest page
const DEFAULT_PAGE = 50;
const MAX_PAGE = 500;

/**
 * A validation rule that refuses operations deeper than `maxDepth` or costlier than `maxCost`:
 * every field costs 1, times the page size (`first`) of each list it is inside.
 *
 * @example validationRules: [queryLimitsRule({ maxDepth: 10, maxCost: 20_000 })]
 */
export function queryLimitsRule(limits: QueryLimits = defaultQueryLimits): ValidationRule {
  return (context: ValidationContext): ASTVisitor => {
    let aliases = 0;
    return {
      Field(node) {
        if (!node.alias || ++aliases !== limits.maxAliases + 1) return;
        const problem = `the document has more than ${limits.maxAliases} aliased fields`;
        context.reportError(
          new graphql.GraphQLError(problem, {
            nodes: [node],
            originalError: new QueryTooComplexError(problem, 0, aliases),
          }),
        );
      },
      OperationDefinition(node) {
        const measure = (
          set: SelectionSetNode,
          depth: number,
          seen: Set<string>,
        ): { depth: number; cost: number } => {
          let deepest = depth;
          let cost = 0;
          for (const selection of set.selections) {
            if (selection.kind === Kind.FIELD) {
              if (!selection.selectionSet) {
                cost += 1;
                continue;
              }
              const inner = measure(selection.selectionSet, depth + 1, seen);
              deepest = Math.max(deepest, inner.depth);
              cost += 1 + pageSize(selection.arguments ?? [], selection.selectionSet) * inner.cost;
            } else if (selection.kind === Kind.INLINE_FRAGMENT) {
              const inner = measure(selection.selectionSet, depth, seen);
              deepest = Math.max(deepest, inner.depth);
              cost += inner.cost;
            } else {
              const name = selection.name.value;
              const fragment = context.getFragment(name);
              if (!fragment || seen.has(name)) continue; // why: cycles are reported by graphql-js itself
              const inner = measure(fragment.selectionSet, depth, new Set([...seen, name]));
              deepest = Math.max(deepest, inner.depth);
              cost += inner.cost;
            }
          }
          return { depth: deepest, cost };
        };
        const { depth, cost } = measure(node.selectionSet, 1, new Set());
        const problem =
          depth > limits.maxDepth
            ? `the operation is ${depth} levels deep; at most ${limits.maxDepth} are allowed`
            : cost > limits.maxCost
              ? `the operation may resolve about ${cost} fields; at most ${limits.maxCost} are allowed`
              : undefined;
        if (problem) {
          const original = new QueryTooComplexError(problem, depth, cost);
          context.reportError(
            new graphql.GraphQLError(problem, {
              nodes: [node],
              originalError: original,
            }),
          );
        }
      },
    };
  };
}

// why `nodes`: every paginated list answers `{ nodes, pageInfo }`; other lists are small and bounded
function pageSize(
  args: readonly { name: { value: string }; value: { kind: Kind } & object }[],
  set: SelectionSetNode,
): number {
  const first = args.find((a) => a.name.value === 'first');
  const isPage = set.selections.some((s) => s.kind === Kind.FIELD && s.name.value === 'nodes');
  if (!first) return isPage ? DEFAULT_PAGE : 1;
  const value = first.value as { kind: Kind; value?: string };
  if (value.kind === Kind.INT && value.value !== undefined) return Math.min(Number(value.value), MAX_PAGE);
  return MAX_PAGE;
}
