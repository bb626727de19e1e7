import type { ExpressionNode } from '../ast/expression-node';
import type { FieldNode, SelectFieldNode } from '../ast/select-field-node';
import { RuleCompileError } from '../errors';
import { isErlangNumber, numberText } from '../numbers/erlang-number';
import { compileExpression } from './compile-expression';
import { rawPayload, type EvalEnv, type Evaluator } from './eval-env';
import { putOutput, type OutputSegment, type OutputTarget } from './output-path';
import type { Scope } from './scope';
import { setOwn, type PlainObject } from './values';

/** A compiled field list: `run` writes every field into `env.out`, in order. */
export interface CompiledFields {
  readonly run: (env: EvalEnv) => void;
  /** The roots named by AS, visible to WHERE. */
  readonly aliasRoots: ReadonlySet<string>;
  readonly empty: boolean;
}

/**
 * Compiles SELECT / FOREACH / DO fields; a field sees the aliases of the fields before it. `each`
 * is given for DO: the item name and the FOREACH fields DO can read.
 */
export function compileFields(
  fields: readonly FieldNode[],
  each?: { readonly item: string; readonly selected: ReadonlySet<string> },
): CompiledFields {
  const item = each?.item;
  const aliases = new Set<string>();
  const writers: ((env: EvalEnv) => void)[] = [];
  const targets: OutputTarget[] = [];
  for (const field of fields) {
    if (field.kind === 'StarNode') {
      writers.push((env) => writeColumns(env, item));
      continue;
    }
    // why: the scope is only read while this field compiles, before its own root is added, so the
    // live set serves; a copy per field made compiling quadratic in the number of fields
    const { value, target } = compileField(field, { ...each, aliases });
    // a later field or WHERE sees every earlier output name; a path without AS only mirrors its column
    if (namesAlias(field)) aliases.add(target.root);
    targets.push(target);
    writers.push(
      target.path.length > 0
        ? (env) => putOutput(env.out, target, value(env))
        : target.root === '__proto__'
          ? (env) => setOwn(env.out, target.root, value(env))
          : (env) => {
              env.out[target.root] = value(env);
            },
    );
  }
  const writeAll =
    writers.length === 1
      ? (writers[0] as (env: EvalEnv) => void)
      : (env: EvalEnv) => {
          for (const write of writers) write(env);
        };
  const shape = outputShape(fields, targets);
  // why: an output that starts with all its keys keeps one hidden class, so the writes are plain
  // stores instead of shape transitions (measured: the projection benchmark's field writes cost less)
  const run = shape
    ? (env: EvalEnv) => {
        env.out = { ...shape };
        writeAll(env);
      }
    : writeAll;
  return { run, aliasRoots: aliases, empty: writers.length === 0 };
}

/** Whether a later field or WHERE reads this field's output before the column of the same name. */
export function namesAlias(field: SelectFieldNode): boolean {
  return field.alias !== undefined || field.expression.kind !== 'ReferenceNode';
}

/** The output's keys, when every field writes one distinct top-level name (no `*`, no paths). */
export function outputShape(
  fields: readonly FieldNode[],
  targets: readonly OutputTarget[],
): PlainObject | undefined {
  if (targets.length !== fields.length || targets.length === 0) return undefined;
  const roots = new Set(targets.map((t) => t.root));
  if (roots.size !== targets.length || roots.has('__proto__') || targets.some((t) => t.path.length > 0))
    return undefined;
  const shape: PlainObject = {};
  for (const root of roots) shape[root] = undefined;
  return shape;
}

/** One field's value and where it goes. */
export function compileField(
  field: SelectFieldNode,
  scope: Scope,
): { value: Evaluator; target: OutputTarget } {
  return { value: compileExpression(field.expression, scope), target: fieldTarget(field) };
}

/** Where a field's value goes: its AS path, or the name EMQX gives a field without AS. */
export function fieldTarget(field: SelectFieldNode): OutputTarget {
  return field.alias ? aliasTarget(field) : implicitTarget(field.expression);
}

function aliasTarget(field: SelectFieldNode): OutputTarget {
  const alias = field.alias as NonNullable<SelectFieldNode['alias']>;
  const path = alias.path.map((segment): OutputSegment => {
    if (segment.type === 'key' || segment.type === 'index') return segment;
    throw new RuleCompileError(
      'an alias path takes keys and number indexes only',
      field.position.line,
      field.position.column,
    );
  });
  return { root: alias.root, path };
}

/**
 * The output name EMQX gives a field without AS: a path keeps its shape (`payload.a.b` becomes
 * {payload: {a: {b}}}), a string constant names itself, and anything else gets a generated
 * `_v_<kind>_<detail>` name (EMQX appends a timestamp to it; Sluice keeps it stable).
 */
function implicitTarget(expression: ExpressionNode): OutputTarget {
  switch (expression.kind) {
    case 'ReferenceNode': {
      const path: OutputSegment[] = [];
      for (const segment of expression.path) {
        if (segment.type === 'key' || segment.type === 'index') path.push(segment);
        else if (segment.type === 'index-ref') {
          const { line, column } = expression.position;
          throw new RuleCompileError(
            'a field indexed by a variable needs a name: add AS <name>',
            line,
            column,
          );
        }
      }
      return { root: expression.root, path };
    }
    case 'LiteralNode':
      return {
        root:
          typeof expression.value === 'string'
            ? expression.value
            : `_v_const_${isErlangNumber(expression.value) ? numberText(expression.value) : expression.value}`,
        path: [],
      };
    case 'FunctionCallNode':
      return { root: `_v_fun_${expression.name}`, path: [] };
    case 'BinaryOpNode':
    case 'ComparisonNode':
      return { root: `_v_op_${expression.op}`, path: [] };
    case 'ListNode':
      return { root: `_v_list_${expression.elements.length}`, path: [] };
    case 'RangeNode':
      return { root: `_v_range_${expression.begin}_${expression.end}`, path: [] };
    case 'CaseNode':
      return { root: '_v_case', path: [] };
    case 'UnaryOpNode':
    case 'LogicalNode':
    case 'NotNode':
    case 'InNode':
      return { root: `_v_${expression.kind.replace('Node', '').toLowerCase()}`, path: [] };
  }
}

/**
 * `*`: the message's columns as EMQX lists them (payload as published); in FOREACH, followed by the
 * FOREACH fields and the item.
 */
export function writeColumns(env: EvalEnv, item?: string): void {
  const { ctx, out } = env;
  for (const key of Object.keys(ctx)) {
    const value = ctx[key];
    if (value !== undefined)
      setOwn(out, key, key === 'payload' ? rawPayload(value as typeof ctx.payload) : value);
  }
  if (ctx.event === undefined) out.event = 'message.publish';
  if (env.selected) for (const key of Object.keys(env.selected)) setOwn(out, key, env.selected[key]);
  if (item !== undefined && env.item !== undefined) setOwn(out, item, env.item);
}
