import { RuleSqlError } from '../errors';
import { KEYWORDS, type Token, type TokenKind } from './token';

const IDENTIFIER = /[A-Za-z][A-Za-z0-9_$@~]*/y;
// rulesql's sql_lex.xrl: INTNUM is digits; APPROXNUM is two or more digits with an optional point
// between them, an optional exponent and an optional f/d suffix; the longer match wins (INTNUM on a tie)
const INTEGER = /\d+/y;
const APPROXIMATE = /\d+\.?\d+(?:[eE][+-]?\d+)?[fFdD]?/y;
// list_to_float/1, which turns an APPROXNUM into a float, takes only this shape
const ERLANG_FLOAT = /^\d+\.\d+(?:[eE][+-]?\d+)?$/;
const RANGE = /\[([-+]?\d+)\.\.([-+]?\d+)\]/y;
const COMPARISONS = ['<=', '>=', '<>', '!=', '=~', '=', '<', '>'];
const PUNCTUATION = '()[],.+-*/';

/** Splits rule SQL into tokens, tracking 1-based line and column for error messages. */
export function tokenize(sql: string): Token[] {
  const tokens: Token[] = [];
  let pos = 0;
  let line = 1;
  let lineStart = 0;

  const push = (kind: TokenKind, value: string, start: number, end: number, range?: [number, number]) => {
    const token: Token = { kind, value, text: sql.slice(start, end), line, column: start - lineStart + 1 };
    tokens.push(range ? { ...token, range } : token);
  };
  const fail = (detail: string, at: number): never => {
    throw new RuleSqlError(detail, line, at - lineStart + 1);
  };

  while (pos < sql.length) {
    const ch = sql[pos] as string;
    if (ch === '\n') {
      pos++;
      line++;
      lineStart = pos;
      continue;
    }
    if (ch === ' ' || ch === '\t' || ch === '\r') {
      pos++;
      continue;
    }
    if (ch === '-' && sql[pos + 1] === '-') {
      // a comment runs to the end of the line, as in rulesql
      while (pos < sql.length && sql[pos] !== '\n') pos++;
      continue;
    }
    if (ch === "'" || ch === '"') {
      const end = quotedEnd(sql, pos, ch);
      if (end < 0) fail(`unterminated ${ch === "'" ? 'string' : 'quoted name'}`, pos);
      push(ch === "'" ? 'string' : 'quoted-name', sql.slice(pos + 1, end - 1), pos, end);
      for (let i = pos; i < end; i++) {
        if (sql[i] === '\n') {
          line++;
          lineStart = i + 1;
        }
      }
      pos = end;
      continue;
    }
    const start = pos;
    if (/[A-Za-z]/.test(ch)) {
      IDENTIFIER.lastIndex = pos;
      const word = (IDENTIFIER.exec(sql) as RegExpExecArray)[0];
      pos += word.length;
      const upper = word.toUpperCase();
      if (KEYWORDS.has(upper)) push('keyword', upper, start, pos);
      else push('name', word, start, pos);
      continue;
    }
    if (ch >= '0' && ch <= '9') {
      INTEGER.lastIndex = pos;
      APPROXIMATE.lastIndex = pos;
      const digits = (INTEGER.exec(sql) as RegExpExecArray)[0];
      const approximate = APPROXIMATE.exec(sql)?.[0] ?? '';
      if (approximate.length > digits.length) {
        // EMQX's parser fails on these (list_to_float badarg): 12e3, 1.5f
        if (!ERLANG_FLOAT.test(approximate))
          fail(`'${approximate}' is not a number EMQX reads (write a float as 12.0e3)`, pos);
        pos += approximate.length;
        push('float', approximate, start, pos);
      } else {
        pos += digits.length;
        push('integer', digits, start, pos);
      }
      continue;
    }
    if (ch === '[') {
      RANGE.lastIndex = pos;
      const match = RANGE.exec(sql);
      if (match) {
        pos += match[0].length;
        push('range', match[0], start, pos, [Number(match[1]), Number(match[2])]);
        continue;
      }
    }
    const comparison = COMPARISONS.find((op) => sql.startsWith(op, pos));
    if (comparison) {
      pos += comparison.length;
      push('comparison', comparison, start, pos);
      continue;
    }
    if (PUNCTUATION.includes(ch)) {
      pos++;
      push('punct', ch, start, pos);
      continue;
    }
    // why the hint: '#' and '+' wildcards appear only in topics, which must be quoted
    fail(`unexpected character '${ch}'${ch === '#' ? ' (quote a topic filter: FROM "a/#")' : ''}`, pos);
  }
  push('eof', '', pos, pos);
  return tokens;
}

/**
 * Where a quoted token ends (after its closing quote), or -1. Like rulesql, a doubled quote stays
 * inside the token and is not unescaped, and there are no backslash escapes (EMQX users call
 * `unescape()` for those).
 */
function quotedEnd(sql: string, start: number, quote: string): number {
  let pos = start + 1;
  for (;;) {
    const close = sql.indexOf(quote, pos);
    if (close < 0) return -1;
    if (sql[close + 1] !== quote) return close + 1;
    pos = close + 2;
  }
}
