import type { ArithmeticOperator } from '../ast/binary-op-node';
import type { ComparisonOperator } from '../ast/comparison-node';
import type { ExpressionNode } from '../ast/expression-node';
import type { ReferenceNode } from '../ast/reference-node';
import type { FieldNode, SelectFieldNode } from '../ast/select-field-node';
import type { RuleClause } from '../errors';
import { integerRoundings } from '../functions/math-functions';
import { stringCaseFunctions } from '../functions/string-functions';
import { Float } from '../numbers/erlang-number';
import type { RuleContext, RuleResult } from '../types';
import { arithmetic } from './arithmetic';
import { compare } from './compare';
import { compileExpression, requireBoolean, resolveFunction } from './compile-expression';
import { fieldTarget, namesAlias, outputShape, type CompiledFields } from './compile-fields';
import { EvalEnv, NO_OUTPUT, rawPayload, type Evaluator } from './eval-env';
import { putOutput, type OutputTarget } from './output-path';
import { isSafeKey, stepIndex, stepKey, stepSafeKey } from './path-steps';
import { asRuntimeError, conditionError, NO_MATCH, payloadList } from './rule-runtime';
import type { Scope } from './scope';
import { getOwn } from './values';

/**
 * JavaScript source generated from a rule (docs/adr/0007-rule-engine-generated-code.md), with one
 * safety property: nothing from the rule text is ever written into the source. Every name, key,
 * literal, function and message string goes into the constants array `k` and is referenced as
 * `k[<index>]`; the source is built only from the fixed fragments in this file, constant indexes and
 * temporary names (`t<n>`). So the source of a rule depends on the shape of its syntax tree only, and
 * no rule text can change what the code does (generate.spec.ts checks this on random rules).
 * Expressions this file does not emit (CASE, IN, lists, ranges, variable indexes, unary minus) are
 * compiled to closures and called from the generated code as constants.
 */

/** The helpers generated code may call, by the fixed names below. */
const helpers = Object.freeze({
  EvalEnv,
  Float,
  NO_MATCH,
  NO_OUTPUT,
  asRuntimeError,
  compare,
  conditionError,
  getOwn,
  payloadList,
  putOutput,
  rawPayload,
  requireBoolean,
  stepIndex,
});

export type Helpers = typeof helpers;

/** The JavaScript operator of a number-against-number comparison (the closures' fast path). */
const NUMBER_OPERATORS: Partial<Record<ComparisonOperator, string>> = {
  '=': '===',
  '!=': '!==',
  '<>': '!==',
  '>': '>',
  '<': '<',
  '>=': '>=',
  '<=': '<=',
};

/** + - * on two plain numbers, inlined (arithmetic.ts gives the same results; `+ 0` as its `*` does). */
const DIRECT_ARITHMETIC: Partial<Record<ArithmeticOperator, string>> = { '+': '+', '-': '-', '*': '*' };

/**
 * The same string as V8's internalized copy, the one property names are stored as. why: the parser's
 * names are slices of the SQL text; as a key (`o[k[3]] = ...`, `t[k[4]]`) a string that is not
 * internalized is looked up in V8's string table on every access, which made the FOREACH shape's
 * first field write half of its evaluation time.
 */
export function internalized(text: string): string {
  return Object.keys({ [text]: true })[0] ?? text;
}

/** Builds one function's source: the constants it references and the temporaries it declares. */
export class Emitter {
  readonly constants: unknown[] = [];
  private temps = 0;
  private readonly clauses = new Map<RuleClause, string>();

  /** `k[i]` for a value; the only way a value from the rule reaches the code. */
  constant(value: unknown): string {
    this.constants.push(typeof value === 'string' ? internalized(value) : value);
    return `k[${this.constants.length - 1}]`;
  }

  clause(name: RuleClause): string {
    let ref = this.clauses.get(name);
    if (!ref) this.clauses.set(name, (ref = this.constant(name)));
    return ref;
  }

  temp(): string {
    return `t${this.temps++}`;
  }

  declarations(): string {
    return this.temps === 0 ? '' : `let ${Array.from({ length: this.temps }, (_, i) => `t${i}`).join(', ')};`;
  }
}

