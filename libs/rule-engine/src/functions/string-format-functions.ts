import { isErlangNumber } from '../numbers/erlang-number';
import { RE2JS, type Matcher } from 're2js';
import { formatErlang } from './erlang-format';
import { numberToString } from './number-format';
import type { RuleFunction } from './registry';
import { textArg } from './string-functions';
import { anyToText, jsonEncode } from './term-text';
import { defineFunction, describe, fail, requireArray } from './values';

/** emqx_placeholder:quote_sql2/1: SQL literal with backslash escapes; undefined is NULL, numbers bare. */
function sqlLiteral(value: unknown): string {
  if (value === undefined) return 'NULL';
  if (isErlangNumber(value)) return numberToString(value);
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
const regexCache = new Map<string, RE2JS>();

/** PCRE escapes RE2 spells differently: \Z (end, before a final newline), and \A \z \Z inside a class (letters). */
function pcreToRe2(source: string): string {
  let out = '';
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const c = source[i]!;
    if (c === '\\' && i + 1 < source.length) {
      const next = source[++i]!;
      if (inClass && (next === 'A' || next === 'z' || next === 'Z')) out += next;
      else if (!inClass && next === 'Z') out += '(?:\\n?\\z)';
      else out += c + next;
      continue;
    }
    if (c === '[') inClass = true;
    else if (c === ']') inClass = false;
    out += c;
  }
  return out;
}

/**
 * A user's pattern on RE2 semantics (re2js): matching is linear in the subject, whatever the
 * pattern, so a pattern taken from a message cannot stall the process (docs/adr/0004).
 */
function regex(fn: string, pattern: unknown): RE2JS {
  const source = textArg(fn, pattern, 'regular expression');
  let compiled = regexCache.get(source);
  if (!compiled) {
    try {
      compiled = RE2JS.compile(pcreToRe2(source));
    } catch (error) {
      return fail(
        fn,
        `invalid regular expression ${describe(source)}: ${(error as Error).message} ` +
          '(patterns have RE2 syntax: no backreferences, lookaround or possessive quantifiers)',
      );
    }
    if (regexCache.size >= 1000) regexCache.clear();
    regexCache.set(source, compiled);
  }
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

function groupsOf(matcher: Matcher): Array<string | undefined> {
  const groups: Array<string | undefined> = [];
  for (let g = 1; g <= matcher.groupCount(); g++) groups.push(matcher.group(g) ?? undefined);
  return groups;
}

function regexReplace([value, pattern, replacement]: unknown[]): string {
  const fn = 'regex_replace';
  const text = textArg(fn, value);
  const template = textArg(fn, replacement, 'replacement');
  const matcher = regex(fn, pattern).matcher(text);
  let out = '';
  let last = 0;
  while (matcher.find()) {
    out +=
      text.slice(last, matcher.start()) +
      expandReplacement(template, matcher.group() ?? '', groupsOf(matcher));
    last = matcher.end();
  }
  return out + text.slice(last);
}

function regexExtract([value, pattern]: unknown[]): string[] {
  const matcher = regex('regex_extract', pattern).matcher(textArg('regex_extract', value));
  return matcher.find() ? groupsOf(matcher).map((group) => group ?? '') : [];
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
  defineFunction('regex_match', 2, 2, ([s, re]) => regex('regex_match', re).test(textArg('regex_match', s))),
  defineFunction('regex_replace', 3, 3, regexReplace),
  defineFunction('regex_extract', 2, 2, regexExtract),
];
