import { Buffer } from 'node:buffer';
import { RuleRuntimeError } from '../errors';
import { builtinFunctions } from './registry';

const call = (name: string, ...args: unknown[]): unknown => builtinFunctions.get(name)!.call(args);

describe('hash functions', () => {
  it('return lower-case hex digests (EMQX reference values)', () => {
    expect(call('md5', 'hello')).toBe('5d41402abc4b2a76b9719d911017c592');
    expect(call('sha', 'hello')).toBe('aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d');
    expect(call('sha256', 'hello')).toBe('2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824');
  });

  it('hash the UTF-8 bytes of text and the raw bytes of binaries', () => {
    expect(call('md5', '')).toBe('d41d8cd98f00b204e9800998ecf8427e');
    expect(call('md5', Buffer.from('hello'))).toBe(call('md5', 'hello'));
    expect(call('sha256', '你好')).toBe(call('sha256', Buffer.from([0xe4, 0xbd, 0xa0, 0xe5, 0xa5, 0xbd])));
  });

  it('hash/2 takes Erlang crypto algorithm names', () => {
    expect(call('hash', 'sha1', 'hello')).toBe('aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d');
    expect(call('hash', 'sha', 'hello')).toBe('aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d');
    expect(call('hash', 'sha512', '')).toBe(
      'cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e',
    );
    expect(call('hash', 'sha3_256', '')).toBe(
      'a7ffc6f8bf1ed76651c14756a061d662f580ff4de43b49fa82d80a4b80f8434a',
    );
    expect(call('hash', 'sha224', '')).toBe('d14a028c2a3a2bc9476102bb288234c415a2b01f828ea62ac5b3e42f');
    expect((call('hash', 'blake2b', 'x') as string).length).toBe(128);
    expect((call('hash', 'shake128', 'x') as string).length).toBe(32);
    expect(call('hash', 'md5', true)).toBe(call('md5', 'true'));
  });

  it('fail on unknown algorithms, null and non-binaries', () => {
    expect(() => call('hash', 'crc32', 'x')).toThrow(/unknown hash algorithm/);
    expect(() => call('hash', 'md5', undefined)).toThrow(RuleRuntimeError);
    expect(() => call('md5', 123)).toThrow(RuleRuntimeError);
    expect(() => call('sha', null)).toThrow(RuleRuntimeError);
    expect(() => call('sha256', true)).toThrow(RuleRuntimeError);
  });
});
