import * as crypto from 'node:crypto';
import type { RuleFunction } from './registry';
import { defineFunction, describe, fail, toBytes } from './values';

// why: EMQX takes Erlang crypto's algorithm names; these are Node's (OpenSSL's) names for them
const ALGORITHMS: Record<string, string> = {
  md4: 'md4',
  md5: 'md5',
  sha: 'sha1',
  sha1: 'sha1',
  sha224: 'sha224',
  sha256: 'sha256',
  sha384: 'sha384',
  sha512: 'sha512',
  sha3_224: 'sha3-224',
  sha3_256: 'sha3-256',
  sha3_384: 'sha3-384',
  sha3_512: 'sha3-512',
  shake128: 'shake128',
  shake256: 'shake256',
  blake2b: 'blake2b512',
  blake2s: 'blake2s256',
};

/** Lower-case hex digest of a binary (text is hashed as its UTF-8 bytes), as EMQX returns it. */
function hexDigest(fn: string, algorithm: string, data: unknown): string {
  if (data === null || data === undefined) fail(fn, 'cannot hash null');
  const bytes = toBytes(fn, typeof data === 'boolean' ? String(data) : data);
  try {
    // why: the one-shot crypto.hash (Node >= 20.12) skips the Hash object and is several times faster
    if (typeof crypto.hash === 'function') return crypto.hash(algorithm, bytes, 'hex');
    return crypto.createHash(algorithm).update(bytes).digest('hex');
  } catch (error) {
    return fail(fn, `${algorithm} is not available: ${(error as Error).message}`);
  }
}

function hash([algorithm, data]: unknown[]): string {
  const name = typeof algorithm === 'string' ? ALGORITHMS[algorithm] : undefined;
  if (name === undefined) return fail('hash', `unknown hash algorithm ${describe(algorithm)}`);
  return hexDigest('hash', name, data);
}

/** md5/sha/sha256 accept binaries only (EMQX's is_binary guard), unlike hash/2 which also takes atoms. */
function strictDigest(fn: string, algorithm: string): RuleFunction {
  return defineFunction(fn, 1, 1, ([data]) => {
    if (typeof data !== 'string' && !(data instanceof Uint8Array)) {
      return fail(fn, `expected a string or binary, got ${describe(data)}`);
    }
    return hexDigest(fn, algorithm, data);
  });
}

export const hashFunctions: RuleFunction[] = [
  strictDigest('md5', 'md5'),
  strictDigest('sha', 'sha1'),
  strictDigest('sha256', 'sha256'),
  defineFunction('hash', 2, 2, hash),
];
