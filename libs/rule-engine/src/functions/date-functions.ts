import {
  civilFromDays,
  convertTime,
  daysFromCivil,
  floorDiv,
  formatOffset,
  isValidDate,
  localOffsetSeconds,
  offsetSeconds,
  pad,
  timeUnit,
  UNIT_FACTOR,
  type TimeUnit,
} from './calendar';
import { parseDate, tokenizeFormat } from './date-parse';
import type { RuleFunction } from './registry';
import { textArg } from './string-functions';
import { integer } from '../numbers/erlang-number';
import { defineFunction, describe, fail, optionalArg, requireBigInt } from './values';

const SECONDS_0000_TO_1970 = 62_167_219_200n;
const SECONDS_1970_TO_10000 = 253_402_300_800n;

/**
 * The current wall-clock time in a unit. why: performance.timeOrigin + now() drifts from the wall clock,
 * so milliseconds come from Date.now() and only the digits below them from the high-resolution clock.
 */
function now(unit: TimeUnit): bigint {
  const nanos = BigInt(Date.now()) * 1_000_000n + (process.hrtime.bigint() % 1_000_000n);
  return convertTime(nanos, 'nanosecond', unit);
}

/** A time as a rule integer: exact, a bigint beyond 2^53 (nanoseconds since 1970 are). */
function toNumber(value: bigint): number | bigint {
  return integer(value);
}

function dateTimeParts(secondsBig: bigint) {
  const seconds = Number(secondsBig); // why: |seconds| < 2^53 for any time a JS number can hold
  const days = Math.floor(seconds / 86400);
  const secondOfDay = seconds - days * 86400;
  return {
    ...civilFromDays(days),
    hour: Math.floor(secondOfDay / 3600),
    minute: Math.floor((secondOfDay % 3600) / 60),
    second: secondOfDay % 60,
  };
}

/** calendar:system_time_to_rfc3339 with the node's local offset at that moment ("+00:00" in UTC). */
function toRfc3339(fn: string, time: bigint, unit: TimeUnit): string {
  const factor = UNIT_FACTOR[unit];
  const utcSeconds = floorDiv(time, factor);
  // why: checked before asking for the local offset, which JS Date cannot give outside its range
  if (utcSeconds < -SECONDS_0000_TO_1970 || utcSeconds >= SECONDS_1970_TO_10000)
    fail(fn, 'time is outside years 0..9999');
  const offset = localOffsetSeconds(Number(utcSeconds) * 1000);
  const adjusted = time + BigInt(offset) * factor;
  const seconds = adjusted / factor; // why: Erlang's div truncates toward zero
  if (seconds < -SECONDS_0000_TO_1970 || seconds >= SECONDS_1970_TO_10000)
    fail(fn, 'time is outside years 0..9999');
  const d = dateTimeParts(seconds);
  const digits = unit === 'second' ? 0 : String(factor).length - 1;
  const fraction = digits ? `.${pad((adjusted % factor < 0n ? -adjusted : adjusted) % factor, digits)}` : '';
  return (
    `${pad(d.year, 4)}-${pad(d.month, 2)}-${pad(d.day, 2)}T${pad(d.hour, 2)}:${pad(d.minute, 2)}:${pad(d.second, 2)}` +
    `${fraction}${formatOffset(offset, 'hh:mm')}`
  );
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2}).(\d{2}):(\d{2}):(\d{2})([0-9.]*)(Z|z|[+-]\d{2}:\d{2})$/;

/** calendar:rfc3339_to_system_time: the fraction is rounded to the unit, the offset is required. */
function fromRfc3339(fn: string, text: string, unit: TimeUnit): number | bigint {
  const m = RFC3339.exec(text);
  if (!m) return fail(fn, `not an RFC 3339 date-time: ${describe(text)}`);
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const fractionText = m[7]!;
  const zone = m[8]!;
  if (month < 1 || month > 12) fail(fn, `bad month in ${describe(text)}`);
  const offset = zone === 'Z' || zone === 'z' ? 0 : offsetSeconds(fn, zone);
  const secs =
    BigInt(daysFromCivil(year, month, day)) * 86400n +
    BigInt(hour * 3600 + minute * 60 + second) -
    BigInt(offset);
  if (secs < -SECONDS_0000_TO_1970 || secs >= SECONDS_1970_TO_10000)
    fail(fn, 'time is outside years 0..9999');
  const scaled = secs * UNIT_FACTOR[unit];
  if (unit === 'second' || fractionText === '') return toNumber(scaled);
  if (!/^\.\d+$/.test(fractionText)) return fail(fn, `bad fraction in ${describe(text)}`);
  const fraction = BigInt(Math.round(Number(UNIT_FACTOR[unit]) * Number(`0${fractionText}`)));
  return toNumber(scaled < 0n ? scaled - fraction : scaled + fraction);
}