/** An expression's source; anything without its own emitter becomes a call of its closure. */
export function emitExpression(node: ExpressionNode, scope: Scope, e: Emitter): string {
  switch (node.kind) {
    case 'LiteralNode':
      return e.constant(node.value);
    case 'ReferenceNode':
      return emitReference(node, scope, e) ?? fallback(node, scope, e);
    case 'BinaryOpNode': {
      const [left, right] = [emitExpression(node.left, scope, e), emitExpression(node.right, scope, e)];
      const apply = e.constant(arithmetic(node.op));
      const direct = DIRECT_ARITHMETIC[node.op];
      if (!direct) return `${apply}(${left}, ${right})`;
      // the result the helper gives without boxing or bigints: two safe integers with a safe integer
      // result (an integer), or a finite fractional result (a float); anything else goes to the helper
      const [a, b, r] = [e.temp(), e.temp(), e.temp()];
      return (
        `(${a} = ${left}, ${b} = ${right}, typeof ${a} === 'number' && typeof ${b} === 'number' && ` +
        `(${r} = ${a} ${direct} ${b}, Number.isSafeInteger(${r}) ? Number.isSafeInteger(${a}) && Number.isSafeInteger(${b}) : !Number.isInteger(${r}) && ${r} - ${r} === 0) ` +
        `? ${r} + 0 : ${apply}(${a}, ${b}))`
      );
    }
    case 'ComparisonNode': {
      const [left, right] = [emitExpression(node.left, scope, e), emitExpression(node.right, scope, e)];
      const [a, b, op] = [e.temp(), e.temp(), e.constant(node.op)];
      const direct = NUMBER_OPERATORS[node.op];
      const general = `h.compare(${op}, ${a}, ${b})`;
      return direct
        ? `(${a} = ${left}, ${b} = ${right}, typeof ${a} === 'number' && typeof ${b} === 'number' ? ${a} ${direct} ${b} : ${general})`
        : `(${a} = ${left}, ${b} = ${right}, ${general})`;
    }
    case 'LogicalNode': {
      // Erlang andalso/orelse: the left side must be a boolean, the right side is returned as it is
      const [left, right] = [emitExpression(node.left, scope, e), emitExpression(node.right, scope, e)];
      return node.op === 'and'
        ? `(h.requireBoolean(${left}, ${e.constant('AND')}) ? ${right} : false)`
        : `(h.requireBoolean(${left}, ${e.constant('OR')}) ? true : ${right})`;
    }
    case 'NotNode':
      return `(${emitExpression(node.operand, scope, e)} === false)`;
    case 'FunctionCallNode': {
      const { contextual, builtin } = resolveFunction(node);
      const args = node.args.map((arg) => emitExpression(arg, scope, e)).join(', ');
      if (contextual) return `${e.constant(contextual)}.call(env, [${args}])`;
      const rounding = integerRoundings.get(builtin);
      if (rounding && node.args.length === 1) {
        // ceil/floor/round of a plain number or a boxed integral float, when the result is a safe
        // integer: the integer math-functions.ts gives (its toInteger); anything else calls it
        const [x, r] = [e.temp(), e.temp()];
        const op = e.constant(rounding);
        return (
          `(${x} = ${args}, (typeof ${x} === 'number' ? Number.isSafeInteger(${r} = ${op}(${x})) : ` +
          `${x} instanceof h.Float && Number.isSafeInteger(${r} = ${op}(${x}.value))) ? ${r} + 0 : ${e.constant(builtin)}.call([${x}]))`
        );
      }
      const textCase = stringCaseFunctions.get(builtin);
      if (textCase && node.args.length === 1) {
        // lower/upper of a string: string-functions.ts's result without its argument checks
        const x = e.temp();
        return `(${x} = ${args}, typeof ${x} === 'string' ? ${e.constant(textCase)}(${x}) : ${e.constant(builtin)}.call([${x}]))`;
      }
      return `${e.constant(builtin)}.call([${args}])`;
    }
    case 'CaseNode':
    case 'InNode':
    case 'ListNode':
    case 'RangeNode':
    case 'UnaryOpNode':
      return fallback(node, scope, e);
  }
}

function fallback(node: ExpressionNode, scope: Scope, e: Emitter): string {
  const closure: Evaluator = compileExpression(node, scope);
  return `${e.constant(closure)}(env)`;
}

/** Longer paths are walked by their closure: each inlined step nests the source one level deeper. */
const MAX_INLINE_PATH = 16;

/**
 * A column or a path of keys and number indexes, resolved as compileReference does (aliases, then
 * the FOREACH item, then the FOREACH fields, then the columns); other paths are left to the closure.
 * A name or key that could reach Object.prototype (isSafeKey) is read through getOwn / stepKey: which
 * of the two reads runs is a constant (`k[i] ? direct : helper`), so that the source stays the same
 * whatever the name is.
 */
