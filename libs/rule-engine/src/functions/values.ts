import { Buffer, isUtf8 } from 'node:buffer';
import { RuleRuntimeError } from '../errors';
import {
  exactlyEqualNumbers,
  Float,
  isErlangInteger,
  isErlangNumber,
  numberText,
  toDouble,
} from '../numbers/erlang-number';
import type { RuleFunction } from './registry';

/**
 * A bit sequence whose length is not a multiple of 8 (Erlang's bitstring), as `subbits(..., 'bits', ...)`
 * can return. Only the bit functions and `bin2hexstr` accept it.
 */
export class BitString {
  constructor(
    /** The bits, left-aligned: the last byte's low `8 - bitLength % 8` bits are zero. */
    readonly bytes: Uint8Array,
    readonly bitLength: number,
  ) {}
}

/** Builds one registry entry; `call` receives the arguments as the compiler evaluated them. */
export function defineFunction(
  name: string,
  minArgs: number,
  maxArgs: number,
  call: (args: unknown[]) => unknown,
): RuleFunction {
  return { name, minArgs, maxArgs, call };
}

/**
 * Longest text pad and sprintf may build. why: a rule like pad(x, 1000000000) would otherwise take a
 * gigabyte per message in a process shared by every tenant; EMQX has no such limit.
 */
export const MAX_GENERATED_LENGTH = 1_000_000;

export function fail(fn: string, message: string): never {
  throw new RuleRuntimeError(`${fn}: ${message}`);
}

/** A short, safe description of a value for error messages (never the whole payload). */
export function describe(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (value === null) return 'null';
  if (value instanceof Uint8Array) return `binary(${value.length} bytes)`;
  if (Array.isArray(value)) return 'array';
  if (value instanceof BitString) return `bitstring(${value.bitLength} bits)`;
  if (typeof value === 'string')
    return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value);
  if (typeof value === 'object') return 'map';
  if (isErlangNumber(value)) return numberText(value);
  if (typeof value === 'boolean') return String(value);
  return typeof value;
}

export function isMap(value: unknown): value is Record<string, unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    !(value instanceof Uint8Array) &&
    !(value instanceof BitString) &&
    !(value instanceof Float)
  );
}

/** EMQX `is_binary`: text and raw bytes are both binaries. */
export function isBinary(value: unknown): value is string | Uint8Array {
  return typeof value === 'string' || value instanceof Uint8Array;
}

/** Erlang `is_integer` for a value the caller needs as a JS number (an index, a length). */
export function isInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value);
}

export function requireString(fn: string, value: unknown, what = 'argument'): string {
  if (typeof value === 'string') return value;
  return fail(fn, `${what} must be a string, got ${describe(value)}`);
}

/** An integer as a JS number: a bigint beyond 2^53 becomes the nearest double (an index or a length). */
export function requireInteger(fn: string, value: unknown, what = 'argument'): number {
  if (isInteger(value)) return value;
  if (typeof value === 'bigint') return Number(value);
  return fail(fn, `${what} must be an integer, got ${describe(value)}`);
}

/** An integer, exactly. */
export function requireBigInt(fn: string, value: unknown, what = 'argument'): bigint {
  if (isErlangInteger(value)) return BigInt(value);
  return fail(fn, `${what} must be an integer, got ${describe(value)}`);
}

/** Any number, as a double (integers beyond 2^53 round). */
export function requireNumber(fn: string, value: unknown, what = 'argument'): number {
  if (isErlangNumber(value)) return toDouble(value);
  return fail(fn, `${what} must be a number, got ${describe(value)}`);
}

export function requireArray(fn: string, value: unknown, what = 'argument'): unknown[] {
  if (Array.isArray(value)) return value;
  return fail(fn, `${what} must be an array, got ${describe(value)}`);
}

/** The bytes of a binary: strings are their UTF-8 encoding, as EMQX binaries are. */
export function toBytes(fn: string, value: unknown): Buffer {
  if (typeof value === 'string') return Buffer.from(value, 'utf8');
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  return fail(fn, `expected a string or binary, got ${describe(value)}`);
}

/**
 * Bytes back to a rule value: valid UTF-8 becomes a string (so it compares equal to text from payloads),
 * anything else stays a Buffer (a Uint8Array). Both directions are lossless.
 */
export function fromBytes(bytes: Uint8Array): string | Buffer {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return isUtf8(buffer) ? buffer.toString('utf8') : buffer;
}

/** Deep structural equality, as Erlang's `=:=` (`lists:member`): 1 is not 1.0. */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (isErlangNumber(a)) return isErlangNumber(b) && exactlyEqualNumbers(a, b);
  if (a instanceof Uint8Array || b instanceof Uint8Array) {
    return isBinary(a) && isBinary(b) && Buffer.compare(toBytes('==', a), toBytes('==', b)) === 0;
  }
  if (Array.isArray(a)) {
    return Array.isArray(b) && a.length === b.length && a.every((item, i) => deepEqual(item, b[i]));
  }
  if (isMap(a) && isMap(b)) {
    const keys = Object.keys(a);
    return (
      keys.length === Object.keys(b).length &&
      keys.every((key) => Object.hasOwn(b, key) && deepEqual(a[key], b[key]))
    );
  }
  return false;
}

/**
 * An optional argument: the fallback only when the call left it out. An explicit undefined (a missing
 * field) is passed on, so it fails where EMQX fails rather than silently taking the default.
 */
export function optionalArg(args: unknown[], index: number, fallback: unknown): unknown {
  return index < args.length ? args[index] : fallback;
}
