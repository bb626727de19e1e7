import { TemplateSyntaxError } from '../errors';
import { compilePath, parseTemplate, toJson, type TemplateInput, type TemplatePart } from './template';

export type SqlDialect = 'postgres' | 'mysql';

type Segment = string | { read: (input: TemplateInput) => unknown };

export interface SqlStatement {
  text: string;
  values: unknown[];
}

export interface SqlTemplate {
  readonly source: string;
  /** True when the template is `INSERT ... VALUES (...)` and batches become one multi-row INSERT. */
  readonly batchable: boolean;
  /** One statement for one record: placeholders become `$1..$n` (postgres) or `?` (mysql). */
  statement(input: TemplateInput): SqlStatement;
  /** One multi-row INSERT for all `inputs` (only when `batchable`). */
  batchStatement(inputs: readonly TemplateInput[]): SqlStatement;
}

/**
 * Compiles an SQL template whose `${...}` placeholders become bound parameters, never text. A
 * placeholder written in quotes (`'${payload.name}'`) is a parameter too: the quotes are dropped,
 * as EMQX does, so that habit cannot turn it into a literal. Missing values bind as NULL; maps and
 * lists bind as JSON text.
 *
 * @example
 * const t = compileSqlTemplate('INSERT INTO t(id, v) VALUES (${id}, ${payload.v})', 'postgres');
 * t.statement({ id: 'm1', data: { payload: { v: 3 } } }); // { text: '... VALUES ($1, $2)', values: ['m1', 3] }
 */
export function compileSqlTemplate(source: string, dialect: SqlDialect): SqlTemplate {
  const segments = toSegments(stripQuotedPlaceholders(parseTemplate(source)));
  const insert = splitInsert(segments);
  const numbered = (segs: Segment[], start: number) => render(segs, dialect, start);

  const single = numbered(segments, 1).text;
  const readers = segments.filter((s): s is Exclude<Segment, string> => typeof s !== 'string');
  const bind = (input: TemplateInput) => readers.map((r) => sqlValue(r.read(input)));

  const batchTexts = new Map<number, string>();
  return {
    source,
    batchable: insert !== undefined,
    statement: (input) => ({ text: single, values: bind(input) }),
    batchStatement(inputs) {
      if (!insert || inputs.length === 1) {
        if (inputs.length !== 1) throw new Error('batchStatement needs a batchable template');
        return { text: single, values: bind(inputs[0]!) };
      }
      let text = batchTexts.get(inputs.length);
      if (text === undefined) {
        const rows: string[] = [];
        for (let i = 0; i < inputs.length; i++)
          rows.push(numbered(insert.row, 1 + i * insert.rowParams).text);
        text = `${insert.prefix}${rows.join(', ')}${insert.suffix}`;
        batchTexts.set(inputs.length, text);
      }
      return { text, values: inputs.flatMap(bind) };
    },
  };
}

/** EMQX's `sql_data/1`: undefined is NULL, maps and lists are JSON, the rest binds as it is. */
export function sqlValue(value: unknown): unknown {
  if (value === undefined || value === null) return null;
  if (typeof value === 'object' && !(value instanceof Uint8Array) && !(value instanceof Date))
    return toJson(value);
  return value;
}

function stripQuotedPlaceholders(parts: TemplatePart[]): TemplatePart[] {
  const out = parts.map((p) => ({ ...p }));
  for (let i = 1; i < out.length - 1; i++) {
    const before = out[i - 1]!;
    const after = out[i + 1]!;
    if (out[i]!.kind !== 'var' || before.kind !== 'text' || after.kind !== 'text') continue;
    const quote = before.text.at(-1);
    if ((quote === "'" || quote === '"') && after.text.startsWith(quote)) {
      before.text = before.text.slice(0, -1);
      after.text = after.text.slice(1);
    }
  }
  return out.filter((p) => p.kind === 'var' || p.text !== '');
}

function toSegments(parts: TemplatePart[]): Segment[] {
  return parts.map((p) => (p.kind === 'text' ? p.text : { read: compilePath(p.path) }));
}

function render(segments: Segment[], dialect: SqlDialect, start: number): { text: string } {
  let n = start;
  let text = '';
  for (const s of segments) text += typeof s === 'string' ? s : dialect === 'postgres' ? `$${n++}` : '?';
  return { text };
}

interface InsertShape {
  prefix: string;
  row: Segment[];
  rowParams: number;
  suffix: string;
}

const insertHead = /^\s*insert\s+(?:ignore\s+)?into\s+[^;]+?\s+values\s*$/i;

/**
 * Finds `INSERT ... VALUES (row) suffix` where only the row has placeholders; the row is then
 * repeated for each record. Anything else (placeholders in the suffix, several rows, SELECT) is
 * run one statement per record.
 */
function splitInsert(segments: Segment[]): InsertShape | undefined {
  const first = segments[0];
  if (typeof first !== 'string') return undefined;
  const open = first.search(/\bvalues\s*\(/i);
  if (open < 0) return undefined;
  const paren = first.indexOf('(', open);
  const prefix = first.slice(0, paren);
  if (!insertHead.test(prefix)) return undefined;

  // walk to the ")" that closes the row, skipping quoted text
  const row: Segment[] = [];
  let depth = 0;
  let quote: string | undefined;
  for (let si = 0; si < segments.length; si++) {
    const seg = segments[si]!;
    if (typeof seg !== 'string') {
      row.push(seg);
      continue;
    }
    const from = si === 0 ? paren : 0;
    for (let ci = from; ci < seg.length; ci++) {
      const ch = seg[ci]!;
      if (quote) {
        if (ch === quote) quote = undefined;
      } else if (ch === "'" || ch === '"' || ch === '`') quote = ch;
      else if (ch === '(') depth++;
      else if (ch === ')' && --depth === 0) {
        row.push(seg.slice(from, ci + 1));
        const rest = segments.slice(si + 1);
        const suffix = seg.slice(ci + 1);
        if (rest.length > 0 || /^\s*,/.test(suffix)) return undefined;
        const rowParams = row.filter((s) => typeof s !== 'string').length;
        return { prefix, row, rowParams, suffix };
      }
    }
    row.push(seg.slice(from));
  }
  throw new TemplateSyntaxError('unbalanced parentheses after VALUES', first.length);
}
