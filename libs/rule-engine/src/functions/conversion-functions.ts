import {
  compareNumbers,
  float,
  floorToInteger,
  isErlangFloat,
  isErlangInteger,
  isErlangNumber,
  numberFromText,
  toDouble,
  type ErlangNumber,
  type Float,
} from '../numbers/erlang-number';
import { Buffer } from 'node:buffer';
import { formatDecimals } from './number-format';
import type { RuleFunction } from './registry';
import { anyToString, jsonDecode } from './term-text';
import {
  BitString,
  defineFunction,
  describe,
  fail,
  fromBytes,
  isMap,
  requireInteger,
  requireString,
  toBytes,
} from './values';

// why: Erlang's binary_to_integer and binary_to_float accept exactly these shapes ("1e5" and ".5" are errors)
const ERLANG_INTEGER = /^[+-]?\d+$/;
const ERLANG_FLOAT = /^[+-]?\d+\.\d+(?:[eE][+-]?\d+)?$/;

function textOf(value: string | Uint8Array): string {
  return typeof value === 'string' ? value : Buffer.from(value).toString('latin1');
}

function parseNumber(fn: string, value: unknown): ErlangNumber {
  if (isErlangNumber(value)) return value;
  if (typeof value === 'string' || value instanceof Uint8Array) {
    const text = textOf(value);
    if (ERLANG_INTEGER.test(text) || ERLANG_FLOAT.test(text)) return numberFromText(text.replace(/^\+/, ''));
  }
  return fail(fn, `cannot convert ${describe(value)} to a number`);
}

/** emqx_utils_conv:int/1: integers as they are (exact), floats and float text floored. */
function toInt(value: unknown): number | bigint {
  if (value === true) return 1;
  if (value === false) return 0;
  const number = parseNumber('int', value);
  if (isErlangInteger(number)) return number;
  return floorToInteger(toDouble(number));
}

/** emqx_utils_conv:float/1, and float/2 rounding through float_to_list(F, [{decimals, N}]). */
function toFloat(args: unknown[]): number | Float {
  const [value, decimals] = args;
  const number = toDouble(parseNumber('float', value));
  if (!Number.isFinite(number)) fail('float', `${describe(value)} is beyond the float range (badarg)`);
  if (args.length === 1) return float(number);
  const places = requireInteger('float', decimals, 'decimals');
  if (places <= 0 || places > 253) fail('float', `decimals must be in 1..253, got ${places}`);
  return float(Number(formatDecimals(number, places, false)));
}

function toBool(value: unknown): boolean {
  // emqx_utils_conv:bool/1 compares numbers with ==, so 1.0 is true as 1 is
  if (value === true || value === 'true' || (isErlangNumber(value) && compareNumbers(value, 1) === 0))
    return true;
  if (value === false || value === 'false' || (isErlangNumber(value) && compareNumbers(value, 0) === 0))
    return false;
  return fail('bool', `cannot convert ${describe(value)} to a boolean`);
}

/** `map/1`: a map as is, JSON text holding an object, or an empty list. */
export function toMap(fn: string, value: unknown): Record<string, unknown> {
  if (isMap(value)) return value;
  if (typeof value === 'string' || value instanceof Uint8Array) {
    const decoded = jsonDecode(fn, Buffer.from(toBytes(fn, value)).toString('utf8'));
    if (isMap(decoded)) return decoded;
  }
  // why: maps:from_list([]) is #{}; a JSON array cannot hold the {Key, Value} tuples from_list wants
  if (Array.isArray(value) && value.length === 0) return {};
  return fail(fn, `cannot convert ${describe(value)} to a map`);
}

function hexOf(fn: string, value: unknown): string {
  if (value instanceof BitString) {
    const bits = value.bitLength;
    let number = 0n;
    for (const byte of value.bytes) number = (number << 8n) | BigInt(byte);
    number >>= BigInt(value.bytes.length * 8 - bits);
    const padding = 8 - (bits % 8);
    const hex = number
      .toString(16)
      .toUpperCase()
      .padStart(value.bytes.length * 2, '0');
    // why: EMQX left-pads to whole bytes and drops the first digit when it is pure padding
    return padding >= 4 ? hex.slice(1) : hex;
  }
  return toBytes(fn, value).toString('hex').toUpperCase();
}

function bin2hexstr([data, prefix]: unknown[]): string {
  const hex = hexOf('bin2hexstr', data);
  if (prefix === undefined) return hex;
  return requireString('bin2hexstr', prefix, 'prefix') + hex;
}

function hexstr2bin([text, prefix]: unknown[]): string | Uint8Array {
  const fn = 'hexstr2bin';
  let hex = requireString(fn, text);
  if (prefix !== undefined) {
    const wanted = requireString(fn, prefix, 'prefix');
    if (!hex.startsWith(wanted)) fail(fn, `${describe(hex)} does not start with ${describe(wanted)}`);
    hex = hex.slice(wanted.length);
  }
  if (!/^[0-9a-fA-F]*$/.test(hex)) fail(fn, `not a hex string: ${describe(hex)}`);
  // why: an odd number of digits gets a leading zero ("a" is byte 10), as EMQX does
  return fromBytes(Buffer.from(hex.length % 2 ? `0${hex}` : hex, 'hex'));
}

function strUtf8(value: unknown): string {
  const text = anyToString('str_utf8', value);
  if (typeof text === 'string') return text;
  const buffer = Buffer.from(text);
  const decoded = buffer.toString('utf8');
  if (!Buffer.from(decoded, 'utf8').equals(buffer)) fail('str_utf8', 'the binary is not valid UTF-8');
  return decoded;
}

export const conversionFunctions: RuleFunction[] = [
  defineFunction('str', 1, 1, ([value]) => anyToString('str', value)),
  defineFunction('str_utf8', 1, 1, ([value]) => strUtf8(value)),
  defineFunction('str_utf16_le', 1, 1, ([value]) => fromBytes(Buffer.from(strUtf8(value), 'utf16le'))),
  defineFunction('bool', 1, 1, ([value]) => toBool(value)),
  defineFunction('int', 1, 1, ([value]) => toInt(value)),
  defineFunction('float', 1, 2, toFloat),
  defineFunction('float2str', 2, 2, ([value, decimals]) => {
    const places = requireInteger('float2str', decimals, 'decimals');
    if (places < 0 || places > 253) fail('float2str', `decimals must be in 0..253, got ${places}`);
    // float_to_binary/2 takes floats only: an integer fails, as in EMQX
    if (!isErlangFloat(value)) fail('float2str', `argument must be a float, got ${describe(value)}`);
    return formatDecimals(toDouble(value), places);
  }),
  defineFunction('map', 1, 1, ([value]) => toMap('map', value)),
  defineFunction('bin2hexstr', 1, 2, bin2hexstr),
  defineFunction('hexstr2bin', 1, 2, hexstr2bin),
  defineFunction('sqlserver_bin2hexstr', 1, 1, ([data]) => bin2hexstr([data, '0x'])),
];
