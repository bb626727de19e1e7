import { Buffer } from 'node:buffer';
import { decodeJsonOrUndefined } from '../compiler/values';
import { toMap } from './conversion-functions';
import { erlangKeyOrder } from './term-text';
import type { RuleFunction } from './registry';
import { textArg } from './string-functions';
import { defineFunction, describe, fail, isMap } from './values';

/** A level of a map_get/map_put path: JSON text is decoded on the way, as emqx_rule_maps does. */
function asContainer(value: unknown): unknown {
  if (typeof value === 'string' || value instanceof Uint8Array) {
    return decodeJsonOrUndefined(typeof value === 'string' ? value : Buffer.from(value).toString('utf8'));
  }
  return value;
}

function pathOf(fn: string, key: unknown): string[] {
  return textArg(fn, key, 'key').split('.');
}

function mapGet([key, map, fallback]: unknown[]): unknown {
  let current: unknown = map;
  for (const part of pathOf('map_get', key)) {
    const container = asContainer(current);
    if (!isMap(container) || !Object.hasOwn(container, part)) return fallback;
    current = container[part];
    if (current === undefined) return fallback;
  }
  return current;
}

function nestedPut(path: string[], value: unknown, data: unknown): unknown {
  const [head, ...rest] = path;
  if (head === undefined) return value;
  const container = asContainer(data);
  const base = isMap(container) ? container : {};
  return { ...base, [head]: nestedPut(rest, value, base[head]) };
}

function mapPut([key, value, map]: unknown[]): unknown {
  const path = pathOf('map_put', key);
  // why: emqx_rule_maps starts from an empty map when the target is neither a map nor a list
  return nestedPut(path, value, isMap(map) || Array.isArray(map) ? map : {});
}

function mget([key, map, fallback]: unknown[]): unknown {
  const data = toMap('mget', map);
  if (typeof key !== 'string' || !Object.hasOwn(data, key)) return fallback;
  return data[key];
}

function mput([key, value, map]: unknown[]): Record<string, unknown> {
  const data = toMap('mput', map);
  if (typeof key !== 'string') return fail('mput', `key must be a string, got ${describe(key)}`);
  return { ...data, [key]: value };
}

export const mapFunctions: RuleFunction[] = [
  defineFunction('map_new', 0, 0, () => ({})),
  defineFunction('map_get', 2, 3, mapGet),
  defineFunction('map_put', 3, 3, mapPut),
  defineFunction('mget', 2, 3, mget),
  defineFunction('mput', 3, 3, mput),
  // maps:keys/1 and maps:values/1 list entries in Erlang's key order
  defineFunction('map_keys', 1, 1, ([map]) => erlangKeyOrder(Object.keys(toMap('map_keys', map)))),
  defineFunction('map_values', 1, 1, ([map]) => {
    const m = toMap('map_values', map);
    return erlangKeyOrder(Object.keys(m)).map((key) => m[key]);
  }),
  defineFunction('map_to_entries', 1, 1, ([map]) => {
    const m = toMap('map_to_entries', map);
    return erlangKeyOrder(Object.keys(m)).map((key) => ({ key, value: m[key] }));
  }),
  defineFunction('map_size', 1, 1, ([map]) => Object.keys(toMap('map_size', map)).length),
];
