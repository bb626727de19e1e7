import {
  float,
  floorToInteger,
  integer,
  isErlangInteger,
  isErlangNumber,
  toBigInt,
  toDouble,
  type Float,
} from '../numbers/erlang-number';
import type { RuleFunction } from './registry';
import { defineFunction, describe, fail, requireNumber } from './values';

/**
 * Erlang's math module raises badarith where C returns NaN or an infinity; EMQX fails the message.
 * Its results are floats (math:sqrt(4) is 2.0, math:pow(2, 3) is 8.0).
 */
function finite(fn: string, result: number): number | Float {
  if (!Number.isFinite(result)) fail(fn, 'result is not a finite number (badarith)');
  return float(result);
}

function unary(name: string, op: (x: number) => number): RuleFunction {
  return defineFunction(name, 1, 1, ([x]) => finite(name, op(requireNumber(name, x))));
}

function binary(name: string, op: (x: number, y: number) => number): RuleFunction {
  return defineFunction(name, 2, 2, ([x, y]) =>
    finite(name, op(requireNumber(name, x, 'first argument'), requireNumber(name, y, 'second argument'))),
  );
}

/**
 * erlang:ceil/floor/round: an integer stays as it is; a float becomes an integer, exact even beyond
 * 2^53 (floor(1.0e20) is 100000000000000000000).
 */
function toInteger(name: string, op: (x: number) => number): RuleFunction {
  const fn = defineFunction(name, 1, 1, ([x]) => {
    if (isErlangInteger(x)) return x;
    if (!isErlangNumber(x)) return fail(name, `argument must be a number, got ${describe(x)}`);
    return floorToInteger(op(toDouble(x)));
  });
  integerRoundings.set(fn, op);
  return fn;
}

/**
 * ceil, floor and round by function, with the double operation each applies: on a double whose result
 * is a safe integer, the function gives that integer (the rule compiler inlines this case).
 */
export const integerRoundings = new Map<RuleFunction, (x: number) => number>();

/** `erlang:round/1` rounds halves away from zero; `Math.round` rounds them up (-2.5 -> -2). */
function roundHalfAwayFromZero(x: number): number {
  return Math.sign(x) * Math.round(Math.abs(x));
}

/** erlang:abs keeps the type: an integer (exact) or a float. */
function abs([x]: unknown[]): unknown {
  if (isErlangInteger(x)) return integer(toBigInt(x) < 0n ? -toBigInt(x) : toBigInt(x));
  return float(Math.abs(requireNumber('abs', x)));
}

export const mathFunctions: RuleFunction[] = [
  defineFunction('abs', 1, 1, abs),
  unary('acos', Math.acos),
  unary('acosh', Math.acosh),
  unary('asin', Math.asin),
  unary('asinh', Math.asinh),
  unary('atan', Math.atan),
  unary('atanh', Math.atanh),
  toInteger('ceil', Math.ceil),
  unary('cos', Math.cos),
  unary('cosh', Math.cosh),
  unary('exp', Math.exp),
  toInteger('floor', Math.floor),
  binary('fmod', (x, y) => x % y),
  unary('log', Math.log),
  unary('log10', Math.log10),
  unary('log2', Math.log2),
  binary('power', Math.pow),
  defineFunction('random', 0, 0, () => float(Math.random())),
  toInteger('round', roundHalfAwayFromZero),
  unary('sin', Math.sin),
  unary('sinh', Math.sinh),
  unary('sqrt', Math.sqrt),
  unary('tan', Math.tan),
  unary('tanh', Math.tanh),
];
