import { Buffer } from 'node:buffer';
import { jsonNestsDeeperThan, TOO_DEEP } from '../compiler/json-depth';
import { isErlangNumber, numberText } from '../numbers/erlang-number';
import { parseJson } from '../numbers/json-numbers';
import { numberToString } from './number-format';
import { BitString, describe, fail, isMap } from './values';

/**
 * EMQX's implicit conversion of any value to a string (`emqx_utils_conv:bin/1`), used by `str`,
 * `concat`, `join_to_string` and the `+` operator on strings.
 * @example anyToString('str', { a: 1 }) // '{"a":1}'
 */
export function anyToString(fn: string, value: unknown): string | Uint8Array {
  if (typeof value === 'string' || value instanceof Uint8Array) return value;
  if (isErlangNumber(value)) return numberToString(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  // why: these are the Erlang atoms undefined and null, which EMQX prints by name
  if (value === undefined) return 'undefined';
  if (value === null) return 'null';
  if (Array.isArray(value)) {
    // why: an Erlang list of character codes is a string; EMQX prints [104,105] as "hi" and [] as ""
    return isPrintableLatin1(value) ? String.fromCharCode(...value) : jsonEncode(fn, value);
  }
  if (isMap(value)) return jsonEncode(fn, value);
  return fail(fn, `cannot convert ${describe(value)} to a string`);
}

/** Like anyToString, but always text (binaries are decoded as UTF-8, invalid bytes replaced). */
export function anyToText(fn: string, value: unknown): string {
  const result = anyToString(fn, value);
  return typeof result === 'string' ? result : Buffer.from(result).toString('utf8');
}

/** `io_lib:printable_list/1` with the default latin1 range. */
function isPrintableLatin1(list: unknown[]): list is number[] {
  return list.every(
    (c) =>
      typeof c === 'number' &&
      Number.isInteger(c) &&
      ((c >= 32 && c <= 126) || (c >= 160 && c <= 255) || (c >= 8 && c <= 13) || c === 27),
  );
}

/**
 * JSON as EMQX (jiffy, force_utf8) writes it: compact; `undefined` becomes the string "undefined";
 * binaries that are not UTF-8 are decoded with replacement characters.
 */
export function jsonEncode(fn: string, value: unknown): string {
  const ready = toJsonReady(fn, value);
  return isMap(ready) || Array.isArray(ready) ? encodeOrdered(ready) : encodeLeaf(ready);
}

/** JSON with map keys in Erlang's order (a JS object would put integer-like keys first). */
function encodeOrdered(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(encodeOrdered).join(',')}]`;
  if (isMap(value)) {
    const parts = erlangKeyOrder(Object.keys(value)).map(
      (key) => `${JSON.stringify(key)}:${encodeOrdered(value[key])}`,
    );
    return `{${parts.join(',')}}`;
  }
  return encodeLeaf(value);
}

// numbers as jiffy writes them: 3.0 keeps its point, integers beyond 2^53 are exact
function encodeLeaf(value: unknown): string {
  return isErlangNumber(value) ? numberText(value) : JSON.stringify(value);
}

/**
 * Map keys in the order Erlang lists a map's entries (maps:keys, maps:to_list, jiffy's encoding):
 * binaries compare byte by byte, which for UTF-8 is code point order. (Erlang keeps that order for
 * maps of up to 32 keys; larger maps list in hash order, which Sluice does not reproduce.)
 */
export function erlangKeyOrder(keys: string[]): string[] {
  return keys.sort(compareCodePoints);
}

function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.codePointAt(i)!;
    const y = b.codePointAt(i)!;
    if (x !== y) return x - y;
    if (x > 0xffff) i++;
  }
  return a.length - b.length;
}

function toJsonReady(fn: string, value: unknown): unknown {
  if (value === undefined) return 'undefined';
  if (value instanceof Uint8Array) return Buffer.from(value).toString('utf8');
  if (value instanceof BitString) return fail(fn, 'a bitstring cannot be JSON encoded');
  if (Array.isArray(value)) return value.map((item) => toJsonReady(fn, item));
  if (isMap(value)) {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[key] = toJsonReady(fn, item);
    return out;
  }
  return value;
}

/** JSON text to a rule value; fails the message on malformed JSON as jiffy does. */
export function jsonDecode(fn: string, text: string): unknown {
  if (jsonNestsDeeperThan(text)) return fail(fn, `JSON ${TOO_DEEP}`);
  try {
    return parseJson(text);
  } catch {
    return fail(fn, `invalid JSON: ${describe(text)}`);
  }
}
