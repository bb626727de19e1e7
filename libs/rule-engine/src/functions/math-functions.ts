import type { RuleFunction } from './registry';
import { defineFunction, fail, requireNumber } from './values';

/** Erlang's math module raises badarith where C returns NaN or an infinity; EMQX fails the message. */
function finite(fn: string, result: number): number {
  if (!Number.isFinite(result)) fail(fn, 'result is not a finite number (badarith)');
  return result;
}

function unary(name: string, op: (x: number) => number): RuleFunction {
  return defineFunction(name, 1, 1, ([x]) => finite(name, op(requireNumber(name, x))));
}

function binary(name: string, op: (x: number, y: number) => number): RuleFunction {
  return defineFunction(name, 2, 2, ([x, y]) =>
    finite(name, op(requireNumber(name, x, 'first argument'), requireNumber(name, y, 'second argument'))),
  );
}

/** `erlang:round/1` rounds halves away from zero; `Math.round` rounds them up (-2.5 -> -2). */
function roundHalfAwayFromZero(x: number): number {
  const rounded = Math.sign(x) * Math.round(Math.abs(x));
  return rounded === 0 ? 0 : rounded; // no -0: Erlang integers have no sign of zero
}

function noNegativeZero(x: number): number {
  return x === 0 ? 0 : x;
}

export const mathFunctions: RuleFunction[] = [
  unary('abs', Math.abs),
  unary('acos', Math.acos),
  unary('acosh', Math.acosh),
  unary('asin', Math.asin),
  unary('asinh', Math.asinh),
  unary('atan', Math.atan),
  unary('atanh', Math.atanh),
  unary('ceil', (x) => noNegativeZero(Math.ceil(x))),
  unary('cos', Math.cos),
  unary('cosh', Math.cosh),
  unary('exp', Math.exp),
  unary('floor', (x) => noNegativeZero(Math.floor(x))),
  binary('fmod', (x, y) => x % y),
  unary('log', Math.log),
  unary('log10', Math.log10),
  unary('log2', Math.log2),
  binary('power', Math.pow),
  defineFunction('random', 0, 0, () => Math.random()),
  unary('round', roundHalfAwayFromZero),
  unary('sin', Math.sin),
  unary('sinh', Math.sinh),
  unary('sqrt', Math.sqrt),
  unary('tan', Math.tan),
  unary('tanh', Math.tanh),
];
