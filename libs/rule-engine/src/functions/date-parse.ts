import { Buffer } from 'node:buffer';
import { convertTime, daysFromCivil, offsetSeconds, type TimeUnit } from './calendar';
import { describe, fail } from './values';

const SIZES: Record<string, number> = {
  Y: 4,
  m: 2,
  d: 2,
  H: 2,
  M: 2,
  S: 2,
  '3N': 3,
  '6N': 6,
  N: 9,
  z: 5,
  ':z': 6,
  '::z': 9,
};
const PART_NAMES: Record<string, string> = {
  Y: 'year',
  m: 'month',
  d: 'day',
  H: 'hour',
  M: 'minute',
  S: 'second',
  '3N': 'millisecond',
  '6N': 'microsecond',
  N: 'nanosecond',
};

const DIRECTIVES = ['::z', ':z', '3N', '6N', 'Y', 'm', 'd', 'H', 'M', 'S', 'N', 'z'];

/** EMQX's formatter: the %-directives below; everything else, other % sequences included, is literal. */
type FormatTokens = Array<{ directive: string } | { literal: string }>;

// why: a rule uses one or two literal formats; parsing each once keeps format_date cheap per message
const tokenCache = new Map<string, FormatTokens>();

export function tokenizeFormat(format: string): FormatTokens {
  let tokens = tokenCache.get(format);
  if (!tokens) {
    tokens = parseFormat(format);
    if (tokenCache.size >= 1000) tokenCache.clear();
    tokenCache.set(format, tokens);
  }
  return tokens;
}

function parseFormat(format: string): FormatTokens {
  const tokens: Array<{ directive: string } | { literal: string }> = [];
  let literal = '';
  for (let i = 0; i < format.length;) {
    const directive = format[i] === '%' ? DIRECTIVES.find((d) => format.startsWith(d, i + 1)) : undefined;
    if (directive) {
      if (literal) tokens.push({ literal });
      literal = '';
      tokens.push({ directive });
      i += directive.length + 1;
    } else {
      literal += format[i++];
    }
  }
  if (literal) tokens.push({ literal });
  return tokens;
}

export interface ParsedDate {
  year: number;
  month: number;
  day: number;
  toUnit(unit: TimeUnit): bigint;
}

/**
 * emqx_utils_calendar:formatted_datetime_to_system_time/3. Each format piece takes a fixed number of
 * bytes from the input; literal text is skipped without being compared (EMQX 4.x compatibility, so
 * '%H-%M-%S' reads '10:40:12'); parsing stops when either side runs out.
 */
export function parseDate(fn: string, format: string, input: string): ParsedDate {
  const bytes = Buffer.from(input, 'utf8');
  const parts: Record<string, number> = {};
  let offset = 0;
  let position = 0;
  for (const token of tokenizeFormat(format)) {
    if (position >= bytes.length) break;
    const size = 'literal' in token ? Buffer.byteLength(token.literal, 'latin1') : SIZES[token.directive]!;
    if (position + size > bytes.length)
      return fail(fn, `the date ${describe(input)} is shorter than the format`);
    const piece = bytes.toString('latin1', position, position + size);
    position += size;
    if ('literal' in token) continue;
    const name = PART_NAMES[token.directive];
    if (name === undefined) {
      offset = offsetSeconds(fn, piece);
    } else if (/^[+-]?\d+$/.test(piece)) {
      parts[name] = Number(piece);
    } else {
      return fail(fn, `bad formatter or date: ${describe(piece)} is not a number`);
    }
  }
  const required = (name: string): number => parts[name] ?? fail(fn, `missing date part: ${name}`);
  const [year, month, day, hour, minute, second] = ['year', 'month', 'day', 'hour', 'minute', 'second'].map(
    required,
  ) as [number, number, number, number, number, number];
  const seconds =
    BigInt(daysFromCivil(year, month, day)) * 86400n +
    BigInt(hour * 3600 + minute * 60 + second) -
    BigInt(offset);
  if (seconds < -62_167_219_200n || seconds >= 253_402_300_800n)
    fail(fn, `the date ${describe(input)} is out of range`);
  // why: EMQX adds the sub-second parts in the finest unit the format used, then converts (flooring)
  const precision: TimeUnit =
    parts.nanosecond !== undefined
      ? 'nanosecond'
      : parts.microsecond !== undefined
        ? 'microsecond'
        : parts.millisecond !== undefined
          ? 'millisecond'
          : 'second';
  const total =
    convertTime(seconds, 'second', precision) +
    convertTime(BigInt(parts.millisecond ?? 0), 'millisecond', precision) +
    convertTime(BigInt(parts.microsecond ?? 0), 'microsecond', precision) +
    convertTime(BigInt(parts.nanosecond ?? 0), 'nanosecond', precision);
  return { year, month, day, toUnit: (unit) => convertTime(total, precision, unit) };
}