function emitReference(node: ReferenceNode, scope: Scope, e: Emitter): string | undefined {
  if (node.path.length > MAX_INLINE_PATH) return undefined;
  if (node.path.some((step) => step.type !== 'key' && step.type !== 'index')) return undefined;
  const root = node.root;
  let base: string;
  if (root === 'payload') base = node.path.length > 0 ? 'env.decodedPayload()' : 'h.rawPayload(ctx.payload)';
  else if (root === 'event') base = `(ctx.event ?? ${e.constant('message.publish')})`;
  else {
    const name = e.constant(root);
    base = `(${e.constant(isSafeKey(root))} ? ctx[${name}] : h.getOwn(ctx, ${name}))`;
  }
  if (scope.selected?.has(root)) base = preferring('env.selected', e.constant(root), base, e);
  if (scope.item === root) base = 'env.item';
  if (scope.aliases.has(root)) base = preferring('env.out', e.constant(root), base, e);
  let value = base;
  for (const step of node.path) {
    if (step.type === 'index') {
      value = `h.stepIndex(${value}, ${e.constant(step.index)})`;
    } else if (step.type === 'key') {
      // path-steps.ts stepSafeKey, with the property read here so that each rule's read has its own
      // inline cache (in the shared helper it sees every rule's keys and objects)
      const safe = isSafeKey(step.key);
      const [t, key, direct, helper] = [
        e.temp(),
        e.constant(step.key),
        e.constant(safe),
        e.constant(safe ? stepSafeKey : stepKey),
      ];
      value = `(${t} = ${value}, ${direct} && typeof ${t} === 'object' && ${t} !== null ? (Array.isArray(${t}) ? undefined : ${t}[${key}]) : ${helper}(${t}, ${key}))`;
    }
  }
  return value;
}

function preferring(source: string, name: string, otherwise: string, e: Emitter): string {
  const [map, value] = [e.temp(), e.temp()];
  return `(${map} = ${source}, (${value} = ${map} === undefined ? undefined : h.getOwn(${map}, ${name})) !== undefined ? ${value} : ${otherwise})`;
}

/** A WHERE / INCASE condition as a statement that leaves the clause when the condition is false. */
function emitCondition(node: ExpressionNode, scope: Scope, e: Emitter, onFalse: string): string {
  const t = e.temp();
  return `${t} = ${emitExpression(node, scope, e)}; if (${t} !== true) { if (${t} === false) ${onFalse} throw h.conditionError(${t}); }`;
}

/**
 * Statements that set `env.out` to the fields' output: one store per field into a new object when
 * every field writes one distinct top-level name, else the fields' closure.
 */
function emitFields(
  fields: readonly FieldNode[],
  compiled: CompiledFields,
  each: { readonly item: string; readonly selected: ReadonlySet<string> } | undefined,
  e: Emitter,
  fresh: boolean,
): string {
  const selectFields = fields.filter((f): f is SelectFieldNode => f.kind === 'SelectFieldNode');
  const targets = selectFields.map(fieldTarget);
  if (!outputShape(fields, targets))
    return `${fresh ? 'env.out = {};\n' : ''}${e.constant(compiled.run)}(env);`;
  const aliases = new Set<string>();
  // why not a copy of the shape as the closures do: each rule's stores have their own inline caches
  // here, so building from {} takes the same cached transitions every time, and is cheaper than a copy
  const lines = ['const o = {};', 'env.out = o;'];
  selectFields.forEach((field, i) => {
    const target = targets[i] as OutputTarget;
    lines.push(
      `o[${e.constant(target.root)}] = ${emitExpression(field.expression, { ...each, aliases }, e)};`,
    );
    if (namesAlias(field)) aliases.add(target.root);
  });
  return lines.join('\n');
}

function hasShape(fields: readonly FieldNode[]): boolean {
  const selectFields = fields.filter((f): f is SelectFieldNode => f.kind === 'SelectFieldNode');
  return outputShape(fields, selectFields.map(fieldTarget)) !== undefined;
}

type Evaluate = (ctx: RuleContext) => RuleResult;

/** Whether this process may compile generated code (`node --disallow-code-generation-from-strings` forbids it). */
export const canGenerate: boolean = (() => {
  try {
    // eslint-disable-next-line @typescript-eslint/no-implied-eval -- the probe of the one generated-code path
    return (new Function('return 1') as () => number)() === 1;
  } catch {
    return false;
  }
})();

/**
 * The evaluate function of the source, or undefined when V8 cannot compile source nested that deep
 * (an expression of close to MAX_EXPRESSION_HEIGHT levels overflows its parser's stack); the rule
 * then runs as closures.
 */
