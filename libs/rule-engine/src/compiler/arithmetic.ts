import type { ArithmeticOperator } from '../ast/binary-op-node';
import { RuleRuntimeError } from '../errors';
import { builtinFunctions } from '../functions/registry';
import {
  finiteFloat,
  integer,
  isErlangFloat,
  isErlangInteger,
  isErlangNumber,
  negateNumber,
  toBigInt,
  toDouble,
  type ErlangNumber,
} from '../numbers/erlang-number';
import { typeName } from './values';

type Binary = (left: unknown, right: unknown) => unknown;

/**
 * EMQX's operators (emqx_rule_funcs '+', '-', '*', '/', 'div', mod) on Erlang's numbers: integers stay
 * integers and exact however large, a float operand makes a float, `/` always gives a float. `+` with a
 * string on either side concatenates (through the built-in `concat`, so conversions match it). `div`
 * and `mod` need integers (a float fails, as EMQX's function clause does); a zero divisor fails.
 */
export function arithmetic(op: ArithmeticOperator): Binary {
  switch (op) {
    case '+':
      return plus;
    case '-':
      return minus;
    case '*':
      return times;
    case '/':
      return divide;
    case 'div':
      return integral('div', (a, b) => a / b);
    case 'mod':
      return integral('mod', (a, b) => a % b);
  }
}

// why module constants: an arrow function written in the call would be a new function per evaluation
const addIntegers = (a: bigint, b: bigint): bigint => a + b;
const addDoubles = (a: number, b: number): number => a + b;
const subtractIntegers = (a: bigint, b: bigint): bigint => a - b;
const subtractDoubles = (a: number, b: number): number => a - b;
const multiplyIntegers = (a: bigint, b: bigint): bigint => a * b;
const multiplyDoubles = (a: number, b: number): number => a * b;

// why the shape: two safe integers or two fractional floats are the common case and take one check
function plus(left: unknown, right: unknown): unknown {
  if (typeof left === 'number' && typeof right === 'number') {
    const sum = left + right;
    if (Number.isSafeInteger(left) && Number.isSafeInteger(right))
      return Number.isSafeInteger(sum) ? sum : integer(BigInt(left) + BigInt(right));
    return finiteFloat(sum, '+');
  }
  if (typeof left === 'string' || typeof right === 'string') return concat(left, right);
  if (isErlangNumber(left) && isErlangNumber(right))
    return general(left, right, '+', addIntegers, addDoubles);
  throw operandError('+', left, right);
}

function minus(left: unknown, right: unknown): unknown {
  if (typeof left === 'number' && typeof right === 'number') {
    const difference = left - right;
    if (Number.isSafeInteger(left) && Number.isSafeInteger(right))
      return Number.isSafeInteger(difference) ? difference : integer(BigInt(left) - BigInt(right));
    return finiteFloat(difference, '-');
  }
  if (isErlangNumber(left) && isErlangNumber(right))
    return general(left, right, '-', subtractIntegers, subtractDoubles);
  throw operandError('-', left, right);
}

function times(left: unknown, right: unknown): unknown {
  if (typeof left === 'number' && typeof right === 'number') {
    const product = left * right;
    if (Number.isSafeInteger(left) && Number.isSafeInteger(right))
      return Number.isSafeInteger(product) ? product + 0 : integer(BigInt(left) * BigInt(right));
    return finiteFloat(product, '*');
  }
  if (isErlangNumber(left) && isErlangNumber(right))
    return general(left, right, '*', multiplyIntegers, multiplyDoubles);
  throw operandError('*', left, right);
}

function divide(left: unknown, right: unknown): unknown {
  if (!isErlangNumber(left) || !isErlangNumber(right)) throw operandError('/', left, right);
  const divisor = toDouble(right);
  if (divisor === 0) throw new RuleRuntimeError('division by zero');
  return finiteFloat(toDouble(left) / divisor, '/');
}

/** Integers exactly (bigint), anything with a float as doubles giving a float. */
function general(
  left: ErlangNumber,
  right: ErlangNumber,
  op: string,
  onIntegers: (a: bigint, b: bigint) => bigint,
  onDoubles: (a: number, b: number) => number,
): unknown {
  if (isErlangInteger(left) && isErlangInteger(right))
    return integer(onIntegers(toBigInt(left), toBigInt(right)));
  return finiteFloat(onDoubles(toDouble(left), toDouble(right)), op);
}

function concat(left: unknown, right: unknown): unknown {
  return (builtinFunctions.get('concat') as NonNullable<ReturnType<typeof builtinFunctions.get>>).call([
    left,
    right,
  ]);
}

function integral(op: string, apply: (a: bigint, b: bigint) => bigint): Binary {
  return (left, right) => {
    if (!isErlangInteger(left) || !isErlangInteger(right)) throw operandError(op, left, right, 'integers');
    if (typeof left === 'number' && typeof right === 'number') {
      if (right === 0) throw new RuleRuntimeError('division by zero');
      // Erlang div truncates toward zero and rem takes the dividend's sign, as JS does; no -0
      return (op === 'div' ? Math.trunc(left / right) : left % right) + 0;
    }
    if (toBigInt(right) === 0n) throw new RuleRuntimeError('division by zero');
    return integer(apply(toBigInt(left), toBigInt(right)));
  };
}

function operandError(op: string, left: unknown, right: unknown, needs = 'numbers'): RuleRuntimeError {
  const kinds =
    needs === 'integers' ? `${kind(left)} and ${kind(right)}` : `${typeName(left)} and ${typeName(right)}`;
  return new RuleRuntimeError(`'${op}' needs ${needs}, got ${kinds}`);
}

function kind(value: unknown): string {
  return isErlangFloat(value) ? 'float' : typeName(value);
}

/** Unary minus: numbers only, as Erlang's -(X). */
export function negate(value: unknown): unknown {
  if (isErlangNumber(value)) return negateNumber(value);
  throw new RuleRuntimeError(`unary '-' needs a number, got ${typeName(value)}`);
}
