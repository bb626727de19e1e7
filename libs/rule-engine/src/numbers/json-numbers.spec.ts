import { Float } from './erlang-number';
import { parseJson, stringifyJson } from './json-numbers';

// jiffy (emqx_utils_json.erl): "2.0" decodes to a float and encodes back as 2.0; integers of any size
// are exact; floats print in the shortest form with a point (c_src/doubles.cc).

describe('JSON with Erlang numbers', () => {
  it('keeps integral floats and big integers', () => {
    expect(parseJson('{"a":2.0,"b":12345678901234567890,"c":1e3,"d":1.5,"e":7}')).toEqual({
      a: new Float(2),
      b: 12345678901234567890n,
      c: new Float(1000),
      d: 1.5,
      e: 7,
    });
  });

  it('leaves strings alone when the fast check is fooled by them', () => {
    expect(parseJson('{"v":"1.0 and 12345678901234567","n":2}')).toEqual({
      v: '1.0 and 12345678901234567',
      n: 2,
    });
  });

  it('keeps the last of duplicate keys, as JSON.parse does, and __proto__ as a plain key', () => {
    expect(parseJson('{"a":1.0,"a":2.0}')).toEqual({ a: new Float(2) });
    const parsed = parseJson('{"__proto__":{"x":1.0}}') as Record<string, unknown>;
    expect(Object.getPrototypeOf(parsed)).toBe(Object.prototype);
    expect(Object.hasOwn(parsed, '__proto__')).toBe(true);
  });

  it('fails on malformed JSON in both paths', () => {
    expect(() => parseJson('{"a":')).toThrow(SyntaxError);
    expect(() => parseJson('{"a":1.0')).toThrow(SyntaxError);
  });

  it('writes floats with a point and bignums in full', () => {
    expect(stringifyJson({ t: new Float(3), n: 2n ** 64n, f: 1.5, i: 2, u: undefined })).toBe(
      '{"t":3.0,"n":18446744073709551616,"f":1.5,"i":2}',
    );
    expect(stringifyJson([new Float(-0), 1e20, 1e21])).toBe('[0.0,100000000000000000000.0,1e+21]');
    expect(stringifyJson({ plain: [1, 'a', { b: true }] })).toBe(
      JSON.stringify({ plain: [1, 'a', { b: true }] }),
    );
  });

  it('round-trips what it reads', () => {
    const text = '{"a":2.0,"b":-12345678901234567890,"c":[0.5,3,4.0]}';
    expect(stringifyJson(parseJson(text))).toBe(text);
  });

  it('prints the number for a foreign JSON.stringify', () => {
    expect(JSON.stringify({ t: new Float(3) })).toBe('{"t":3}');
  });
});

describe('the fast path of parseJson', () => {
  it('takes JSON.parse for long fractions and fractions with zeros, which lose nothing', () => {
    const spy = vi.spyOn(JSON, 'parse');
    try {
      expect(parseJson('{"a":0.30000000000000004,"b":21.05,"c":[1,2]}')).toEqual({
        a: 0.30000000000000004,
        b: 21.05,
        c: [1, 2],
      });
      expect(spy).toHaveBeenCalledTimes(1);
    } finally {
      spy.mockRestore();
    }
  });

  it('parses exactly a bare big integer and an exponent after a fraction', () => {
    expect(parseJson('12345678901234567890')).toBe(12345678901234567890n);
    expect(parseJson('[1.5e1]')).toEqual([new Float(15)]);
  });
});
