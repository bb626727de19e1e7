import type { CaseNode } from '../ast/case-node';
import type { ComparisonNode, ComparisonOperator } from '../ast/comparison-node';
import type { ExpressionNode } from '../ast/expression-node';
import type { FunctionCallNode } from '../ast/function-call-node';
import { RuleCompileError, RuleRuntimeError } from '../errors';
import { builtinFunctions, type RuleFunction } from '../functions/registry';
import { arithmetic, negate } from './arithmetic';
import { compare } from './compare';
import { compileReference } from './compile-reference';
import { contextFunctions, type ContextFunction } from './context-functions';
import type { Evaluator } from './eval-env';
import type { Scope } from './scope';
import { deepEqual, typeName } from './values';

/** Turns an expression into a closure over the evaluation state; all name lookups happen here, once. */
export function compileExpression(node: ExpressionNode, scope: Scope): Evaluator {
  switch (node.kind) {
    case 'LiteralNode': {
      const value = node.value;
      return () => value;
    }
    case 'ReferenceNode':
      return compileReference(node, scope);
    case 'RangeNode': {
      const { begin, end } = node;
      // lists:seq(B, E) is empty for E = B - 1 and fails below that; known now, so fail now
      if (end < begin - 1)
        throw new RuleCompileError(
          `empty range [${begin}..${end}]`,
          node.position.line,
          node.position.column,
        );
      const list = Array.from({ length: end - begin + 1 }, (_, i) => begin + i);
      return () => list.slice();
    }
    case 'ListNode': {
      const elements = node.elements.map((e) => compileExpression(e, scope));
      return (env) => elements.map((element) => element(env));
    }
    case 'UnaryOpNode': {
      const operand = compileExpression(node.operand, scope);
      return node.op === '-' ? (env) => negate(operand(env)) : operand;
    }
    case 'BinaryOpNode': {
      const [left, right, apply] = [
        compileExpression(node.left, scope),
        compileExpression(node.right, scope),
        arithmetic(node.op),
      ];
      return (env) => apply(left(env), right(env));
    }
    case 'ComparisonNode':
      return compileComparison(node, scope);
    case 'LogicalNode': {
      const [left, right] = [compileExpression(node.left, scope), compileExpression(node.right, scope)];
      // Erlang andalso/orelse: the left side must be a boolean, the right side is returned as it is
      return node.op === 'and'
        ? (env) => (requireBoolean(left(env), 'AND') ? right(env) : false)
        : (env) => (requireBoolean(left(env), 'OR') ? true : right(env));
    }
    case 'NotNode': {
      const operand = compileExpression(node.operand, scope);
      return (env) => operand(env) === false;
    }
    case 'InNode': {
      const operand = compileExpression(node.operand, scope);
      const list = node.list.map((e) => compileExpression(e, scope));
      const negated = node.negated;
      return (env) => {
        const value = operand(env);
        const found = list.some((item) => deepEqual(value, item(env)));
        return negated ? !found : found;
      };
    }
    case 'FunctionCallNode':
      return compileCall(node, scope);
    case 'CaseNode':
      return compileCase(node, scope);
  }
}

/** Numbers against numbers take a direct path; everything else goes through EMQX's rules. */
function compileComparison(node: ComparisonNode, scope: Scope): Evaluator {
  const [left, right, op] = [
    compileExpression(node.left, scope),
    compileExpression(node.right, scope),
    node.op,
  ];
  const direct = numberComparisons[op];
  if (!direct) return (env) => compare(op, left(env), right(env));
  return (env) => {
    const l = left(env);
    const r = right(env);
    return typeof l === 'number' && typeof r === 'number' ? direct(l, r) : compare(op, l, r);
  };
}

const numberComparisons: Partial<Record<ComparisonOperator, (a: number, b: number) => boolean>> = {
  '=': (a, b) => a === b,
  '!=': (a, b) => a !== b,
  '<>': (a, b) => a !== b,
  '>': (a, b) => a > b,
  '<': (a, b) => a < b,
  '>=': (a, b) => a >= b,
  '<=': (a, b) => a <= b,
};