function formatDate(args: unknown[]): string {
  const [unitArg, offsetArg, formatArg, timeArg] = args;
  const fn = 'format_date';
  const unit = timeUnit(fn, unitArg);
  const offset = offsetSeconds(fn, offsetArg);
  const format = textArg(fn, formatArg, 'format');
  const time = args.length === 3 ? now(unit) : requireBigInt(fn, timeArg, 'time');
  const factor = UNIT_FACTOR[unit];
  const seconds = (time + BigInt(offset) * factor) / factor;
  const d = dateTimeParts(seconds);
  // why: EMQX takes the sub-second digits from the unadjusted time with Erlang's rem (sign of the dividend)
  const sub = (scale: bigint, width: number): string =>
    unit === 'second'
      ? '0'.repeat(width)
      : pad(factor >= scale ? (time / (factor / scale)) % scale : (time % factor) * (scale / factor), width);
  const value = (directive: string): string => {
    switch (directive) {
      case 'Y':
        return pad(d.year, 4);
      case 'm':
        return pad(d.month, 2);
      case 'd':
        return pad(d.day, 2);
      case 'H':
        return pad(d.hour, 2);
      case 'M':
        return pad(d.minute, 2);
      case 'S':
        return pad(d.second, 2);
      case '3N':
        return sub(1_000n, 3);
      case '6N':
        return sub(1_000_000n, 6);
      case 'N':
        return sub(1_000_000_000n, 9);
      case 'z':
        return formatOffset(offset, 'hhmm');
      case ':z':
        return formatOffset(offset, 'hh:mm');
      default:
        return formatOffset(offset, 'hh:mm:ss');
    }
  };
  let out = '';
  for (const token of tokenizeFormat(format))
    out += 'literal' in token ? token.literal : value(token.directive);
  return out;
}

function dateToUnixTs(args: unknown[]): number | bigint {
  const fn = 'date_to_unix_ts';
  const [unitArg, offsetArg, formatArg, inputArg] =
    args.length === 3 ? [args[0], undefined, args[1], args[2]] : args;
  const unit = timeUnit(fn, unitArg);
  const offset = args.length === 4 ? offsetSeconds(fn, offsetArg) : 0;
  const parsed = parseDate(fn, textArg(fn, formatArg, 'format'), textArg(fn, inputArg, 'date'));
  if (!isValidDate(parsed.year, parsed.month, parsed.day)) fail(fn, 'the date does not exist');
  return toNumber(parsed.toUnit(unit) - BigInt(offset) * UNIT_FACTOR[unit]);
}

export const dateFunctions: RuleFunction[] = [
  defineFunction('now_timestamp', 0, 1, (args) =>
    toNumber(now(timeUnit('now_timestamp', optionalArg(args, 0, 'second')))),
  ),
  defineFunction('now_rfc3339', 0, 1, (args) => {
    const u = timeUnit('now_rfc3339', optionalArg(args, 0, 'second'));
    return toRfc3339('now_rfc3339', now(u), u);
  }),
  defineFunction('unix_ts_to_rfc3339', 1, 2, ([time, ...unit]) =>
    toRfc3339(
      'unix_ts_to_rfc3339',
      requireBigInt('unix_ts_to_rfc3339', time, 'time'),
      timeUnit('unix_ts_to_rfc3339', optionalArg(unit, 0, 'second')),
    ),
  ),
  defineFunction('rfc3339_to_unix_ts', 1, 2, ([text, ...unit]) =>
    fromRfc3339(
      'rfc3339_to_unix_ts',
      textArg('rfc3339_to_unix_ts', text),
      timeUnit('rfc3339_to_unix_ts', optionalArg(unit, 0, 'second')),
    ),
  ),
  defineFunction('format_date', 3, 4, formatDate),
  defineFunction('date_to_unix_ts', 3, 4, dateToUnixTs),
  defineFunction('timezone_to_offset_seconds', 1, 1, ([tz]) =>
    offsetSeconds('timezone_to_offset_seconds', tz),
  ),
  defineFunction('timezone_to_second', 1, 1, ([tz]) => offsetSeconds('timezone_to_second', tz)),
];
