import { RuleRuntimeError } from '../errors';
import { builtinFunctions } from './registry';

const call = (name: string, ...args: unknown[]): unknown => builtinFunctions.get(name)!.call(args);

describe('array functions', () => {
  it('nth is 1-based and fails outside the array', () => {
    expect(call('nth', 1, [1, 2, 3])).toBe(1);
    expect(call('nth', 2, [1, 2, 3, 4])).toBe(2);
    expect(call('nth', 4, [1, 2, 3, 4])).toBe(4);
    expect(() => call('nth', 0, [1, 2, 3])).toThrow(RuleRuntimeError);
    expect(() => call('nth', 4, [1, 2, 3])).toThrow(RuleRuntimeError);
    expect(() => call('nth', -1, [1, 2, 3])).toThrow(RuleRuntimeError);
    expect(() => call('nth', 1, 'abc')).toThrow(RuleRuntimeError);
  });

  it('length', () => {
    expect(call('length', [1, 2, 3, 4])).toBe(4);
    expect(call('length', [])).toBe(0);
    expect(() => call('length', 'abc')).toThrow(RuleRuntimeError);
  });

  it('sublist takes a length, or a 1-based start and a length', () => {
    expect(call('sublist', 3, [1, 2, 3, 4])).toEqual([1, 2, 3]);
    expect(call('sublist', 10, [1, 2, 3, 4])).toEqual([1, 2, 3, 4]);
    expect(call('sublist', 2, 10, [1, 2, 3, 4])).toEqual([2, 3, 4]);
    expect(call('sublist', 4, 1, [1, 2, 3, 4])).toEqual([4]);
    expect(call('sublist', 5, 2, [1, 2, 3, 4])).toEqual([]);
    expect(call('sublist', 2, 2, [1, 2, 3, 4])).toEqual([2, 3]);
    expect(() => call('sublist', 6, 1, [1, 2, 3, 4])).toThrow(RuleRuntimeError);
    expect(() => call('sublist', 0, 1, [1, 2, 3, 4])).toThrow(RuleRuntimeError);
    expect(() => call('sublist', -1, [1, 2])).toThrow(RuleRuntimeError);
  });

  it('first and last fail on an empty array', () => {
    expect(call('first', ['John', 'David'])).toBe('John');
    expect(call('last', ['John', 'David'])).toBe('David');
    expect(() => call('first', [])).toThrow(RuleRuntimeError);
    expect(() => call('last', [])).toThrow(RuleRuntimeError);
  });

  it('contains compares structurally', () => {
    expect(call('contains', 2, [1, 2, 3])).toBe(true);
    expect(call('contains', 2.3, [1.8, 2.5, 2.0])).toBe(false);
    expect(call('contains', 'John', ['John', 'David'])).toBe(true);
    expect(call('contains', [1, 2], ['a', 'b', [1, 2]])).toBe(true);
    expect(call('contains', { a: 'b' }, [{ a: 1 }, { a: 'b' }])).toBe(true);
    expect(call('contains', { a: 'b' }, [{ a: 1 }])).toBe(false);
    expect(call('contains', 'c', ['', 'ab', 3, 'a'])).toBe(false);
    expect(call('contains', '1', [1])).toBe(false);
    expect(() => call('contains', 1, 'abc')).toThrow(RuleRuntimeError);
  });
});
