import { float, integer, type Float } from '../numbers/erlang-number';
import type { RuleFunction } from './registry';
import {
  BitString,
  defineFunction,
  describe,
  fail,
  fromBytes,
  isInteger,
  optionalArg,
  requireBigInt,
  requireInteger,
  toBytes,
} from './values';

/** Integers stay exact, as Erlang's do; beyond 2^53 they are bigints. */
function toResult(_fn: string, value: bigint): number | bigint {
  return integer(value);
}

function bigArg(fn: string, value: unknown, what: string): bigint {
  return requireBigInt(fn, value, what);
}

function bitwise(name: string, op: (x: bigint, y: bigint) => bigint): RuleFunction {
  return defineFunction(name, 2, 2, ([x, y]) =>
    toResult(name, op(bigArg(name, x, 'first argument'), bigArg(name, y, 'second argument'))),
  );
}

/** Erlang `bsl`: a negative count shifts right; the count is capped so a typo cannot exhaust memory. */
function shiftLeft(fn: string, x: bigint, count: bigint): bigint {
  if (x !== 0n && count > 1100n) fail(fn, 'result is too large');
  if (count < -1100n) return x < 0n ? -1n : 0n;
  return x << count;
}

/** A binary or bitstring as bytes plus a bit length. */
function bitsOf(fn: string, value: unknown): { bytes: Uint8Array; bitLength: number } {
  if (value instanceof BitString) return value;
  if (typeof value === 'string' || value instanceof Uint8Array) {
    const bytes = toBytes(fn, value);
    return { bytes, bitLength: bytes.length * 8 };
  }
  return fail(fn, `expected a binary, got ${describe(value)}`);
}

function readBits(bytes: Uint8Array, offset: number, length: number): bigint {
  let value = 0n;
  for (let i = offset; i < offset + length; i++) {
    const bit = ((bytes[i >> 3] ?? 0) >> (7 - (i & 7))) & 1;
    value = (value << 1n) | BigInt(bit);
  }
  return value;
}

/** Erlang little-endian segments: whole bytes least significant first, a partial last piece on top. */
function littleEndian(value: bigint, length: number): bigint {
  const fullBytes = Math.floor(length / 8);
  const rest = length % 8;
  let result = 0n;
  for (let i = 0; i < fullBytes; i++) {
    const byte = (value >> BigInt(length - 8 * (i + 1))) & 0xffn;
    result |= byte << BigInt(8 * i);
  }
  if (rest > 0) result |= (value & ((1n << BigInt(rest)) - 1n)) << BigInt(8 * fullBytes);
  return result;
}

function toFloat(fn: string, value: bigint, length: number): number | Float {
  const view = new DataView(new ArrayBuffer(8));
  if (length === 64) {
    view.setBigUint64(0, value);
    return finiteFloat(fn, view.getFloat64(0));
  }
  if (length === 32) {
    view.setUint32(0, Number(value));
    return finiteFloat(fn, view.getFloat32(0));
  }
  if (length === 16) return finiteFloat(fn, halfToNumber(Number(value)));
  return fail(fn, `a float must be 16, 32 or 64 bits, not ${length}`);
}

function finiteFloat(fn: string, value: number): number | Float {
  // why: Erlang refuses to match NaN or infinity bit patterns as floats
  if (!Number.isFinite(value)) fail(fn, 'the bits are not a finite float');
  return float(value);
}

function halfToNumber(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 0x1f) return fraction ? NaN : sign * Infinity;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

function bitsValue(bytes: Uint8Array, offset: number, length: number): string | Uint8Array | BitString {
  const out = new Uint8Array(Math.ceil(length / 8));
  for (let i = 0; i < length; i++) {
    const bit = ((bytes[(offset + i) >> 3] ?? 0) >> (7 - ((offset + i) & 7))) & 1;
    if (bit) out[i >> 3] = (out[i >> 3] ?? 0) | (1 << (7 - (i & 7)));
  }
  return length % 8 === 0 ? fromBytes(out) : new BitString(out, length);
}

function subbits(args: unknown[]): unknown {
  const fn = 'subbits';
  const [input, a, b] = args;
  const type = optionalArg(args, 3, 'integer');
  const signedness = optionalArg(args, 4, 'unsigned');
  const endianness = optionalArg(args, 5, 'big');
  const { bytes, bitLength } = bitsOf(fn, input);
  const [start, wanted] = args.length === 2 ? [1, a] : [a, b];
  requireInteger(fn, start, 'start');
  requireInteger(fn, wanted, 'length');
  const begin = (start as number) - 1;
  // why: EMQX returns undefined when the start lies outside the bits (or before bit 1)
  if (begin < 0 || begin >= bitLength) return undefined;
  const available = bitLength - begin;
  const length = (wanted as number) >= 0 && (wanted as number) <= available ? (wanted as number) : available;
  if (signedness !== 'signed' && signedness !== 'unsigned')
    fail(fn, `unknown signedness ${describe(signedness)}`);
  if (endianness !== 'big' && endianness !== 'little') fail(fn, `unknown endianness ${describe(endianness)}`);
  if (type === 'bits') return bitsValue(bytes, begin, length);
  if (type !== 'integer' && type !== 'float') return fail(fn, `unknown type ${describe(type)}`);
  let value = readBits(bytes, begin, length);
  if (endianness === 'little') value = littleEndian(value, length);
  if (type === 'float') return toFloat(fn, value, length);
  if (signedness === 'signed' && length > 0 && value >> BigInt(length - 1) === 1n)
    value -= 1n << BigInt(length);
  return toResult(fn, value);
}

/** `erlang:iolist_size/1`: binaries count their bytes, lists their byte-sized members. */
function iolistSize(fn: string, value: unknown): number {
  if (typeof value === 'string' || value instanceof Uint8Array) return toBytes(fn, value).length;
  if (Array.isArray(value)) {
    return value.reduce<number>((sum, item) => {
      if (isInteger(item) && item >= 0 && item <= 255) return sum + 1;
      return sum + iolistSize(fn, item);
    }, 0);
  }
  return fail(fn, `expected a binary or an iolist, got ${describe(value)}`);
}

export const bitFunctions: RuleFunction[] = [
  defineFunction('bitnot', 1, 1, ([x]) => toResult('bitnot', ~bigArg('bitnot', x, 'argument'))),
  bitwise('bitand', (x, y) => x & y),
  bitwise('bitor', (x, y) => x | y),
  bitwise('bitxor', (x, y) => x ^ y),
  bitwise('bitsl', (x, y) => shiftLeft('bitsl', x, y)),
  bitwise('bitsr', (x, y) => shiftLeft('bitsr', x, -y)),
  defineFunction('bitsize', 1, 1, ([bits]) => bitsOf('bitsize', bits).bitLength),
  defineFunction('bytesize', 1, 1, ([data]) => iolistSize('bytesize', data)),
  defineFunction('subbits', 2, 6, subbits),
];
