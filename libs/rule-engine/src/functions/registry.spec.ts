import { Buffer } from 'node:buffer';
import fc from 'fast-check';
import { RuleRuntimeError } from '../errors';
import { builtinFunctions } from './registry';

// The EMQX 5 rule function reference (emqx_rule_funcs exports) minus the ones Sluice leaves out on
// purpose (see docs/rule-sql.md): written out by hand so a lost entry fails here.
const EXPECTED: Record<string, [min: number, max: number]> = {
  abs: [1, 1],
  acos: [1, 1],
  acosh: [1, 1],
  asin: [1, 1],
  asinh: [1, 1],
  atan: [1, 1],
  atanh: [1, 1],
  ceil: [1, 1],
  cos: [1, 1],
  cosh: [1, 1],
  exp: [1, 1],
  floor: [1, 1],
  fmod: [2, 2],
  log: [1, 1],
  log10: [1, 1],
  log2: [1, 1],
  power: [2, 2],
  random: [0, 0],
  round: [1, 1],
  sin: [1, 1],
  sinh: [1, 1],
  sqrt: [1, 1],
  tan: [1, 1],
  tanh: [1, 1],
  bitnot: [1, 1],
  bitand: [2, 2],
  bitor: [2, 2],
  bitxor: [2, 2],
  bitsl: [2, 2],
  bitsr: [2, 2],
  bitsize: [1, 1],
  bytesize: [1, 1],
  subbits: [2, 6],
  str: [1, 1],
  str_utf8: [1, 1],
  str_utf16_le: [1, 1],
  bool: [1, 1],
  int: [1, 1],
  float: [1, 2],
  float2str: [2, 2],
  map: [1, 1],
  bin2hexstr: [1, 2],
  hexstr2bin: [1, 2],
  sqlserver_bin2hexstr: [1, 1],
  is_null: [1, 1],
  is_null_var: [1, 1],
  is_not_null: [1, 1],
  is_not_null_var: [1, 1],
  is_str: [1, 1],
  is_bool: [1, 1],
  is_int: [1, 1],
  is_float: [1, 1],
  is_num: [1, 1],
  is_map: [1, 1],
  is_array: [1, 1],
  is_empty: [1, 1],
  null: [0, 0],
  coalesce: [1, 2],
  coalesce_ne: [1, 2],
  lower: [1, 1],
  upper: [1, 1],
  trim: [1, 1],
  ltrim: [1, 1],
  rtrim: [1, 2],
  rm_prefix: [2, 2],
  reverse: [1, 1],
  strlen: [1, 1],
  substr: [2, 3],
  split: [2, 3],
  concat: [1, 2],
  tokens: [2, 3],
  sprintf: [1, Infinity],
  sprintf_s: [2, 2],
  pad: [2, 4],
  replace: [3, 4],
  regex_match: [2, 2],
  regex_replace: [3, 3],
  regex_extract: [2, 2],
  ascii: [1, 1],
  find: [2, 3],
  join_to_string: [1, 2],
  join_to_sql_values_string: [1, 1],
  unescape: [1, 1],
  map_new: [0, 0],
  map_get: [2, 3],
  map_put: [3, 3],
  map_keys: [1, 1],
  map_values: [1, 1],
  map_to_entries: [1, 1],
  map_size: [1, 1],
  mget: [2, 3],
  mput: [3, 3],
  nth: [2, 2],
  length: [1, 1],
  sublist: [2, 3],
  first: [1, 1],
  last: [1, 1],
  contains: [2, 2],
  md5: [1, 1],
  sha: [1, 1],
  sha256: [1, 1],
  hash: [2, 2],
  gzip: [1, 1],
  gunzip: [1, 1],
  zip: [1, 1],
  unzip: [1, 1],
  zip_compress: [1, 1],
  zip_uncompress: [1, 1],
  base64_encode: [1, 3],
  base64_decode: [1, 3],
  json_encode: [1, 1],
  json_decode: [1, 1],
  now_rfc3339: [0, 1],
  now_timestamp: [0, 1],
  unix_ts_to_rfc3339: [1, 2],
  rfc3339_to_unix_ts: [1, 2],
  format_date: [3, 4],
  date_to_unix_ts: [3, 4],
  timezone_to_second: [1, 1],
  timezone_to_offset_seconds: [1, 1],
  uuid_v4: [0, 0],
  uuid_v4_no_hyphen: [0, 0],
  getenv: [1, 1],
  contains_topic: [2, 3],
  contains_topic_match: [2, 3],
};