function build(source: string, e: Emitter): Evaluate | undefined {
  let factory: (k: readonly unknown[], h: Helpers) => Evaluate;
  try {
    // why new Function: see the file comment; the source holds no rule text, only indexes into k
    // eslint-disable-next-line @typescript-eslint/no-implied-eval -- the one generated-code path (ADR 0007)
    factory = new Function(
      'k',
      'h',
      `'use strict';\nreturn function evaluate(ctx) {\n${source}\n};`,
    ) as typeof factory;
  } catch (error) {
    if (error instanceof RangeError) return undefined;
    throw error;
  }
  return factory(Object.freeze(e.constants.slice()), helpers);
}

/** The parts of a SELECT rule, as compile-rule.ts plans them. */
export interface SelectPlan {
  readonly fieldNodes: readonly FieldNode[];
  readonly fields: CompiledFields;
  readonly where: ExpressionNode | undefined;
  readonly whereFirst: boolean;
}

/** The source of a SELECT rule's evaluate function (exported for the structure tests). */
export function selectSource(plan: SelectPlan, e: Emitter): string {
  const where = plan.where;
  const condition = (): string =>
    where
      ? `clause = ${e.clause('WHERE')};\n${emitCondition(where, { aliases: plan.fields.aliasRoots }, e, 'return h.NO_MATCH;')}\n`
      : '';
  const fields = `clause = ${e.clause('SELECT')};\n${emitFields(plan.fieldNodes, plan.fields, undefined, e, false)}\n`;
  const body = plan.whereFirst ? condition() + fields : fields + condition();
  // fields that replace env.out before anything reads it need no output allocated up front
  const out = hasShape(plan.fieldNodes) ? ', h.NO_OUTPUT' : '';
  return (
    `const env = new h.EvalEnv(ctx${out});\nlet clause = ${e.clause('SELECT')};\n` +
    `try {\n${body}return { matched: true, outputs: [env.out] };\n` +
    `} catch (error) {\nreturn { error: h.asRuntimeError(error, clause) };\n}`
  );
}

export function generateSelect(plan: SelectPlan): Evaluate | undefined {
  const e = new Emitter();
  const body = selectSource(plan, e);
  return build(`${e.declarations()}\n${body}`, e);
}

/** The parts of a FOREACH rule, as compile-rule.ts plans them. */
export interface ForeachPlan {
  readonly head: CompiledFields;
  readonly collection: { readonly value: Evaluator; readonly target: OutputTarget };
  readonly iteratesPayload: boolean;
  readonly where: ExpressionNode | undefined;
  readonly whereAliases: ReadonlySet<string>;
  readonly incase: ExpressionNode | undefined;
  readonly doNodes: readonly FieldNode[];
  readonly doFields: CompiledFields;
  readonly writeItem: (env: EvalEnv) => void;
  readonly each: { readonly item: string; readonly selected: ReadonlySet<string> };
}

/** The source of a FOREACH rule's evaluate function (exported for the structure tests). */
export function foreachSource(plan: ForeachPlan, e: Emitter): string {
  const { where, incase, each } = plan;
  const list = plan.iteratesPayload ? 'h.payloadList(env)' : 'value';
  const doFields = plan.doFields.empty
    ? `env.out = {};\n${e.constant(plan.writeItem)}(env);`
    : emitFields(plan.doNodes, plan.doFields, each, e, true);
  return (
    `const env = new h.EvalEnv(ctx);\nlet clause = ${e.clause('FOREACH')};\ntry {\n` +
    `${e.constant(plan.head.run)}(env);\n` +
    `const value = ${e.constant(plan.collection.value)}(env);\n` +
    `h.putOutput(env.out, ${e.constant(plan.collection.target)}, value);\n` +
    `const list = ${list};\nenv.selected = env.out;\n` +
    `clause = ${e.clause('WHERE')};\n` +
    (where ? `${emitCondition(where, { aliases: plan.whereAliases }, e, 'return h.NO_MATCH;')}\n` : '') +
    `const outputs = [];\n` +
    // EMQX iterates lists only; anything else yields no items
    `if (Array.isArray(list)) {\nfor (let i = 0; i < list.length; i++) {\nenv.item = list[i];\n` +
    (incase
      ? `clause = ${e.clause('INCASE')};\n${emitCondition(incase, { ...each, aliases: new Set() }, e, 'continue;')}\n`
      : '') +
    `clause = ${e.clause('DO')};\n{\n${doFields}\n}\noutputs.push(env.out);\n}\n}\n` +
    `return { matched: true, outputs };\n` +
    `} catch (error) {\nreturn { error: h.asRuntimeError(error, clause) };\n}`
  );
}

export function generateForeach(plan: ForeachPlan): Evaluate | undefined {
  const e = new Emitter();
  const body = foreachSource(plan, e);
  return build(`${e.declarations()}\n${body}`, e);
}
