import { RuleRuntimeError } from '../errors';

/**
 * Erlang's two number types in JavaScript values (docs/adr/0006-erlang-numbers.md):
 * - an integer is a `number` that is a safe integer, or a `bigint` outside the safe range (never inside);
 * - a float is a `number` that is not a safe integer (1.5, 1.0e300), or a `Float` box holding an
 *   integral value inside the safe range (`2.0`, `-0.0`), which a bare number would show as an integer.
 * Only integral floats are boxed, so the common values (small integers, fractional floats) stay plain
 * numbers and the number-against-number fast paths see them as such.
 */
export class Float {
  constructor(readonly value: number) {}

  /** why: a JSON.stringify that does not know the box (a log line) still prints the number. */
  toJSON(): number {
    return this.value;
  }

  toString(): string {
    return formatShortestFloat(this.value);
  }
}

/** Any Erlang number as Sluice holds it. */
export type ErlangNumber = number | bigint | Float;

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const MIN_SAFE = BigInt(Number.MIN_SAFE_INTEGER);

export function isErlangNumber(value: unknown): value is ErlangNumber {
  return typeof value === 'number' || typeof value === 'bigint' || value instanceof Float;
}

/** Erlang `is_integer`. */
export function isErlangInteger(value: unknown): value is number | bigint {
  return typeof value === 'bigint' || (typeof value === 'number' && Number.isSafeInteger(value));
}

/** Erlang `is_float`. */
export function isErlangFloat(value: unknown): value is number | Float {
  return value instanceof Float || (typeof value === 'number' && !Number.isSafeInteger(value));
}

/** A float result as a value: boxed when a bare number would read as an integer. */
export function float(value: number): number | Float {
  return Number.isSafeInteger(value) ? new Float(value) : value;
}

/** An integer result as a value: a number inside the safe range, a bigint outside it. */
export function integer(value: bigint): number | bigint {
  return value <= MAX_SAFE && value >= MIN_SAFE ? Number(value) : value;
}

/** The double an Erlang number converts to (`float/1`); huge bigints round. */
export function toDouble(value: ErlangNumber): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  return value.value;
}

/** An integer as a bigint (for exact arithmetic). */
export function toBigInt(value: number | bigint): bigint {
  return typeof value === 'bigint' ? value : BigInt(value);
}

/**
 * Floats as jiffy writes them in JSON (double-conversion's shortest form, ECMAScript's thresholds,
 * a trailing `.0` on integral decimals, `0.0` for -0.0): 3.0 -> "3.0", 0.1 -> "0.1", 1e21 -> "1e+21".
 */
export function formatShortestFloat(value: number): string {
  if (value === 0) return '0.0';
  const text = String(value);
  return /[.e]/.test(text) ? text : `${text}.0`;
}

/** Rule-value text of a number for error messages and JSON (integers in full). */
export function numberText(value: ErlangNumber): string {
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Float) return formatShortestFloat(value.value);
  return Number.isSafeInteger(value) ? String(value) : formatShortestFloat(value);
}

/**
 * A number from its source text, as Erlang reads it: a decimal point or an exponent makes a float,
 * anything else an integer, exact however long (JSON numbers, SQL literals, `int('...')`).
 */
export function numberFromText(text: string): ErlangNumber {
  if (/[.eE]/.test(text)) {
    const value = Number(text);
    if (!Number.isFinite(value)) throw new RuleRuntimeError(`number out of range: ${text.slice(0, 40)}`);
    return float(value);
  }
  const value = Number(text);
  return Number.isSafeInteger(value) ? value : integer(BigInt(text));
}

/** Erlang's badarith where a float result has no value (overflow, NaN). */
export function finiteFloat(value: number, op: string): number | Float {
  if (!Number.isFinite(value))
    throw new RuleRuntimeError(`'${op}': the result is not a finite number (badarith)`);
  return float(value);
}

/**
 * Compares two numbers as Erlang does (`==`, `<`): by value, an integer and a float being equal when
 * their values are (1 == 1.0); exact for bigints against floats. -1, 0 or 1.
 */
export function compareNumbers(a: ErlangNumber, b: ErlangNumber): number {
  if (typeof a === 'bigint' || typeof b === 'bigint') return compareWithBigInt(a, b);
  const x = toDouble(a);
  const y = toDouble(b);
  return x === y ? 0 : x < y ? -1 : 1;
}

function compareWithBigInt(a: ErlangNumber, b: ErlangNumber): number {
  const x = exactOrder(a);
  const y = exactOrder(b);
  if (typeof x === 'bigint' && typeof y === 'bigint') return x === y ? 0 : x < y ? -1 : 1;
  // one side is a fractional double: compare its floor, a tie means the double is larger
  const xs = typeof x === 'bigint' ? x : BigInt(Math.floor(x));
  const ys = typeof y === 'bigint' ? y : BigInt(Math.floor(y));
  if (xs !== ys) return xs < ys ? -1 : 1;
  return typeof x === 'bigint' ? -1 : 1;
}

// a bigint, or an integral double as a bigint, or a fractional double as it is
function exactOrder(value: ErlangNumber): bigint | number {
  if (typeof value === 'bigint') return value;
  const double = toDouble(value);
  return Number.isInteger(double) ? BigInt(double) : double;
}

/** Erlang `=:=` between numbers: the same type and value (1 =:= 1.0 is false, 0.0 =:= -0.0 is false). */
export function exactlyEqualNumbers(a: ErlangNumber, b: ErlangNumber): boolean {
  if (isErlangInteger(a)) return isErlangInteger(b) && a === b;
  if (!isErlangFloat(b)) return false;
  return Object.is(toDouble(a), toDouble(b));
}

/** Erlang's unary minus on a number (integers never become -0). */
export function negateNumber(value: ErlangNumber): ErlangNumber {
  if (typeof value === 'number') return Number.isSafeInteger(value) ? 0 - value : -value;
  if (typeof value === 'bigint') return integer(-value);
  return float(-value.value);
}

/** An integral double as an integer, exact beyond 2^53 (erlang:floor(1.0e20)); never -0. */
export function floorToInteger(value: number): number | bigint {
  const whole = Math.floor(value);
  if (!Number.isFinite(whole)) throw new RuleRuntimeError('number out of range (badarith)');
  return Number.isSafeInteger(whole) ? whole + 0 : BigInt(whole);
}
