import { RuleRuntimeError } from '../errors';
import { builtinFunctions } from './registry';

const call = (name: string, ...args: unknown[]): unknown => builtinFunctions.get(name)!.call(args);

describe('map_get, map_put', () => {
  it('map_get follows dotted paths, through JSON text too', () => {
    expect(call('map_get', 'a', { a: 1 })).toBe(1);
    expect(call('map_get', 'a', {})).toBeUndefined();
    expect(call('map_get', 'a.b', { a: { b: 1 } })).toBe(1);
    expect(call('map_get', 'a.c', { a: { b: 1 } })).toBeUndefined();
    expect(call('map_get', 'msg', '{"msg": "hello"}')).toBe('hello');
    expect(call('map_get', 'a.b', { a: '{"b": 2}' })).toBe(2);
    expect(call('map_get', 'b', { b: null })).toBeNull();
  });

  it('map_get returns the default for missing keys', () => {
    expect(call('map_get', 'data', { msg: 'hello' }, '')).toBe('');
    expect(call('map_get', 'value', { data: [1.2, 1.3] }, [])).toEqual([]);
    expect(call('map_get', 'a.b', { a: null }, 'd')).toBe('d');
    expect(call('map_get', 'a', 42, 'd')).toBe('d');
    expect(() => call('map_get', 1, { a: 1 })).toThrow(RuleRuntimeError);
  });

  it('map_put sets nested keys without changing its input', () => {
    const input = { a: { b: 1 } };
    expect(call('map_put', 'a', 1, {})).toEqual({ a: 1 });
    expect(call('map_put', 'a', 2, { a: 1 })).toEqual({ a: 2 });
    expect(call('map_put', 'a.b', 1, {})).toEqual({ a: { b: 1 } });
    expect(call('map_put', 'a.c', 1, input)).toEqual({ a: { b: 1, c: 1 } });
    expect(input).toEqual({ a: { b: 1 } });
    expect(call('map_put', 'a', 1, 'not a map')).toEqual({ a: 1 });
  });
});

describe('mget, mput', () => {
  it('use the key as is, not as a path', () => {
    expect(call('mget', 'a', { a: 1 })).toBe(1);
    expect(call('mget', 'a', '{"a" : 1}')).toBe(1);
    expect(call('mget', 'a.b', { 'a.b': 1 })).toBe(1);
    expect(call('mget', 'a', {})).toBeUndefined();
    expect(call('mget', 'c', {}, 0)).toBe(0);
    expect(call('mput', 'a', 1, {})).toEqual({ a: 1 });
    expect(call('mput', 'a', 2, '{"a" : 1}')).toEqual({ a: 2 });
    expect(call('mput', 'a.b', 2, { 'a.b': 1 })).toEqual({ 'a.b': 2 });
  });

  it('fail when the map is not a map', () => {
    expect(() => call('mget', 'a', 'not json')).toThrow(RuleRuntimeError);
    expect(() => call('mput', 'a', 1, 12)).toThrow(RuleRuntimeError);
  });
});

describe('map_keys, map_values, map_to_entries, map_size, map_new', () => {
  it('read maps and JSON objects', () => {
    expect(call('map_keys', { a: 1, b: 2 })).toEqual(['a', 'b']);
    expect(call('map_keys', '{"a":"a","b":1}')).toEqual(['a', 'b']);
    expect(call('map_values', { a: 1, b: 2 })).toEqual([1, 2]);
    expect(call('map_to_entries', {})).toEqual([]);
    expect(call('map_to_entries', '{"a":1,"b":"b"}')).toEqual([
      { key: 'a', value: 1 },
      { key: 'b', value: 'b' },
    ]);
    expect(call('map_size', {})).toBe(0);
    expect(call('map_size', { a: 'b' })).toBe(1);
    expect(call('map_size', [])).toBe(0);
    expect(call('map_size', '{}')).toBe(0);
    expect(call('map_size', '{"a" : "b"}')).toBe(1);
    expect(call('map_new')).toEqual({});
  });

  it('fail on non-maps', () => {
    for (const fn of ['map_keys', 'map_values', 'map_to_entries', 'map_size']) {
      expect(() => call(fn, 1), fn).toThrow(RuleRuntimeError);
      expect(() => call(fn, undefined), fn).toThrow(RuleRuntimeError);
    }
  });
});

// emqx/emqx apps/emqx_rule_engine/src/emqx_rule_funcs.erl: map_keys/map_values are maps:keys/1 and
// maps:values/1, json_encode is jiffy; both list a (small) map in Erlang term order, where binary
// keys compare byte by byte
describe('map key order', () => {
  const m = { b: 1, a: 2, '10': 3, '9': 4, é: 5, B: 6 };
  it('map_keys, map_values and map_to_entries list keys in byte order, whatever the insertion order', () => {
    expect(call('map_keys', m)).toEqual(['10', '9', 'B', 'a', 'b', 'é']);
    expect(call('map_values', m)).toEqual([3, 4, 6, 2, 1, 5]);
    expect(call('map_to_entries', { y: 1, x: 2 })).toEqual([
      { key: 'x', value: 2 },
      { key: 'y', value: 1 },
    ]);
  });

  it('json_encode and str write map keys in the same order, nested maps too', () => {
    expect(call('json_encode', { b: { d: 1, c: 2 }, a: [{ z: 1, y: 2 }], '2': 0 })).toBe(
      '{"2":0,"a":[{"y":2,"z":1}],"b":{"c":2,"d":1}}',
    );
    expect(call('str', { b: 1, a: 2 })).toBe('{"a":2,"b":1}');
    expect(call('sprintf', '~p', { b: 1, a: 2 })).toBe('#{<<"a">> => 2,<<"b">> => 1}');
  });
});