describe('builtinFunctions', () => {
  it('has every expected function with its arity, and nothing unexpected', () => {
    const actual = Object.fromEntries(
      [...builtinFunctions].map(([name, fn]) => [name, [fn.minArgs, fn.maxArgs]]),
    );
    expect(actual).toEqual(EXPECTED);
  });

  it('keys are the lower-case function names', () => {
    for (const [key, fn] of builtinFunctions) {
      expect(key).toBe(key.toLowerCase());
      expect(fn.name).toBe(key);
    }
  });

  it('has no entry for the functions Sluice leaves out', () => {
    for (const name of [
      'jq',
      'term_encode',
      'term_decode',
      'schema_encode',
      'schema_decode',
      'kv_store_get',
      'proc_dict_get',
      'mongo_date',
      'map_to_redis_hset_args',
    ]) {
      expect(builtinFunctions.has(name)).toBe(false);
    }
  });
});

describe('optional arguments', () => {
  const call = (name: string, ...args: unknown[]): unknown => builtinFunctions.get(name)!.call(args);

  it('a missing value passed explicitly does not stand in for a left-out argument', () => {
    // why: EMQX pattern-matches the actual argument, so f(X, undefined) fails where f(X) uses the default
    expect(call('pad', 'abc', 5)).toBe('abc  ');
    expect(() => call('pad', 'abc', 5, undefined)).toThrow(RuleRuntimeError);
    expect(() => call('find', 'abc', 'b', undefined)).toThrow(RuleRuntimeError);
    expect(() => call('replace', 'abc', 'b', 'x', undefined)).toThrow(RuleRuntimeError);
    expect(() => call('split', 'a,b', ',', undefined)).toThrow(RuleRuntimeError);
    expect(() => call('tokens', 'a,b', ',', undefined)).toThrow(RuleRuntimeError);
    expect(() => call('substr', 'abc', 1, undefined)).toThrow(RuleRuntimeError);
    expect(() => call('rtrim', 'abc ', undefined)).toThrow(RuleRuntimeError);
    expect(() => call('float', 1.5, undefined)).toThrow(RuleRuntimeError);
    expect(() => call('subbits', 'a', 1, 8, undefined)).toThrow(RuleRuntimeError);
    expect(() => call('now_timestamp', undefined)).toThrow(RuleRuntimeError);
    expect(() => call('unix_ts_to_rfc3339', 0, undefined)).toThrow(RuleRuntimeError);
    expect(() => call('format_date', 'second', 'Z', '%Y', undefined)).toThrow(RuleRuntimeError);
    expect(call('contains_topic', [{ topic: 't/1', qos: 1 }], 't/1', undefined)).toBe(false);
  });
});

describe('robustness', () => {
  const value: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
    any: fc.oneof(
      { depthSize: 'small' },
      fc.constant(undefined),
      fc.constant(null),
      fc.boolean(),
      fc.integer({ min: -1000, max: 1000 }),
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.string({ maxLength: 12 }),
      fc.constantFrom(
        'second',
        'millisecond',
        'leading',
        'trailing',
        'both',
        'notrim',
        'integer',
        'float',
        'bits',
        'signed',
        'little',
        '+08:00',
        '%Y-%m-%d',
        'sha256',
        '{"a":1}',
        '~p ~s',
        'urlsafe',
      ),
      fc.uint8Array({ maxLength: 8 }).map((bytes) => Buffer.from(bytes)),
      fc.array(tie('any'), { maxLength: 3 }),
      fc.dictionary(fc.string({ maxLength: 3 }), tie('any'), { maxKeys: 3 }),
    ),
  })).any;

  it('every function either returns or throws RuleRuntimeError, whatever its arguments', () => {
    const functions = [...builtinFunctions.values()];
    fc.assert(
      fc.property(fc.constantFrom(...functions), fc.array(value, { maxLength: 6 }), (fn, args) => {
        const arity = Math.min(Math.max(args.length, fn.minArgs), fn.maxArgs === Infinity ? 6 : fn.maxArgs);
        const callArgs = Array.from({ length: arity }, (_, i) => args[i]);
        try {
          fn.call(callArgs);
        } catch (error) {
          if (!(error instanceof RuleRuntimeError))
            throw new Error(`${fn.name}(${String(callArgs.length)} args) threw ${String(error)}`);
        }
      }),
      { numRuns: 5000 },
    );
  });
});
