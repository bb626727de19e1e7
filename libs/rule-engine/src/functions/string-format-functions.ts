import { formatErlang } from './erlang-format';
import { numberToString } from './number-format';
import type { RuleFunction } from './registry';
import { textArg } from './string-functions';
import { anyToText, jsonEncode } from './term-text';
import { defineFunction, describe, fail, requireArray } from './values';

/** emqx_placeholder:quote_sql2/1: SQL literal with backslash escapes; undefined is NULL, numbers bare. */
function sqlLiteral(value: unknown): string {
  if (value === undefined) return 'NULL';
  if (typeof value === 'number') return numberToString(value);
  const text = Array.isArray(value)
    ? jsonEncode('join_to_sql_values_string', value)
    : anyToText('join_to_sql_values_string', value);
  return `'${text.replace(/[\\']/g, (c) => `\\${c}`)}'`;
}

const SIMPLE_ESCAPES: Record<string, string> = {
  '\\': '\\',
  n: '\n',
  t: '\t',
  r: '\r',
  b: '\b',
  f: '\f',
  v: '\v',
  "'": "'",
  '"': '"',
  '?': '?',
  a: '\x07',
};

/** EMQX's unescape: C escapes plus \x with any number of hex digits (a Unicode code point). */
function unescape(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    const next = text[i + 1];
    if (c !== '\\' || next === undefined) {
      out += c;
      continue;
    }
    const simple = SIMPLE_ESCAPES[next];
    if (simple !== undefined) {
      out += simple;
      i++;
      continue;
    }
    const hex = next === 'x' ? /^[0-9a-fA-F]+/.exec(text.slice(i + 2))?.[0] : undefined;
    if (hex === undefined) return fail('unescape', `unrecognized escape sequence \\${next}`);
    const codePoint = parseInt(hex, 16);
    if (codePoint > 0x10ffff || (codePoint >= 0xd800 && codePoint <= 0xdfff)) {
      return fail('unescape', `\\x${hex} is not a valid Unicode character`);
    }
    out += String.fromCodePoint(codePoint);
    i += 1 + hex.length;
  }
  return out;
}

// why: rules reuse a handful of literal patterns; compiling once per pattern keeps evaluation cheap
const regexCache = new Map<string, RegExp>();

const ANCHORS: Record<string, string> = { A: '(?<![\\s\\S])', z: '(?![\\s\\S])', Z: '(?=\\n?(?![\\s\\S]))' };

/** PCRE's subject anchors \A, \z and \Z, which JavaScript would read as the plain letters. */
function pcreAnchors(source: string): string {
  let out = '';
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const c = source[i]!;
    if (c === '\\' && i + 1 < source.length) {
      const next = source[++i]!;
      out += !inClass && ANCHORS[next] !== undefined ? ANCHORS[next] : c + next;
      continue;
    }
    if (c === '[') inClass = true;
    else if (c === ']') inClass = false;
    out += c;
  }
  return out;
}

function regex(fn: string, pattern: unknown, global: boolean): RegExp {
  const source = textArg(fn, pattern, 'regular expression');
  const key = `${global ? 'g' : '-'}${source}`;
  let compiled = regexCache.get(key);
  if (!compiled) {
    // why: PCRE rules often start with inline flags such as (?i); JS takes them as RegExp flags instead
    const inline = /^\(\?([ims]+)\)/.exec(source);
    const flags = (global ? 'g' : '') + (inline?.[1] ?? '');
    try {
      compiled = new RegExp(pcreAnchors(inline ? source.slice(inline[0].length) : source), flags);
    } catch (error) {
      return fail(fn, `invalid regular expression ${describe(source)}: ${(error as Error).message}`);
    }
    if (regexCache.size >= 1000) regexCache.clear();
    regexCache.set(key, compiled);
  }
  compiled.lastIndex = 0;
  return compiled;
}

/** re:replace replacement syntax: & is the match, \N and \g{N} are groups, \& and \\ are literal. */
function expandReplacement(template: string, match: string, groups: Array<string | undefined>): string {
  return template.replace(
    /\\g\{(\d+)\}|\\(\d+)|\\([\\&])|&/g,
    (token, braced?: string, plain?: string, literal?: string) => {
      if (literal !== undefined) return literal;
      const index = braced ?? plain;
      if (index === undefined) return match;
      const n = Number(index);
      return n === 0 ? match : (groups[n - 1] ?? '');
    },
  );
}

function regexReplace([value, pattern, replacement]: unknown[]): string {
  const fn = 'regex_replace';
  const text = textArg(fn, value);
  const template = textArg(fn, replacement, 'replacement');
  return text.replace(regex(fn, pattern, true), (match: string, ...rest: unknown[]) => {
    const groups = rest.slice(0, -2) as Array<string | undefined>;
    return expandReplacement(template, match, groups);
  });
}

function regexExtract([value, pattern]: unknown[]): string[] {
  const match = regex('regex_extract', pattern, false).exec(textArg('regex_extract', value));
  return match ? match.slice(1).map((group) => group ?? '') : [];
}

function joinToString(args: unknown[]): string {
  const [separator, list] = args.length === 1 ? [', ', args[0]] : args;
  const sep = textArg('join_to_string', separator, 'separator');
  return requireArray('join_to_string', list)
    .map((item) => anyToText('join_to_string', item))
    .join(sep);
}

export const stringFormatFunctions: RuleFunction[] = [
  defineFunction('sprintf', 1, Infinity, ([format, ...args]) =>
    formatErlang(textArg('sprintf', format, 'format'), args),
  ),
  defineFunction('sprintf_s', 2, 2, ([format, args]) =>
    formatErlang(textArg('sprintf_s', format, 'format'), requireArray('sprintf_s', args)),
  ),
  defineFunction('join_to_string', 1, 2, joinToString),
  defineFunction('join_to_sql_values_string', 1, 1, ([list]) =>
    requireArray('join_to_sql_values_string', list).map(sqlLiteral).join(', '),
  ),
  defineFunction('unescape', 1, 1, ([s]) => unescape(textArg('unescape', s))),
  defineFunction('regex_match', 2, 2, ([s, re]) =>
    regex('regex_match', re, false).test(textArg('regex_match', s)),
  ),
  defineFunction('regex_replace', 3, 3, regexReplace),
  defineFunction('regex_extract', 2, 2, regexExtract),
];
