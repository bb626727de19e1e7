import { RuleRuntimeError } from '../errors';
import { decodeJsonOrUndefined, getOwn, isMap, typeName } from './values';

// why: keys that exist on Object.prototype need an own-property check, and numeric keys could index
// bytes; other keys can be read directly
export function isSafeKey(key: string): boolean {
  return !(key in Object.prototype) && key !== '__proto__' && !/^\d+$/.test(key);
}

/** `.key` as emqx_rule_maps does it: a JSON string is decoded first; anything else is not found. */
export function stepKey(value: unknown, key: string): unknown {
  if (typeof value === 'string') value = decodeJsonOrUndefined(value);
  return isMap(value) ? getOwn(value, key) : undefined;
}

/** Faster `.key` for keys that cannot collide with Object.prototype. */
export function stepSafeKey(value: unknown, key: string): unknown {
  if (typeof value === 'object' && value !== null) {
    // no Uint8Array check on this hot path: a safe key is never numeric, so bytes give undefined anyway
    return Array.isArray(value) ? undefined : (value as Record<string, unknown>)[key];
  }
  return typeof value === 'string' ? stepKey(value, key) : undefined;
}

/** `[n]`: 1-based, negative counts from the end, 0 and out-of-range are not found. */
export function stepIndex(value: unknown, index: unknown): unknown {
  if (typeof value === 'string') value = decodeJsonOrUndefined(value);
  if (!Array.isArray(value) || typeof index !== 'number' || !Number.isInteger(index) || index === 0)
    return undefined;
  return index > 0 ? value[index - 1] : value[value.length + index];
}

/** `[a..b]` on a list (emqx_rule_maps:range_get): a non-list or a 0 index fails the message. */
export function stepRange(value: unknown, begin: number, end: number): unknown[] {
  if (typeof value === 'string') value = decodeJsonOrUndefined(value);
  if (!Array.isArray(value))
    throw new RuleRuntimeError(`range [${begin}..${end}] needs a list, got ${typeName(value)}`);
  if (begin === 0 || end === 0) throw new RuleRuntimeError('range index 0 is not valid: indexes start at 1');
  const first = begin > 0 ? begin : value.length + begin + 1;
  const last = end > 0 ? end : value.length + end + 1;
  if (first < 1 || last < first - 1) throw new RuleRuntimeError(`range [${begin}..${end}] is out of bounds`);
  return value.slice(first - 1, last);
}
