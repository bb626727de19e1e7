/** The lexical classes of EMQX rule SQL (cf. rulesql's sql_lex.xrl). */
export type TokenKind =
  | 'keyword' // SELECT, FROM, ... (value is upper-case)
  | 'name' // bare identifier
  | 'quoted-name' // "..." : an identifier in EMQX, used for topics and odd field names
  | 'string' // '...'
  | 'integer'
  | 'float'
  | 'range' // [1..3], lexed as one token like EMQX does
  | 'comparison' // = != <> < > <= >= =~
  | 'punct' // ( ) [ ] , . + - * /
  | 'eof';

export interface Token {
  readonly kind: TokenKind;
  /** Keyword in upper case, identifier or string contents, operator or punctuation text. */
  readonly value: string;
  /** The source text, for error messages. */
  readonly text: string;
  readonly line: number;
  readonly column: number;
  readonly range?: readonly [number, number];
}

export const KEYWORDS: ReadonlySet<string> = new Set([
  'AND',
  'AS',
  'CASE',
  'IF',
  'ELSE',
  'ELSIF',
  'FROM',
  'IN',
  'NOT',
  'OR',
  'SELECT',
  'WHEN',
  'THEN',
  'FOREACH',
  'INCASE',
  'END',
  'DO',
  'WHERE',
]);

export function describeToken(token: Token): string {
  return token.kind === 'eof' ? 'end of input' : `'${token.text}'`;
}
