import fc from 'fast-check';
import { Buffer } from 'node:buffer';
import { RuleRuntimeError } from '../errors';
import { Float } from '../numbers/erlang-number';
import { builtinFunctions } from './registry';
import { BitString } from './values';

const call = (name: string, ...args: unknown[]): unknown => builtinFunctions.get(name)!.call(args);

describe('str', () => {
  it('prints scalars, maps and arrays as EMQX does', () => {
    expect(call('str', 'abc')).toBe('abc');
    expect(call('str', '你好🐸')).toBe('你好🐸');
    expect(call('str', { a: 1 })).toBe('{"a":1}');
    expect(call('str', [{ a: 1 }, { b: 1 }])).toBe('[{"a":1},{"b":1}]');
    expect(call('str', 100)).toBe('100');
    expect(call('str', true)).toBe('true');
    expect(call('str', false)).toBe('false');
    expect(call('str', undefined)).toBe('undefined');
    expect(call('str', null)).toBe('null');
  });

  it('prints floats with at most ten decimals and no trailing zeros', () => {
    expect(call('str', 3.14159265359)).toBe('3.1415926536');
    expect(call('str', 0.000000314159265359)).toBe('0.0000003142');
    expect(call('str', 0.5)).toBe('0.5');
    expect(call('str', -2.25)).toBe('-2.25');
    // why: a float with only zeros in its first ten decimals keeps one, as float_to_binary compact does
    expect(call('str', 7.00000000001)).toBe('7.0');
  });

  it('prints integers beyond 2^53 in full, and floats with a point (emqx_utils_conv:number_to_binary)', () => {
    expect(call('str', 10n ** 21n)).toBe('1000000000000000000000');
    expect(call('str', 1e21)).toBe('1000000000000000000000.0');
    expect(call('str', new Float(3))).toBe('3.0');
    expect(call('str', 0.1)).toBe('0.1');
  });

  it('treats a list of character codes as text, like Erlang', () => {
    expect(call('str', [104, 105])).toBe('hi');
    expect(call('str', [])).toBe('');
    expect(call('str', [1, 2, 3])).toBe('[1,2,3]');
  });

  it('rejects a bitstring', () => {
    expect(() => call('str', new BitString(new Uint8Array([0x80]), 1))).toThrow(RuleRuntimeError);
  });
});

describe('str_utf8, str_utf16_le', () => {
  it('str_utf8 is str for text and checks binaries', () => {
    expect(call('str_utf8', 'abc 你好')).toBe('abc 你好');
    expect(call('str_utf8', { a: 'abc 你好' })).toBe('{"a":"abc 你好"}');
    expect(call('str_utf8', 1)).toBe('1');
    expect(call('str_utf8', Buffer.from('héllo', 'utf8'))).toBe('héllo');
    expect(() => call('str_utf8', Buffer.from([0xff, 0xfe]))).toThrow(RuleRuntimeError);
  });

  it('str_utf16_le encodes to UTF-16 little-endian bytes', () => {
    const bytes = (value: unknown): Buffer =>
      Buffer.from(value instanceof Uint8Array ? value : Buffer.from(value as string));
    expect(bytes(call('str_utf16_le', 'abc'))).toEqual(Buffer.from([0x61, 0, 0x62, 0, 0x63, 0]));
    expect(bytes(call('str_utf16_le', '你'))).toEqual(Buffer.from([0x60, 0x4f]));
    expect(bytes(call('str_utf16_le', true))).toEqual(Buffer.from('true', 'utf16le'));
    expect(bytes(call('str_utf16_le', '👋'))).toEqual(Buffer.from([0x3d, 0xd8, 0x4b, 0xdc]));
  });
});

describe('int', () => {
  it('converts like emqx_utils_conv:int', () => {
    expect(call('int', '1')).toBe(1);
    expect(call('int', '1.0')).toBe(1);
    expect(call('int', 1.9)).toBe(1);
    expect(call('int', -3.14)).toBe(-4);
    expect(call('int', true)).toBe(1);
    expect(call('int', false)).toBe(0);
    expect(call('int', '-100')).toBe(-100);
    expect(call('int', '+200')).toBe(200);
    expect(call('int', '0010')).toBe(10);
    expect(call('int', '3.1415e2')).toBe(314);
  });

  it('rejects what Erlang cannot parse', () => {
    for (const bad of ['a', '-100+200', 'Number 100', '1e5', '.5', ' 1', '', null, undefined, { a: 1 }]) {
      expect(() => call('int', bad), JSON.stringify(bad)).toThrow(RuleRuntimeError);
    }
  });
});

