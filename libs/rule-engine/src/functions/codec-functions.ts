import { Buffer } from 'node:buffer';
import * as zlib from 'node:zlib';
import type { RuleFunction } from './registry';
import { jsonDecode, jsonEncode } from './term-text';
import { defineFunction, describe, fail, fromBytes, toBytes } from './values';

interface Base64Options {
  urlsafe: boolean;
  padding: boolean;
}

/** EMQX's base64 options: 'no_padding' and 'urlsafe'; anything else is ignored. */
function base64Options(options: unknown[]): Base64Options {
  return { urlsafe: options.includes('urlsafe'), padding: !options.includes('no_padding') };
}

function requireBinary(fn: string, data: unknown): Buffer {
  if (typeof data !== 'string' && !(data instanceof Uint8Array)) {
    return fail(fn, `expected a string or binary, got ${describe(data)}`);
  }
  return toBytes(fn, data);
}

function base64Encode([data, ...options]: unknown[]): string {
  const { urlsafe, padding } = base64Options(options);
  const bytes = requireBinary('base64_encode', data);
  const encoded = bytes.toString(urlsafe ? 'base64url' : 'base64');
  if (urlsafe && padding) return encoded + '='.repeat((4 - (encoded.length % 4)) % 4);
  return padding ? encoded : encoded.replace(/=+$/, '');
}

/** Strict decoding, as Erlang's base64: wrong alphabet or missing padding fails the message. */
function base64Decode([data, ...options]: unknown[]): string | Uint8Array {
  const fn = 'base64_decode';
  const { urlsafe, padding } = base64Options(options);
  // why: Erlang's base64:decode skips white space inside the input
  const text = requireBinary(fn, data)
    .toString('latin1')
    .replace(/[ \t\r\n]/g, '');
  const alphabet = urlsafe ? /^[A-Za-z0-9_-]*={0,2}$/ : /^[A-Za-z0-9+/]*={0,2}$/;
  const body = text.replace(/=+$/, '');
  const valid =
    alphabet.test(text) &&
    body.length % 4 !== 1 &&
    (text.length === body.length ? !padding || text.length % 4 === 0 : text.length % 4 === 0);
  if (!valid) fail(fn, `invalid base64 ${describe(text)}`);
  return fromBytes(Buffer.from(body, urlsafe ? 'base64url' : 'base64'));
}

function compression(name: string, run: (input: Buffer) => Buffer): RuleFunction {
  return defineFunction(name, 1, 1, ([data]) => {
    const input = requireBinary(name, data);
    try {
      return fromBytes(run(input));
    } catch (error) {
      return fail(name, `cannot process the data: ${(error as Error).message}`);
    }
  });
}

export const codecFunctions: RuleFunction[] = [
  defineFunction('base64_encode', 1, 3, base64Encode),
  defineFunction('base64_decode', 1, 3, base64Decode),
  defineFunction('json_encode', 1, 1, ([data]) => jsonEncode('json_encode', data)),
  defineFunction('json_decode', 1, 1, ([data]) =>
    jsonDecode('json_decode', requireBinary('json_decode', data).toString('utf8')),
  ),
  compression('gzip', (input) => zlib.gzipSync(input)),
  compression('gunzip', (input) => zlib.gunzipSync(input)),
  compression('zip', (input) => zlib.deflateRawSync(input)),
  compression('unzip', (input) => zlib.inflateRawSync(input)),
  compression('zip_compress', (input) => zlib.deflateSync(input)),
  compression('zip_uncompress', (input) => zlib.inflateSync(input)),
];
