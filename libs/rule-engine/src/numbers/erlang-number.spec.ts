import {
  compareNumbers,
  exactlyEqualNumbers,
  Float,
  float,
  floorToInteger,
  formatShortestFloat,
  integer,
  isErlangFloat,
  isErlangInteger,
  negateNumber,
  numberFromText,
} from './erlang-number';

// Expected values follow Erlang's number semantics as EMQX uses them (emqx_rule_funcs.erl,
// emqx_rule_runtime.erl compare/3) and jiffy's float printing (c_src/doubles.cc: shortest form,
// trailing ".0", unique zero).

describe('Erlang numbers', () => {
  it('tell integers from floats', () => {
    expect(isErlangInteger(3)).toBe(true);
    expect(isErlangInteger(2n ** 64n)).toBe(true);
    expect(isErlangInteger(new Float(3))).toBe(false);
    expect(isErlangInteger(1.5)).toBe(false);
    // a plain number beyond 2^53 is a float: integers there are bigints
    expect(isErlangFloat(1e20)).toBe(true);
    expect(isErlangFloat(new Float(3))).toBe(true);
    expect(isErlangFloat(3)).toBe(false);
  });

  it('box only integral floats and keep integers in the safe range as numbers', () => {
    expect(float(3)).toEqual(new Float(3));
    expect(float(0.5)).toBe(0.5);
    expect(float(1e20)).toBe(1e20);
    expect(integer(5n)).toBe(5);
    expect(integer(2n ** 53n)).toBe(2n ** 53n);
    expect(integer(-(2n ** 53n) + 1n)).toBe(-(2 ** 53) + 1);
  });

  it('read number text as Erlang does: a point or an exponent makes a float', () => {
    expect(numberFromText('2.0')).toEqual(new Float(2));
    expect(numberFromText('1e3')).toEqual(new Float(1000));
    expect(numberFromText('12')).toBe(12);
    expect(numberFromText('9007199254740993')).toBe(9007199254740993n);
    expect(numberFromText('-9007199254740993')).toBe(-9007199254740993n);
    expect(() => numberFromText('1e400')).toThrow(/out of range/);
  });

  it('print floats as jiffy does', () => {
    expect(formatShortestFloat(3)).toBe('3.0');
    expect(formatShortestFloat(-0)).toBe('0.0');
    expect(formatShortestFloat(0.1)).toBe('0.1');
    expect(formatShortestFloat(1e20)).toBe('100000000000000000000.0');
    expect(formatShortestFloat(1e21)).toBe('1e+21');
    expect(formatShortestFloat(1e-7)).toBe('1e-7');
  });

  it('compare by value like == and <, exactly for bignums', () => {
    expect(compareNumbers(1, new Float(1))).toBe(0);
    expect(compareNumbers(2n ** 53n + 1n, 2 ** 53)).toBe(1);
    expect(compareNumbers(2 ** 53, 2n ** 53n + 1n)).toBe(-1);
    expect(compareNumbers(2n ** 53n, 2 ** 53)).toBe(0);
    expect(compareNumbers(2n ** 60n, 1.5)).toBe(1);
    expect(compareNumbers(-(2n ** 60n), 1.5)).toBe(-1);
    expect(compareNumbers(2.5, 3)).toBe(-1);
  });

  it('match exactly like =:= (1 is not 1.0)', () => {
    expect(exactlyEqualNumbers(1, new Float(1))).toBe(false);
    expect(exactlyEqualNumbers(new Float(1), new Float(1))).toBe(true);
    expect(exactlyEqualNumbers(2n ** 60n, 2n ** 60n)).toBe(true);
    expect(exactlyEqualNumbers(1.5, 1.5)).toBe(true);
  });

  it('negate and floor without losing the type or the digits', () => {
    expect(negateNumber(new Float(2))).toEqual(new Float(-2));
    expect(Object.is(negateNumber(0), 0)).toBe(true);
    expect(negateNumber(-(2n ** 53n))).toBe(2n ** 53n);
    expect(negateNumber(9007199254740991)).toBe(-9007199254740991);
    expect(floorToInteger(1e20)).toBe(100000000000000000000n);
    expect(Object.is(floorToInteger(-0.5 + 0.5), 0)).toBe(true);
  });
});