describe('float', () => {
  it('converts numbers and Erlang float or integer text', () => {
    expect(call('float', '1.0')).toEqual(new Float(1));
    expect(call('float', 20)).toEqual(new Float(20));
    expect(call('float', 1.0000000001)).toBe(1.0000000001);
    expect(call('float', '3.14')).toBe(3.14);
    expect(call('float', '3.14e4')).toEqual(new Float(31400));
    expect(call('float', '3.14e+4')).toEqual(new Float(31400));
    expect(call('float', '3.14e-4')).toBe(0.000314);
    expect(call('float', '3.14E-4')).toBe(0.000314);
    // why: beyond 16 significant digits different inputs give the same double (EMQX docs)
    expect(call('float', '0.12345678901234567')).toBe(call('float', '0.12345678901234566'));
    expect(call('float', '42')).toEqual(new Float(42));
  });

  it('rounds to at most the given decimals', () => {
    expect(call('float', '3.1415926', 3)).toBe(3.142);
    expect(call('float', '0.000012345', 5)).toBe(0.00001);
    expect(() => call('float', 1.5, 0)).toThrow(RuleRuntimeError);
    expect(() => call('float', 1.5, 254)).toThrow(RuleRuntimeError);
  });

  it('rejects non-numbers', () => {
    expect(() => call('float', 'a')).toThrow(RuleRuntimeError);
    expect(() => call('float', '1e5')).toThrow(RuleRuntimeError);
    expect(() => call('float', true)).toThrow(RuleRuntimeError);
  });
});

describe('float2str', () => {
  it('prints decimals from the exact binary value, trailing zeros dropped', () => {
    expect(call('float2str', 20.2, 1)).toBe('20.2');
    expect(call('float2str', 20.2, 10)).toBe('20.2');
    expect(call('float2str', 20.2, 15)).toBe('20.199999999999999');
    expect(call('float2str', 20.2, 16)).toBe('20.1999999999999993');
    expect(call('float2str', 0.1, 5)).toBe('0.1');
    expect(call('float2str', 0.1, 20)).toBe('0.10000000000000000555');
    expect(call('float2str', 0.1, 25)).toBe('0.1000000000000000055511151');
    expect(call('float2str', 0.00000000001, 20)).toBe('0.00000000001');
    expect(call('float2str', 0.100001, 5)).toBe('0.1');
    // why: 123456789.01234565 is not a double; its nearest one prints as ...566, as in the EMQX docs
    expect(call('float2str', Number('123456789.01234565'), 8)).toBe('123456789.01234566');
  });

  it('goes past the 100 decimals JS toFixed allows', () => {
    const text = call('float2str', 0.1, 253) as string;
    expect(text.startsWith('0.1000000000000000055511151231257827021181583404541015625')).toBe(true);
    expect(text).toBe('0.1000000000000000055511151231257827021181583404541015625');
  });

  it('prints 0 decimals without a point and integral floats with one', () => {
    expect(call('float2str', 2.5, 0)).toBe('3');
    expect(call('float2str', new Float(20), 2)).toBe('20.0');
  });

  it('fails on an integer, as float_to_binary/2 does', () => {
    expect(() => call('float2str', 20, 2)).toThrow(/must be a float/);
  });

  it('rejects bad precision and non-numbers', () => {
    expect(() => call('float2str', 1.5, -1)).toThrow(RuleRuntimeError);
    expect(() => call('float2str', 1.5, 254)).toThrow(RuleRuntimeError);
    expect(() => call('float2str', '1.5', 2)).toThrow(RuleRuntimeError);
  });
});

describe('bool', () => {
  it('accepts only booleans, 0/1 and the strings true/false', () => {
    expect(call('bool', 1)).toBe(true);
    expect(call('bool', 0)).toBe(false);
    expect(call('bool', true)).toBe(true);
    expect(call('bool', 'true')).toBe(true);
    expect(call('bool', false)).toBe(false);
    expect(call('bool', 'false')).toBe(false);
    for (const bad of [3, 'True', '1', null, undefined])
      expect(() => call('bool', bad)).toThrow(RuleRuntimeError);
  });
});

