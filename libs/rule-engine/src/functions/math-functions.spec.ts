import { RuleRuntimeError } from '../errors';
import { Float } from '../numbers/erlang-number';
import { builtinFunctions } from './registry';

const call = (name: string, ...args: unknown[]): unknown => builtinFunctions.get(name)!.call(args);

describe('math functions', () => {
  it('return the values of the EMQX function reference', () => {
    expect(call('abs', -12)).toBe(12);
    expect(call('abs', -1.2)).toBe(1.2);
    expect(call('acos', 0.5)).toBeCloseTo(1.0471975511965976, 15);
    expect(call('acosh', 1.5)).toBeCloseTo(0.9624236501192069, 15);
    expect(call('asin', 0.5)).toBeCloseTo(0.5235987755982988, 15);
    expect(call('asinh', 0.5)).toBeCloseTo(0.48121182505960347, 15);
    expect(call('atan', 0.5)).toBeCloseTo(0.46364760900080615, 15);
    expect(call('atanh', 0.5)).toBeCloseTo(0.5493061443340549, 15);
    expect(call('ceil', 0.8)).toBe(1);
    expect(call('cos', 0.5)).toBeCloseTo(0.8775825618903728, 15);
    expect(call('cosh', 0.5)).toBeCloseTo(1.1276259652063807, 15);
    expect(call('exp', 1)).toBeCloseTo(2.718281828459045, 15);
    expect(call('floor', 3.6)).toBe(3);
    expect(call('fmod', 6.5, 2.5)).toBe(1.5);
    expect(call('log', 7.38905609893065)).toBeCloseTo(2, 14);
    // math:* always returns floats: 2.0, not 2
    expect(call('log10', 100)).toEqual(new Float(2));
    expect(call('log2', 8)).toEqual(new Float(3));
    expect(call('log2', 8.5)).toBeCloseTo(3.0874628412503395, 15);
    expect(call('round', 4.5)).toBe(5);
    expect(call('power', 2, 3)).toEqual(new Float(8));
    expect(call('sin', 0.5)).toBeCloseTo(0.479425538604203, 15);
    expect(call('sinh', 0.5)).toBeCloseTo(0.5210953054937474, 15);
    expect(call('sqrt', 9)).toEqual(new Float(3));
    expect(call('tan', 0.5)).toBeCloseTo(0.5463024898437905, 15);
    expect(call('tanh', 0.5)).toBeCloseTo(0.46211715726000974, 15);
  });

  it('round halves away from zero like erlang:round, and never return -0', () => {
    expect(call('round', -4.5)).toBe(-5);
    expect(call('round', -2.5)).toBe(-3);
    expect(call('round', 2.4)).toBe(2);
    expect(Object.is(call('round', -0.4), 0)).toBe(true);
    expect(Object.is(call('ceil', -0.5), 0)).toBe(true);
    expect(call('floor', -0.5)).toBe(-1);
  });

  it('keep the sign of the dividend in fmod, as C fmod does', () => {
    expect(call('fmod', -7, 3)).toEqual(new Float(-1));
    expect(call('fmod', 7, -3)).toEqual(new Float(1));
  });

  it('keep integers exact and types as erlang:abs/ceil/floor/round do', () => {
    expect(call('abs', -(2n ** 70n))).toBe(2n ** 70n);
    expect(call('abs', new Float(-2))).toEqual(new Float(2));
    // erlang:floor/ceil/round of a float is an integer, exact beyond 2^53
    expect(call('floor', 1e20)).toBe(100000000000000000000n);
    expect(call('ceil', new Float(3))).toBe(3);
    expect(call('round', 2n ** 60n)).toBe(2n ** 60n);
    expect(() => call('floor', 'x')).toThrow(/must be a number/);
  });

  it('fail where Erlang raises badarith instead of returning NaN or infinity', () => {
    for (const [name, args] of [
      ['acos', [2]],
      ['asin', [-1.5]],
      ['acosh', [0.5]],
      ['atanh', [1]],
      ['log', [0]],
      ['log', [-1]],
      ['log10', [0]],
      ['log2', [-8]],
      ['sqrt', [-1]],
      ['exp', [1000]],
      ['power', [0, -1]],
      ['power', [10, 400]],
      ['fmod', [1, 0]],
    ] as const) {
      expect(() => call(name, ...args), name).toThrow(RuleRuntimeError);
    }
  });

  it('reject non-numbers, null and undefined', () => {
    expect(() => call('abs', '1')).toThrow(/abs: argument must be a number, got "1"/);
    expect(() => call('sqrt', null)).toThrow(RuleRuntimeError);
    expect(() => call('sin', undefined)).toThrow(RuleRuntimeError);
    expect(() => call('power', 2, true)).toThrow(/second argument/);
    expect(() => call('fmod', [1], 2)).toThrow(/first argument/);
  });

  it('random is a float in [0, 1)', () => {
    for (let i = 0; i < 100; i++) {
      const value = call('random') as number;
      expect(value).toBeGreaterThanOrEqual(0);
      expect(value).toBeLessThan(1);
    }
  });
});