/** EMQX also lets the word operators be called as functions: `div(7, 2)`, `mod(3, 2)`. */
const operatorFunctions: ReadonlyMap<string, RuleFunction> = new Map(
  (['div', 'mod'] as const).map((op) => {
    const apply = arithmetic(op);
    return [op, { name: op, minArgs: 2, maxArgs: 2, call: ([a, b]: unknown[]) => apply(a, b) }];
  }),
);

/** AND / OR operands: anything but a boolean fails the message. */
export function requireBoolean(value: unknown, op: string): boolean {
  if (typeof value !== 'boolean')
    throw new RuleRuntimeError(`${op} needs true or false, got ${typeName(value)}`);
  return value;
}

/**
 * The function a call names, checked once: unknown names and wrong argument counts are compile
 * errors with the call's position. A message function (`topic()`, `clientid()`) is `contextual`.
 */
export function resolveFunction(
  node: FunctionCallNode,
):
  | { readonly contextual: ContextFunction; readonly builtin?: undefined }
  | { readonly contextual?: undefined; readonly builtin: RuleFunction } {
  // rulesql's Module.function call: emqx_rule_funcs is the module of the built-in functions
  const name = node.name.toLowerCase().replace(/^emqx_rule_funcs\./, '');
  const args = node.args;
  const { line, column } = node.position;
  const contextual = contextFunctions.get(name);
  const builtin = contextual ? undefined : (builtinFunctions.get(name) ?? operatorFunctions.get(name));
  const fn = contextual ?? builtin;
  if (!fn) {
    const detail = node.name.includes('.') ? ' (Sluice has no plugin function modules)' : '';
    throw new RuleCompileError(`unknown function '${node.name}'${detail}`, line, column);
  }
  if (args.length < fn.minArgs || args.length > fn.maxArgs) {
    const arity =
      fn.minArgs === fn.maxArgs
        ? `${fn.minArgs}`
        : fn.maxArgs === Infinity
          ? `at least ${fn.minArgs}`
          : `${fn.minArgs} to ${fn.maxArgs}`;
    throw new RuleCompileError(
      `function '${node.name}' takes ${arity} argument(s), got ${args.length}`,
      line,
      column,
    );
  }
  return contextual ? { contextual } : { builtin: builtin as RuleFunction };
}

function compileCall(node: FunctionCallNode, scope: Scope): Evaluator {
  const { contextual, builtin } = resolveFunction(node);
  const args = node.args.map((a) => compileExpression(a, scope));
  if (contextual)
    return (env) =>
      contextual.call(
        env,
        args.map((arg) => arg(env)),
      );
  const call = builtin.call.bind(builtin);
  switch (args.length) {
    case 0:
      return () => call([]);
    case 1: {
      const [a] = args as [Evaluator];
      return (env) => call([a(env)]);
    }
    case 2: {
      const [a, b] = args as [Evaluator, Evaluator];
      return (env) => call([a(env), b(env)]);
    }
    default:
      return (env) => call(args.map((arg) => arg(env)));
  }
}

function compileCase(node: CaseNode, scope: Scope): Evaluator {
  const whens = node.whens.map((w) => ({
    condition: compileExpression(w.condition, scope),
    result: compileExpression(w.result, scope),
  }));
  const otherwise = node.otherwise ? compileExpression(node.otherwise, scope) : () => undefined;
  if (!node.subject) {
    return (env) => {
      for (const when of whens) if (when.condition(env) === true) return when.result(env);
      return otherwise(env);
    };
  }
  const subject = compileExpression(node.subject, scope);
  return (env) => {
    const value = subject(env);
    for (const when of whens) if (deepEqual(value, when.condition(env))) return when.result(env);
    return otherwise(env);
  };
}