describe('map', () => {
  it('takes maps, JSON objects and empty lists', () => {
    expect(call('map', '{"a":1}')).toEqual({ a: 1 });
    expect(call('map', { b: 2 })).toEqual({ b: 2 });
    expect(call('map', [])).toEqual({});
  });

  it('rejects other values', () => {
    for (const bad of ['a', '[1]', 1.5, [1], null]) expect(() => call('map', bad)).toThrow(RuleRuntimeError);
  });
});

describe('bin2hexstr, hexstr2bin', () => {
  it('convert between bytes and upper-case hex', () => {
    expect(call('bin2hexstr', Buffer.from([1, 2]))).toBe('0102');
    expect(call('bin2hexstr', Buffer.from([17, 33]))).toBe('1121');
    expect(call('bin2hexstr', 'hello')).toBe('68656C6C6F');
    expect(call('bin2hexstr', '')).toBe('');
    // why: bytes that are valid UTF-8 come back as text (6, 54 '6', 79 'O')
    expect(call('hexstr2bin', '6364f')).toBe('\x066O');
    expect(call('hexstr2bin', 'a')).toBe('\n');
    expect(call('hexstr2bin', 'f')).toBe('\x0f');
    expect(call('hexstr2bin', '68656c6c6f')).toBe('hello');
    expect(call('hexstr2bin', 'ff')).toEqual(Buffer.from([255]));
  });

  it('take an optional prefix', () => {
    expect(call('bin2hexstr', Buffer.from([1, 2]), '0x')).toBe('0x0102');
    expect(call('bin2hexstr', Buffer.from([1, 2]), '🧠')).toBe('🧠0102');
    expect(call('sqlserver_bin2hexstr', Buffer.from([17, 33]))).toBe('0x1121');
    expect(call('hexstr2bin', '0x6364f', '0x')).toBe('\x066O');
    expect(call('hexstr2bin', '0X1121', '0X')).toBe('\x11!');
    expect(() => call('hexstr2bin', '0x6364f', 'ab')).toThrow(/does not start with/);
  });

  it('pad bitstrings like EMQX', () => {
    // <<1:5, 2>>: 13 bits, padded by 3 to 0x0102
    expect(call('bin2hexstr', new BitString(new Uint8Array([0x08, 0x10]), 13))).toBe('0102');
    // <<1:4, 2>>: 12 bits, padded by 4, so the leading pad digit is dropped
    expect(call('bin2hexstr', new BitString(new Uint8Array([0x10, 0x20]), 12))).toBe('102');
    // <<2:2>>
    expect(call('bin2hexstr', new BitString(new Uint8Array([0x80]), 2))).toBe('2');
  });

  it('round-trip any bytes', () => {
    const bytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    expect(Buffer.from(call('hexstr2bin', call('bin2hexstr', bytes)) as Uint8Array)).toEqual(bytes);
  });

  it('reject non-hex text and non-binaries', () => {
    expect(() => call('hexstr2bin', 'zz')).toThrow(RuleRuntimeError);
    expect(() => call('hexstr2bin', 12)).toThrow(RuleRuntimeError);
    expect(() => call('bin2hexstr', 12)).toThrow(RuleRuntimeError);
    expect(() => call('bin2hexstr', null)).toThrow(RuleRuntimeError);
  });
});

describe('conversion properties', () => {
  it('float2str agrees with the correctly rounded toFixed, trailing zeros dropped', () => {
    const compact = (text: string): string =>
      text.includes('.') ? text.replace(/0+$/, '').replace(/\.$/, '.0') : text;
    fc.assert(
      fc.property(
        fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e15, max: 1e15 }),
        fc.integer({ min: 1, max: 20 }),
        (x, d) => {
          expect(call('float2str', Number.isSafeInteger(x) ? new Float(x) : x, d)).toBe(
            compact(x.toFixed(d)).replace(/^-(0\.0+)$/, '-$1'),
          );
        },
      ),
    );
  });

  it('hexstr2bin inverts bin2hexstr for any bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        const back = call('hexstr2bin', call('bin2hexstr', Buffer.from(bytes)));
        expect(Buffer.from(typeof back === 'string' ? Buffer.from(back) : (back as Uint8Array))).toEqual(
          Buffer.from(bytes),
        );
      }),
    );
  });
});
