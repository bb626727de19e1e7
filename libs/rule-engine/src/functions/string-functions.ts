import { Buffer, isUtf8 } from 'node:buffer';
import { graphemes } from './graphemes';
import type { RuleFunction } from './registry';
import { anyToString } from './term-text';
import {
  defineFunction,
  describe,
  fail,
  fromBytes,
  MAX_GENERATED_LENGTH,
  optionalArg,
  requireArray,
  requireInteger,
  toBytes,
} from './values';

/**
 * A string argument as EMQX's string functions take it: text, or an atom (true/false print by name).
 * null/undefined and non-text fail the message, as EMQX's badarg does.
 */
export function textArg(fn: string, value: unknown, what = 'argument'): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return String(value);
  if (value instanceof Uint8Array && isUtf8(value)) return Buffer.from(value).toString('utf8');
  return fail(fn, `${what} must be a string, got ${describe(value)}`);
}

// why: unicode_util:whitespace(), which string:trim uses; JS trim() has a different set (e.g. NBSP)
const WHITESPACE = new Set([
  ' ',
  '\t',
  '\n',
  '\v',
  '\f',
  '\r',
  '\u0085',
  '\u200e',
  '\u200f',
  '\u2028',
  '\u2029',
  '\r\n',
]);

function trim(text: string, where: 'leading' | 'trailing' | 'both', chars: Set<string> = WHITESPACE): string {
  const parts = graphemes(text);
  let start = 0;
  let end = parts.length;
  if (where !== 'trailing') while (start < end && chars.has(parts[start]!)) start++;
  if (where !== 'leading') while (end > start && chars.has(parts[end - 1]!)) end--;
  return parts.slice(start, end).join('');
}

function substr(args: unknown[]): string {
  const [value, start, length] = args;
  const fn = 'substr';
  const parts = graphemes(textArg(fn, value));
  const from = requireInteger(fn, start, 'start');
  if (from < 0) fail(fn, `start must not be negative, got ${from}`);
  if (args.length === 2) return parts.slice(from).join('');
  const count = requireInteger(fn, length, 'length');
  if (count < 0) fail(fn, `length must not be negative, got ${count}`);
  return parts.slice(from, from + count).join('');
}

function pad(args: unknown[]): string {
  const fn = 'pad';
  const [value, length] = args;
  const direction = optionalArg(args, 2, 'trailing');
  const char = optionalArg(args, 3, ' ');
  const text = textArg(fn, value);
  const missing = requireInteger(fn, length, 'length') - graphemes(text).length;
  const filler = textArg(fn, char, 'pad character');
  if (direction !== 'leading' && direction !== 'trailing' && direction !== 'both') {
    return fail(fn, `direction must be 'leading', 'trailing' or 'both', got ${describe(direction)}`);
  }
  if (missing <= 0) return text;
  if (missing * filler.length > MAX_GENERATED_LENGTH) fail(fn, `length ${String(length)} is too large`);
  if (direction === 'leading') return filler.repeat(missing) + text;
  if (direction === 'trailing') return text + filler.repeat(missing);
  const left = Math.floor(missing / 2);
  return filler.repeat(left) + text + filler.repeat(missing - left);
}

/** string:split/3 with all, leading or trailing; an empty separator splits nothing. */
function splitAt(text: string, separator: string, where: 'all' | 'leading' | 'trailing'): string[] {
  if (separator === '') return [text];
  if (where === 'all') return text.split(separator);
  const index = where === 'leading' ? text.indexOf(separator) : text.lastIndexOf(separator);
  return index < 0 ? [text] : [text.slice(0, index), text.slice(index + separator.length)];
}

const SPLIT_OPTIONS: Record<string, { where: 'all' | 'leading' | 'trailing'; keepEmpty: boolean }> = {
  notrim: { where: 'all', keepEmpty: true },
  leading: { where: 'leading', keepEmpty: false },
  leading_notrim: { where: 'leading', keepEmpty: true },
  trailing: { where: 'trailing', keepEmpty: false },
  trailing_notrim: { where: 'trailing', keepEmpty: true },
};

function split(args: unknown[]): string[] {
  const [value, separator, option] = args;
  const fn = 'split';
  const text = textArg(fn, value);
  const sep = textArg(fn, separator, 'separator');
  const chosen =
    args.length === 2 ? { where: 'all' as const, keepEmpty: false } : SPLIT_OPTIONS[textArg(fn, option)];
  if (!chosen) return fail(fn, `unknown option ${describe(option)}`);
  const parts = splitAt(text, sep, chosen.where);
  return chosen.keepEmpty ? parts : parts.filter((part) => part !== '');
}

