import { describe, fail } from './values';

export type TimeUnit = 'second' | 'millisecond' | 'microsecond' | 'nanosecond';

export const UNIT_FACTOR: Record<TimeUnit, bigint> = {
  second: 1n,
  millisecond: 1_000n,
  microsecond: 1_000_000n,
  nanosecond: 1_000_000_000n,
};

export function timeUnit(fn: string, value: unknown): TimeUnit {
  if (typeof value === 'string' && Object.hasOwn(UNIT_FACTOR, value)) return value as TimeUnit;
  return fail(fn, `invalid time unit ${describe(value)}`);
}

/** Floor division, which erlang:convert_time_unit uses when going to a coarser unit. */
export function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n !== b < 0n ? q - 1n : q;
}

export function convertTime(value: bigint, from: TimeUnit, to: TimeUnit): bigint {
  const f = UNIT_FACTOR[from];
  const t = UNIT_FACTOR[to];
  return f <= t ? value * (t / f) : floorDiv(value, f / t);
}

/** Days since 1970-01-01 for a proleptic Gregorian date (H. Hinnant's days_from_civil). */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

export function civilFromDays(days: number): { year: number; month: number; day: number } {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

export function isValidDate(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1) return false;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const lengths = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
  return day <= lengths[month - 1]!;
}

/** Offset of the process's local time zone at a moment, in seconds east of UTC. */
export function localOffsetSeconds(epochMs: number): number {
  return -new Date(epochMs).getTimezoneOffset() * 60;
}

/**
 * emqx_utils_calendar:offset_second/1: seconds, undefined (0), 'local', 'Z'/'z', or a sign followed by
 * hh:mm, hh:mm:ss or hhmm. A bare '+08' is rejected, as in EMQX.
 */
export function offsetSeconds(fn: string, offset: unknown): number {
  if (offset === undefined) return 0;
  if (typeof offset === 'number' && Number.isInteger(offset)) return offset;
  if (offset === 'local') return localOffsetSeconds(Date.now());
  if (offset === 'Z' || offset === 'z') return 0;
  if (typeof offset !== 'string') return fail(fn, `bad time offset ${describe(offset)}`);
  let seconds = offsetCache.get(offset);
  if (seconds === undefined) {
    seconds = parseOffset(fn, offset);
    if (offsetCache.size >= 1000) offsetCache.clear();
    offsetCache.set(offset, seconds);
  }
  return seconds;
}

// why: rules pass the same literal offset with every message; parse each text once
const offsetCache = new Map<string, number>();

function parseOffset(fn: string, offset: string): number {
  const sign = offset[0] === '+' ? 1 : offset[0] === '-' ? -1 : 0;
  if (sign === 0) return fail(fn, `bad time offset ${describe(offset)}`);
  const rest = offset.slice(1);
  const parts = rest.split(':').filter((p) => p !== '');
  let fields: string[];
  if (parts.length === 2 || parts.length === 3) fields = parts;
  else if (parts.length === 1 && parts[0]!.length === 4) fields = [rest.slice(0, 2), rest.slice(2, 4)];
  else return fail(fn, `bad time offset ${describe(offset)}`);
  const [hours = 0, minutes = 0, seconds = 0] = fields.map((f) => {
    if (!/^[+-]?\d+$/.test(f)) fail(fn, `bad time offset ${describe(offset)}`);
    return Number(f);
  });
  if (hours > 23 || minutes > 59 || seconds > 59) fail(fn, `bad time offset ${describe(offset)}`);
  return sign * (hours * 3600 + minutes * 60 + seconds);
}

export function pad(value: number | bigint, width: number): string {
  return String(value).padStart(width, '0');
}

/** ±hh:mm as calendar:system_time_to_rfc3339 writes offsets (the seconds are dropped). */
export function formatOffset(seconds: number, style: 'hhmm' | 'hh:mm' | 'hh:mm:ss'): string {
  const sign = seconds >= 0 ? '+' : '-';
  const abs = Math.abs(seconds);
  const h = pad(Math.floor(abs / 3600), 2);
  const m = pad(Math.floor((abs % 3600) / 60), 2);
  if (style === 'hhmm') return `${sign}${h}${m}`;
  if (style === 'hh:mm') return `${sign}${h}:${m}`;
  return `${sign}${h}:${m}:${pad(abs % 60, 2)}`;
}
