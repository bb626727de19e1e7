import fc from 'fast-check';
import { Buffer } from 'node:buffer';
import { RuleRuntimeError } from '../errors';
import { builtinFunctions } from './registry';

const call = (name: string, ...args: unknown[]): unknown => builtinFunctions.get(name)!.call(args);
const hex = (value: unknown): unknown => call('bin2hexstr', value);
const bytes = (text: string): unknown => call('hexstr2bin', text);

describe('base64', () => {
  it('encodes and decodes the EMQX examples', () => {
    expect(call('base64_encode', 'hello')).toBe('aGVsbG8=');
    expect(call('base64_encode', bytes('CB48CD'))).toBe('y0jN');
    expect(call('base64_decode', 'aGVsbG8=')).toBe('hello');
    expect(hex(call('base64_decode', 'y0jN'))).toBe('CB48CD');
    expect(call('base64_decode', '5L2g5aW9')).toBe('你好');
  });

  it('supports no_padding and urlsafe, in any order; other options are ignored', () => {
    expect(call('base64_encode', 'a', 'no_padding')).toBe('YQ');
    expect(call('base64_encode', bytes('FFFFFF'), 'urlsafe')).toBe('____');
    expect(call('base64_encode', bytes('FBEF'), 'urlsafe')).toBe('--8=');
    expect(call('base64_encode', bytes('FBEF'), 'urlsafe', 'no_padding')).toBe('--8');
    expect(call('base64_encode', bytes('FBEF'), 'no_padding', 'urlsafe')).toBe('--8');
    expect(call('base64_encode', 'test data', 'unknown_option')).toBe(call('base64_encode', 'test data'));
    expect(call('base64_decode', 'YQ', 'no_padding')).toBe('a');
    expect(hex(call('base64_decode', '--8', 'urlsafe', 'no_padding'))).toBe('FBEF');
    expect(hex(call('base64_decode', '--8=', 'urlsafe'))).toBe('FBEF');
    expect(call('base64_decode', 'aGVsbG8=', 'unknown')).toBe('hello');
  });

  it('round-trips every byte value', () => {
    const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    for (const options of [[], ['no_padding'], ['urlsafe'], ['urlsafe', 'no_padding']]) {
      const encoded = call('base64_encode', all, ...options);
      expect(Buffer.from(call('base64_decode', encoded, ...options) as Uint8Array)).toEqual(all);
    }
  });

  it('is strict about padding and alphabet, like Erlang', () => {
    expect(() => call('base64_decode', 'YQ')).toThrow(RuleRuntimeError);
    expect(() => call('base64_decode', '--8=')).toThrow(RuleRuntimeError);
    expect(() => call('base64_decode', 'a$b=')).toThrow(RuleRuntimeError);
    expect(() => call('base64_decode', 'Y')).toThrow(RuleRuntimeError);
    expect(() => call('base64_encode', 12)).toThrow(RuleRuntimeError);
    expect(() => call('base64_decode', undefined)).toThrow(RuleRuntimeError);
  });
});

describe('json', () => {
  it('encodes compactly and decodes any JSON value', () => {
    expect(call('json_encode', [1, 2, 3])).toBe('[1,2,3]');
    expect(call('json_encode', { a: 'b', c: [true, null] })).toBe('{"a":"b","c":[true,null]}');
    expect(call('json_encode', '你好')).toBe('"你好"');
    expect(call('json_encode', undefined)).toBe('"undefined"');
    expect(call('json_encode', { a: undefined })).toBe('{"a":"undefined"}');
    expect(call('map_get', 'a', call('json_decode', '{"a": 1}'))).toBe(1);
    expect(call('json_decode', '[{"value": 1}]')).toEqual([{ value: 1 }]);
    expect(call('json_decode', '5')).toBe(5);
    expect(call('json_decode', 'null')).toBeNull();
  });

  it('fails on malformed JSON and non-text input', () => {
    expect(() => call('json_decode', '{a:1}')).toThrow(/invalid JSON/);
    expect(() => call('json_decode', '')).toThrow(RuleRuntimeError);
    expect(() => call('json_decode', { a: 1 })).toThrow(RuleRuntimeError);
  });
});

describe('compression', () => {
  it('matches the EMQX reference bytes for raw deflate and zlib', () => {
    expect(hex(call('zip', 'hello'))).toBe('CB48CDC9C90700');
    expect(call('unzip', bytes('CB48CDC9C90700'))).toBe('hello');
    expect(hex(call('zip_compress', 'hello'))).toBe('789CCB48CDC9C90700062C0215');
    expect(call('zip_uncompress', bytes('789CCB48CDC9C90700062C0215'))).toBe('hello');
  });

  it('gzip writes a gzip member and gunzip reads the EMQX example', () => {
    const gz = hex(call('gzip', 'hello')) as string;
    expect(gz.slice(0, 6)).toBe('1F8B08');
    // why: after the 10-byte header come the same deflate bytes and the CRC32 and size EMQX shows
    expect(gz.slice(20)).toBe('CB48CDC9C9070086A6103605000000');
    expect(call('gunzip', bytes('1F8B0800000000000013CB48CDC9C9070086A6103605000000'))).toBe('hello');
  });

  it('round-trips binary data', () => {
    const data = Buffer.from(Array.from({ length: 1000 }, (_, i) => (i * 7) % 256));
    for (const [pack, unpack] of [
      ['gzip', 'gunzip'],
      ['zip', 'unzip'],
      ['zip_compress', 'zip_uncompress'],
    ] as const) {
      expect(Buffer.from(call(unpack, call(pack, data)) as Uint8Array)).toEqual(data);
      expect(call(unpack, call(pack, ''))).toBe('');
    }
  });

  it('fails on corrupt input and non-binaries', () => {
    expect(() => call('gunzip', 'not gzip')).toThrow(/gunzip: cannot process/);
    expect(() => call('zip_uncompress', bytes('CB48CDC9C90700'))).toThrow(RuleRuntimeError);
    expect(() => call('gzip', 12)).toThrow(RuleRuntimeError);
  });
});

describe('codec properties', () => {
  const asBuffer = (value: unknown): Buffer =>
    typeof value === 'string' ? Buffer.from(value) : Buffer.from(value as Uint8Array);

  it('every compression and base64 pair round-trips arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const data = Buffer.from(bytes);
        expect(asBuffer(call('gunzip', call('gzip', data)))).toEqual(data);
        expect(asBuffer(call('unzip', call('zip', data)))).toEqual(data);
        expect(asBuffer(call('zip_uncompress', call('zip_compress', data)))).toEqual(data);
        expect(asBuffer(call('base64_decode', call('base64_encode', data)))).toEqual(data);
        expect(
          asBuffer(
            call(
              'base64_decode',
              call('base64_encode', data, 'urlsafe', 'no_padding'),
              'no_padding',
              'urlsafe',
            ),
          ),
        ).toEqual(data);
      }),
    );
  });
});
