import type { ArithmeticOperator } from '../ast/binary-op-node';
import { RuleRuntimeError } from '../errors';
import { builtinFunctions } from '../functions/registry';
import { typeName } from './values';

type Binary = (left: unknown, right: unknown) => unknown;

/**
 * EMQX's operators (emqx_rule_funcs '+', '-', ...): numbers only, except that `+` with a string on
 * either side concatenates (through the built-in `concat`, so conversions match that function).
 * `div` and `mod` need integers; a zero divisor fails the message.
 */
export function arithmetic(op: ArithmeticOperator): Binary {
  switch (op) {
    case '+':
      return plus;
    case '-':
      return numeric('-', (a, b) => a - b);
    case '*':
      return numeric('*', (a, b) => a * b);
    case '/':
      return numeric('/', (a, b) => {
        if (b === 0) throw new RuleRuntimeError('division by zero');
        return a / b;
      });
    case 'div':
      return integral('div', (a, b) => Math.trunc(a / b));
    case 'mod':
      return integral('mod', (a, b) => a % b);
  }
}

function plus(left: unknown, right: unknown): unknown {
  if (typeof left === 'number' && typeof right === 'number') return left + right;
  if (typeof left === 'string' || typeof right === 'string') return concat(left, right);
  throw operandError('+', left, right);
}

function concat(left: unknown, right: unknown): unknown {
  const builtin = builtinFunctions.get('concat');
  if (builtin) return builtin.call([left, right]);
  return toText(left) + toText(right);
}

function toText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value === undefined) return 'undefined';
  return JSON.stringify(value);
}

function numeric(op: string, apply: (a: number, b: number) => number): Binary {
  return (left, right) => {
    if (typeof left !== 'number' || typeof right !== 'number') throw operandError(op, left, right);
    return apply(left, right);
  };
}

function integral(op: string, apply: (a: number, b: number) => number): Binary {
  return (left, right) => {
    if (!Number.isInteger(left) || !Number.isInteger(right)) throw operandError(op, left, right, 'integers');
    if (right === 0) throw new RuleRuntimeError('division by zero');
    return apply(left as number, right as number);
  };
}

function operandError(op: string, left: unknown, right: unknown, needs = 'numbers'): RuleRuntimeError {
  return new RuleRuntimeError(`'${op}' needs ${needs}, got ${typeName(left)} and ${typeName(right)}`);
}

/** Unary minus: numbers only, as Erlang's -(X). */
export function negate(value: unknown): number {
  if (typeof value !== 'number')
    throw new RuleRuntimeError(`unary '-' needs a number, got ${typeName(value)}`);
  return -value;
}
