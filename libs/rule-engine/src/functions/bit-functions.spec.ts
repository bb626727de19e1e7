import fc from 'fast-check';
import { RuleRuntimeError } from '../errors';
import { builtinFunctions } from './registry';
import { BitString } from './values';

const call = (name: string, ...args: unknown[]): unknown => builtinFunctions.get(name)!.call(args);
const hex = (text: string): unknown => call('hexstr2bin', text);

describe('bitwise operations', () => {
  it('match the EMQX reference examples on signed integers', () => {
    expect(call('bitand', 10, 8)).toBe(8);
    expect(call('bitand', -10, -8)).toBe(-16);
    expect(call('bitnot', 10)).toBe(-11);
    expect(call('bitnot', -12)).toBe(11);
    expect(call('bitsl', 8, 2)).toBe(32);
    expect(call('bitsl', -8, 2)).toBe(-32);
    expect(call('bitsr', 8, 2)).toBe(2);
    expect(call('bitsr', 8, 4)).toBe(0);
    expect(call('bitsr', -8, 2)).toBe(-2);
    expect(call('bitsr', -8, 6)).toBe(-1);
    expect(call('bitor', 10, 8)).toBe(10);
    expect(call('bitor', -10, -8)).toBe(-2);
    expect(call('bitxor', 10, 8)).toBe(2);
    expect(call('bitxor', -10, -8)).toBe(14);
  });

  it('work beyond 32 bits, unlike JS bit operators', () => {
    expect(call('bitsl', 1, 40)).toBe(2 ** 40);
    expect(call('bitand', 2 ** 40 + 5, 2 ** 40 + 3)).toBe(2 ** 40 + 1);
    expect(call('bitsr', 2 ** 50, 49)).toBe(2);
    expect(call('bitnot', 2 ** 40)).toBe(-(2 ** 40) - 1);
  });

  it('shift the other way for a negative count, as Erlang bsl/bsr do', () => {
    expect(call('bitsl', 8, -2)).toBe(2);
    expect(call('bitsr', 1, -3)).toBe(8);
    expect(call('bitsr', -5, 5000)).toBe(-1);
  });

  it('reject floats, strings and absurd shifts', () => {
    expect(() => call('bitand', 1.5, 1)).toThrow(RuleRuntimeError);
    expect(() => call('bitnot', '1')).toThrow(RuleRuntimeError);
    expect(() => call('bitor', 1, null)).toThrow(RuleRuntimeError);
    expect(() => call('bitsl', 1, 100000)).toThrow(/too large/);
  });
});

describe('bitsize, bytesize', () => {
  it('count UTF-8 bits and bytes', () => {
    expect(call('bitsize', 'abc')).toBe(24);
    expect(call('bitsize', '你好')).toBe(48);
    expect(call('bytesize', 'abc')).toBe(3);
    expect(call('bytesize', '你好')).toBe(6);
    expect(call('bytesize', '')).toBe(0);
    expect(call('bitsize', new BitString(new Uint8Array([0xf0]), 4))).toBe(4);
  });

  it('bytesize sums an iolist, bitsize refuses non-binaries', () => {
    expect(call('bytesize', [1, 2, 'ab', [3]])).toBe(5);
    expect(() => call('bytesize', 12)).toThrow(RuleRuntimeError);
    expect(() => call('bitsize', 12)).toThrow(RuleRuntimeError);
    expect(() => call('bitsize', undefined)).toThrow(RuleRuntimeError);
  });
});

