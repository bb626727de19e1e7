import { RuleRuntimeError } from '../errors';
import { exactlyEqualNumbers, Float, isErlangNumber } from '../numbers/erlang-number';
import { parseJson } from '../numbers/json-numbers';
import { jsonNestsDeeperThan, TOO_DEEP } from './json-depth';

/** Value helpers shared by the evaluator: EMQX maps are plain objects, lists are arrays. */

export type PlainObject = Record<string, unknown>;

export function isMap(value: unknown): value is PlainObject {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    !(value instanceof Uint8Array) &&
    !(value instanceof Float)
  );
}

const hasOwn = Object.prototype.hasOwnProperty;

/** Own properties only: `payload.constructor` must not reach Object.prototype. */
export function getOwn(map: PlainObject, key: string): unknown {
  return hasOwn.call(map, key) ? map[key] : undefined;
}

/** Sets an own property, even one named `__proto__`. */
export function setOwn(map: PlainObject, key: string, value: unknown): void {
  if (key === '__proto__')
    Object.defineProperty(map, key, { value, enumerable: true, writable: true, configurable: true });
  else map[key] = value;
}

/** EMQX decodes a JSON string when a path steps into it; anything undecodable is "not found". */
export function decodeJsonOrUndefined(text: string): unknown {
  if (jsonNestsDeeperThan(text)) throw new RuleRuntimeError(`JSON text ${TOO_DEEP}`);
  try {
    return parseJson(text);
  } catch {
    return undefined;
  }
}

/** Strict structural equality (Erlang `=:=`, `lists:member`, a CASE pattern): 1 is not 1.0. */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (isErlangNumber(a)) return isErlangNumber(b) && exactlyEqualNumbers(a, b);
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    return a.every((item, i) => deepEqual(item, b[i]));
  }
  if (isMap(a) && isMap(b)) {
    const keys = Object.keys(a);
    if (keys.length !== Object.keys(b).length) return false;
    return keys.every((key) => hasOwn.call(b, key) && deepEqual(a[key], b[key]));
  }
  return false;
}

/** A short description of a value's type for runtime error messages. */
export function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (value === undefined) return 'undefined';
  if (value instanceof Float || typeof value === 'bigint') return 'number';
  if (isMap(value)) return 'map';
  return typeof value;
}
