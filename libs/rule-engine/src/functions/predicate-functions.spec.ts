import { Buffer } from 'node:buffer';
import { RuleRuntimeError } from '../errors';
import { builtinFunctions } from './registry';

const call = (name: string, ...args: unknown[]): unknown => builtinFunctions.get(name)!.call(args);

describe('null checks', () => {
  it('is_null is true only for a missing value (undefined), not JSON null', () => {
    expect(call('is_null', undefined)).toBe(true);
    expect(call('is_null', null)).toBe(false);
    expect(call('is_null', 'undefined')).toBe(false);
    expect(call('is_null', '')).toBe(false);
    expect(call('is_not_null', undefined)).toBe(false);
    expect(call('is_not_null', null)).toBe(true);
  });

  it('is_null_var also counts JSON null', () => {
    expect(call('is_null_var', null)).toBe(true);
    expect(call('is_null_var', undefined)).toBe(true);
    expect(call('is_null_var', 'null')).toBe(false);
    expect(call('is_null_var', '')).toBe(false);
    expect(call('is_not_null_var', null)).toBe(false);
    expect(call('is_not_null_var', 0)).toBe(true);
  });
});

describe('type checks', () => {
  it('is_str accepts text and binaries only', () => {
    expect(call('is_str', 'a')).toBe(true);
    expect(call('is_str', '')).toBe(true);
    expect(call('is_str', Buffer.from([0xff]))).toBe(true);
    expect(call('is_str', 1)).toBe(false);
    expect(call('is_str', ['a'])).toBe(false);
  });

  it('is_bool, is_int, is_float, is_num', () => {
    expect(call('is_bool', true)).toBe(true);
    expect(call('is_bool', false)).toBe(true);
    expect(call('is_bool', 'true')).toBe(false);
    expect(call('is_int', 123)).toBe(true);
    expect(call('is_int', -1)).toBe(true);
    expect(call('is_int', 123.4)).toBe(false);
    expect(call('is_int', '1')).toBe(false);
    expect(call('is_float', 123.4)).toBe(true);
    expect(call('is_float', -1.2)).toBe(true);
    expect(call('is_float', 123)).toBe(false);
    expect(call('is_num', 1)).toBe(true);
    expect(call('is_num', 1.1)).toBe(true);
    expect(call('is_num', '123')).toBe(false);
  });

  it('is_map and is_array', () => {
    expect(call('is_map', {})).toBe(true);
    expect(call('is_map', { value: 1 })).toBe(true);
    expect(call('is_map', [{ value: 1 }])).toBe(false);
    expect(call('is_map', null)).toBe(false);
    expect(call('is_array', [1, 2])).toBe(true);
    expect(call('is_array', [])).toBe(true);
    expect(call('is_array', '[1, 2]')).toBe(false);
    expect(call('is_array', 0.5)).toBe(false);
  });

  it('is_empty: empty arrays, strings and maps (also as JSON text)', () => {
    for (const empty of [[], '', {}, '{}']) expect(call('is_empty', empty)).toBe(true);
    for (const full of [[1], { a: 'b' }, '{"a" : "b"}']) expect(call('is_empty', full)).toBe(false);
    expect(() => call('is_empty', 'not json')).toThrow(RuleRuntimeError);
  });
});

describe('coalesce, coalesce_ne, null', () => {
  it('coalesce returns the first value that is not undefined', () => {
    expect(call('coalesce', [])).toBeUndefined();
    expect(call('coalesce', [undefined, undefined])).toBeUndefined();
    expect(call('coalesce', [undefined, 42, undefined])).toBe(42);
    expect(call('coalesce', 'hello', 'world')).toBe('hello');
    expect(call('coalesce', undefined, 'world')).toBe('world');
    expect(call('coalesce', null, 'world')).toBeNull();
  });

  it('coalesce_ne also skips empty strings (and empty lists, which are "" in Erlang)', () => {
    expect(call('coalesce_ne', ['', undefined, ''])).toBeUndefined();
    expect(call('coalesce_ne', ['', 42, undefined])).toBe(42);
    expect(call('coalesce_ne', '', 'world')).toBe('world');
    expect(call('coalesce_ne', [[], 'x'])).toBe('x');
    expect(call('coalesce_ne', 'hello', 'world')).toBe('hello');
  });

  it('coalesce with one argument needs an array', () => {
    expect(() => call('coalesce', 'x')).toThrow(RuleRuntimeError);
  });

  it('null() is a missing value', () => {
    expect(call('null')).toBeUndefined();
  });
});
