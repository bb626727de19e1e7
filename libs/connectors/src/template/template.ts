import { TemplateSyntaxError } from '../errors';

/** What a template reads: the rule output (`data`) and the record's stable `id`. */
export interface TemplateInput {
  id?: string;
  data: Record<string, unknown>;
  /** The JSON text of `data`, if the caller has it: `${.}` renders it without serializing again. */
  json?: string;
}

/** How a placeholder whose value is missing renders: EMQX renders `undefined` (its atom) by default. */
export type MissingPolicy = 'undefined' | 'empty';

export interface TemplateOptions {
  missing?: MissingPolicy;
}

/** A path into the data; an empty path is the whole data (`${.}`). */
export type PlaceholderPath = readonly string[];

export type TemplatePart =
  { kind: 'text'; text: string } | { kind: 'var'; path: PlaceholderPath; source: string };

export interface Template {
  readonly source: string;
  /** The placeholders in order of appearance, as written (`payload.x`). */
  readonly placeholders: readonly string[];
  /** Renders to a string: each value as EMQX prints it (maps and lists as JSON). */
  render(input: TemplateInput): string;
  /**
   * The raw value when the template is exactly one placeholder (`${payload.ts}` gives the number),
   * otherwise the rendered string. Missing values give `undefined`.
   */
  value(input: TemplateInput): unknown;
}

/**
 * Splits a template into text and placeholders. `${a.b}` reads `a`, then `b`; a leading dot is
 * ignored and `${.}` is the whole data, as in EMQX.
 */
export function parseTemplate(source: string): TemplatePart[] {
  const parts: TemplatePart[] = [];
  let at = 0;
  while (at < source.length) {
    const open = source.indexOf('${', at);
    if (open < 0) break;
    const close = source.indexOf('}', open + 2);
    if (close < 0) throw new TemplateSyntaxError("unterminated placeholder: '${' without '}'", open);
    const inner = source.slice(open + 2, close).trim();
    if (!inner) throw new TemplateSyntaxError("empty placeholder '${}'", open);
    if (open > at) parts.push({ kind: 'text', text: source.slice(at, open) });
    parts.push({ kind: 'var', path: parsePath(inner, open), source: inner });
    at = close + 1;
  }
  if (at < source.length) parts.push({ kind: 'text', text: source.slice(at) });
  return parts;
}

function parsePath(inner: string, offset: number): PlaceholderPath {
  const body = inner.startsWith('.') ? inner.slice(1) : inner;
  if (!body) return [];
  const path = body.split('.');
  if (path.some((segment) => !segment))
    throw new TemplateSyntaxError(`bad placeholder path '${inner}'`, offset);
  return path;
}

/**
 * Compiles a template once into a renderer.
 *
 * @example
 * const t = compileTemplate('${topic}: ${payload.temp}');
 * t.render({ data: { topic: 't/1', payload: '{"temp":21.5}' } }); // 't/1: 21.5'
 */
export function compileTemplate(source: string, options: TemplateOptions = {}): Template {
  const parts = parseTemplate(source);
  const missing = options.missing === 'empty' ? '' : 'undefined';
  const placeholders = parts.flatMap((p) => (p.kind === 'var' ? [p.source] : []));
  const pieces = parts.map((part): ((input: TemplateInput) => string) => {
    if (part.kind === 'text') {
      const text = part.text;
      return () => text;
    }
    if (part.path.length === 0) return (input) => input.json ?? stringify(input.data, missing);
    const read = compilePath(part.path);
    return (input) => stringify(read(input), missing);
  });
  const single = parts.length === 1 && parts[0]?.kind === 'var' ? compilePath(parts[0].path) : undefined;
  const render =
    pieces.length === 0
      ? () => ''
      : pieces.length === 1
        ? pieces[0]!
        : (input: TemplateInput) => {
            let out = '';
            for (const piece of pieces) out += piece(input);
            return out;
          };
  return {
    source,
    placeholders,
    render,
    value: single ?? render,
  };
}

/**
 * A reader for one path. Strings met on the way are decoded as JSON (a payload is often the raw
 * JSON text); `id` falls back to the record id when the data has none.
 */
export function compilePath(path: PlaceholderPath): (input: TemplateInput) => unknown {
  if (path.length === 0) return (input) => input.data;
  const [first, ...rest] = path as [string, ...string[]];
  return (input) => {
    let value: unknown = Object.hasOwn(input.data, first) ? input.data[first] : undefined;
    if (value === undefined && first === 'id') value = input.id;
    for (const key of rest) {
      const map = asMap(value);
      if (map === undefined || !Object.hasOwn(map, key)) return undefined;
      value = (map as Record<string, unknown>)[key];
    }
    return value;
  };
}

function asMap(value: unknown): object | undefined {
  if (typeof value === 'string' || value instanceof Uint8Array) {
    const text = typeof value === 'string' ? value : Buffer.from(value).toString('utf8');
    try {
      value = JSON.parse(text);
    } catch {
      return undefined;
    }
  }
  // why not arrays: EMQX looks keys up in maps only
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? value : undefined;
}

/** EMQX's `bin/1`: strings as they are, numbers and atoms printed, maps and lists as JSON. */
export function stringify(value: unknown, missing = 'undefined'): string {
  switch (typeof value) {
    case 'string':
      return value;
    case 'number':
      return formatNumber(value);
    case 'boolean':
    case 'bigint':
      return String(value);
    case 'undefined':
      return missing;
    case 'object':
      if (value === null) return 'null';
      if (value instanceof Uint8Array) return Buffer.from(value).toString('utf8');
      return toJson(value);
    case 'function':
    case 'symbol':
      return String(value);
  }
}

/** Floats as Erlang's `float_to_binary(F, [{decimals, 10}, compact])`: at most 10 decimals. */
function formatNumber(n: number): string {
  if (Number.isInteger(n) || !Number.isFinite(n) || Math.abs(n) >= 1e21) return String(n);
  const fixed = n.toFixed(10).replace(/0+$/, '');
  return fixed.endsWith('.') ? `${fixed}0` : fixed;
}

/** JSON that also survives Buffers and BigInts (printed as strings rather than throwing). */
export function toJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v === 'bigint') return v.toString();
    if (v && typeof v === 'object' && (v as { type?: unknown }).type === 'Buffer' && 'data' in v) {
      return Buffer.from((v as { data: number[] }).data).toString('utf8');
    }
    return v;
  });
}