describe('subbits', () => {
  it('reads leading bits as an unsigned big-endian integer', () => {
    const ff = hex('FF');
    for (let n = 1; n <= 8; n++) expect(call('subbits', ff, n)).toBe(2 ** n - 1);
    expect(call('subbits', hex('9F4E58'), 8)).toBe(159);
    expect(call('subbits', hex('9F4E58'), 16)).toBe(40782);
    expect(call('subbits', call('base64_decode', 'n05Y'), 8)).toBe(159);
  });

  it('takes a 1-based start and clips the length to the bits left', () => {
    expect(call('subbits', hex('9F4E58'), 1, 8)).toBe(159);
    expect(call('subbits', hex('9F4E58'), 9, 8)).toBe(78);
    expect(call('subbits', call('base64_decode', 'n05Y'), 9, 4)).toBe(4);
    expect(call('subbits', hex('FF'), 2, 7)).toBe(127);
    expect(call('subbits', hex('FF'), 2, 8)).toBe(127);
  });

  it('returns undefined when the start is outside the bits', () => {
    expect(call('subbits', hex('FF'), 9, 1)).toBeUndefined();
    expect(call('subbits', hex('FF'), 0, 1)).toBeUndefined();
    expect(call('subbits', '', 1)).toBeUndefined();
  });

  it('decodes signed, little-endian and float values', () => {
    const bin = hex('9F4E58');
    expect(call('subbits', bin, 1, 16, 'integer', 'unsigned', 'big')).toBe(40782);
    expect(call('subbits', bin, 1, 16, 'integer', 'signed', 'big')).toBe(-24754);
    expect(call('subbits', bin, 1, 16, 'integer', 'unsigned', 'little')).toBe(20127);
    expect(call('subbits', bin, 1, 16, 'float', 'unsigned', 'big')).toBe(-0.00713348388671875);
    expect(call('subbits', bin, 1, 16, 'float', 'signed', 'big')).toBe(-0.00713348388671875);
    expect(call('subbits', hex('000001C8'), 1, 32, 'integer', 'signed', 'big')).toBe(456);
    expect(call('subbits', hex('FFFFFE38'), 1, 32, 'integer', 'signed', 'big')).toBe(-456);
    expect(call('subbits', hex('000001C8'), 1, 32, 'integer', 'unsigned')).toBe(456);
    expect(call('subbits', hex('4015333333333333'), 1, 64, 'float')).toBe(5.3);
    expect(call('subbits', hex('C015333333333333'), 1, 64, 'float', 'signed', 'big')).toBe(-5.3);
    expect(call('subbits', hex('40A9999A'), 1, 32, 'float')).toBeCloseTo(5.3, 6);
  });

  it('returns a bitstring for bits, which bin2hexstr prints as EMQX does', () => {
    const bits = call('subbits', hex('9F4E58'), 1, 6, 'bits', 'unsigned', 'big');
    expect(bits).toBeInstanceOf(BitString);
    expect(call('bin2hexstr', bits)).toBe('27');
    expect(call('subbits', hex('9F4E58'), 9, 8, 'bits', 'unsigned', 'big')).toBe('N');
  });

  it('rejects unknown types and float sizes, and non-binary input', () => {
    expect(() => call('subbits', hex('9F4E58'), 1, 8, 'text', 'unsigned', 'big')).toThrow(RuleRuntimeError);
    expect(() => call('subbits', hex('9F4E58'), 1, 8, 'integer', 'maybe', 'big')).toThrow(RuleRuntimeError);
    expect(() => call('subbits', hex('9F4E58'), 1, 8, 'integer', 'signed', 'middle')).toThrow(
      RuleRuntimeError,
    );
    expect(() => call('subbits', hex('9F4E58'), 1, 8, 'float')).toThrow(/16, 32 or 64/);
    expect(() => call('subbits', 42, 8)).toThrow(RuleRuntimeError);
    expect(() => call('subbits', 'a', 1.5)).toThrow(RuleRuntimeError);
  });
});

describe('bitwise properties', () => {
  it('agree with JS 32-bit operators and with multiplication/floor division for shifts', () => {
    fc.assert(
      fc.property(fc.integer(), fc.integer(), fc.integer({ min: 0, max: 20 }), (x, y, n) => {
        expect(call('bitand', x, y)).toBe(x & y);
        expect(call('bitor', x, y)).toBe(x | y);
        expect(call('bitxor', x, y)).toBe(x ^ y);
        expect(call('bitnot', x)).toBe(~x);
        expect(call('bitsl', x, n)).toBe(x * 2 ** n);
        expect(call('bitsr', x, n)).toBe(Math.floor(x / 2 ** n));
      }),
    );
  });
});