function replace(args: unknown[]): string {
  const fn = 'replace';
  const [value, pattern, replacement] = args;
  const where = optionalArg(args, 3, 'all');
  const text = textArg(fn, value);
  const search = textArg(fn, pattern, 'pattern');
  const by = textArg(fn, replacement, 'replacement');
  if (where !== 'all' && where !== 'leading' && where !== 'trailing') {
    return fail(fn, `position must be 'all', 'leading' or 'trailing', got ${describe(where)}`);
  }
  return splitAt(text, search, where).join(by);
}

/**
 * string:lexemes over the bytes, as EMQX runs it: any separator byte splits, runs of separators
 * collapse, and CR LF counts as one separator only when asked for with 'nocrlf'.
 */
function tokens(args: unknown[]): Array<string | Uint8Array> {
  const [value, separators, option] = args;
  const fn = 'tokens';
  const bytes = Buffer.from(textArg(fn, value), 'utf8');
  const seps = new Set(Buffer.from(textArg(fn, separators, 'separators'), 'utf8'));
  if (args.length === 3 && option !== 'nocrlf') fail(fn, `unknown option ${describe(option)}`);
  const crlf = option === 'nocrlf';
  if (crlf) [13, 10].forEach((byte) => seps.add(byte));
  const out: Array<string | Uint8Array> = [];
  let start = 0;
  let i = 0;
  const flush = (end: number): void => {
    if (end > start) out.push(fromBytes(bytes.subarray(start, end)));
  };
  while (i < bytes.length) {
    const isCrlf = bytes[i] === 13 && bytes[i + 1] === 10;
    const width = isCrlf ? 2 : 1;
    if (isCrlf ? crlf : seps.has(bytes[i]!)) {
      flush(i);
      start = i + width;
    }
    i += width;
  }
  flush(bytes.length);
  return out;
}

function find(args: unknown[]): string {
  const fn = 'find';
  const [value, pattern] = args;
  const direction = optionalArg(args, 2, 'leading');
  const text = textArg(fn, value);
  const search = textArg(fn, pattern, 'pattern');
  if (direction !== 'leading' && direction !== 'trailing') {
    return fail(fn, `direction must be 'leading' or 'trailing', got ${describe(direction)}`);
  }
  const index = direction === 'leading' ? text.indexOf(search) : text.lastIndexOf(search);
  return index < 0 ? '' : text.slice(index);
}

function concat(args: unknown[]): string | Uint8Array {
  const items = args.length === 1 ? requireArray('concat', args[0]) : args;
  return fromBytes(Buffer.concat(items.map((item) => toBytes('concat', anyToString('concat', item)))));
}

function charSet(fn: string, chars: unknown): Set<string> {
  return new Set(Array.from(textArg(fn, chars, 'characters')));
}

const toLower = (s: string): string => s.toLowerCase();
const toUpper = (s: string): string => s.toUpperCase();
const lower = defineFunction('lower', 1, 1, ([s]) => toLower(textArg('lower', s)));
const upper = defineFunction('upper', 1, 1, ([s]) => toUpper(textArg('upper', s)));

/**
 * lower and upper by function, with what each does to a string argument (textArg passes a string as
 * it is); the rule compiler inlines that case.
 */
export const stringCaseFunctions: ReadonlyMap<RuleFunction, (s: string) => string> = new Map([
  [lower, toLower],
  [upper, toUpper],
]);

export const stringFunctions: RuleFunction[] = [
  lower,
  upper,
  defineFunction('trim', 1, 1, ([s]) => trim(textArg('trim', s), 'both')),
  defineFunction('ltrim', 1, 1, ([s]) => trim(textArg('ltrim', s), 'leading')),
  defineFunction('rtrim', 1, 2, (args) =>
    trim(textArg('rtrim', args[0]), 'trailing', args.length === 1 ? WHITESPACE : charSet('rtrim', args[1])),
  ),
  defineFunction('rm_prefix', 2, 2, ([s, prefix]) => {
    const text = textArg('rm_prefix', s);
    const head = textArg('rm_prefix', prefix, 'prefix');
    return text.startsWith(head) ? text.slice(head.length) : text;
  }),
  defineFunction('reverse', 1, 1, ([s]) => graphemes(textArg('reverse', s)).reverse().join('')),
  defineFunction('strlen', 1, 1, ([s]) => graphemes(textArg('strlen', s)).length),
  defineFunction('substr', 2, 3, substr),
  defineFunction('pad', 2, 4, pad),
  defineFunction('split', 2, 3, split),
  defineFunction('replace', 3, 4, replace),
  defineFunction('tokens', 2, 3, tokens),
  defineFunction('find', 2, 3, find),
  defineFunction('ascii', 1, 1, ([s]) => {
    const first = toBytes('ascii', textArg('ascii', s))[0];
    return first ?? fail('ascii', 'the string is empty');
  }),
  defineFunction('concat', 1, 2, concat),
];
