import fc from 'fast-check';
import { RuleRuntimeError } from '../errors';
import { builtinFunctions } from './registry';

const call = (name: string, ...args: unknown[]): unknown => builtinFunctions.get(name)!.call(args);
const UNITS = ['second', 'millisecond', 'microsecond', 'nanosecond'] as const;

describe('now_timestamp, now_rfc3339', () => {
  it('now_timestamp is the current time in the unit', () => {
    const before = Date.now();
    const seconds = call('now_timestamp') as number;
    const millis = call('now_timestamp', 'millisecond') as number;
    const micros = call('now_timestamp', 'microsecond') as number;
    const after = Date.now();
    expect(Number.isInteger(seconds)).toBe(true);
    expect(seconds).toBeGreaterThanOrEqual(Math.floor(before / 1000));
    expect(seconds).toBeLessThanOrEqual(Math.floor(after / 1000));
    expect(millis).toBeGreaterThanOrEqual(before);
    expect(millis).toBeLessThanOrEqual(after);
    expect(Math.floor(micros / 1000)).toBeGreaterThanOrEqual(before);
    expect(call('now_timestamp', 'nanosecond')).toBeGreaterThan(before * 1e6);
  });

  it('now_rfc3339 reads back as the current time, with the fraction the unit asks for', () => {
    for (const unit of UNITS) {
      const text = call('now_rfc3339', unit) as string;
      const digits = { second: 0, millisecond: 3, microsecond: 6, nanosecond: 9 }[unit];
      expect(text).toMatch(
        new RegExp(
          `^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}${digits ? `\\.\\d{${digits}}` : ''}[+-]\\d{2}:\\d{2}$`,
        ),
      );
      const back = call('rfc3339_to_unix_ts', text, 'millisecond') as number;
      expect(Math.abs(back - Date.now())).toBeLessThan(5_000);
    }
  });

  it('rejects unknown units', () => {
    expect(() => call('now_timestamp', 'minute')).toThrow(/invalid time unit/);
    expect(() => call('now_rfc3339', 1)).toThrow(RuleRuntimeError);
  });
});

describe('rfc3339 conversions', () => {
  it('rfc3339_to_unix_ts reads the offset and the fraction', () => {
    expect(call('rfc3339_to_unix_ts', '2024-02-23T15:56:30Z')).toBe(1708703790);
    expect(call('rfc3339_to_unix_ts', '2024-02-23T15:56:30+08:00')).toBe(1708674990);
    expect(call('rfc3339_to_unix_ts', '2024-02-23T15:56:30.87Z', 'second')).toBe(1708703790);
    expect(call('rfc3339_to_unix_ts', '2024-02-23T15:56:30.87Z', 'millisecond')).toBe(1708703790870);
    expect(call('rfc3339_to_unix_ts', '2024-02-23T15:56:30.87Z', 'microsecond')).toBe(1708703790870000);
    // nanosecond epochs exceed 2^53: they stay exact, as Erlang integers do
    expect(call('rfc3339_to_unix_ts', '2024-02-23T15:56:30.535904509Z', 'nanosecond')).toBe(
      1708703790535904509n,
    );
    expect(call('rfc3339_to_unix_ts', '1969-12-31T23:59:59Z')).toBe(-1);
  });

  it('rfc3339_to_unix_ts rejects malformed text', () => {
    for (const bad of [
      '2024-02-23',
      '2024-02-23T15:56:30',
      '2024-02-23T15:56:30+08',
      '2024-13-01T00:00:00Z',
      12,
    ]) {
      expect(() => call('rfc3339_to_unix_ts', bad), String(bad)).toThrow(RuleRuntimeError);
    }
  });

  it('unix_ts_to_rfc3339 round-trips in every unit, in local time', () => {
    for (const unit of UNITS.slice(0, 3)) {
      const epoch = call('now_timestamp', unit) as number;
      const text = call('unix_ts_to_rfc3339', epoch, unit) as string;
      expect(call('rfc3339_to_unix_ts', text, unit)).toBe(epoch);
    }
    // why: EMQX prints local time; the expectation is derived with JS Date, independently of the code
    const offsetMinutes = -new Date(1708671600 * 1000).getTimezoneOffset();
    const sign = offsetMinutes >= 0 ? '+' : '-';
    const abs = Math.abs(offsetMinutes);
    const suffix = `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
    const local = new Date((1708671600 + offsetMinutes * 60) * 1000).toISOString().slice(0, 19);
    expect(call('unix_ts_to_rfc3339', 1708671600)).toBe(`${local}${suffix}`);
    expect(call('unix_ts_to_rfc3339', 1708671600766, 'millisecond')).toBe(`${local}.766${suffix}`);
    expect(call('unix_ts_to_rfc3339', 1708671600000001, 'microsecond')).toBe(`${local}.000001${suffix}`);
  });

  it('unix_ts_to_rfc3339 needs an integer', () => {
    expect(() => call('unix_ts_to_rfc3339', 1.5)).toThrow(RuleRuntimeError);
    expect(() => call('unix_ts_to_rfc3339', '1708671600')).toThrow(RuleRuntimeError);
  });
});

describe('format_date', () => {
  const t = 1708933353472; // 2024-02-26T07:42:33.472Z

  it('formats with EMQX placeholders and offsets', () => {
    expect(call('format_date', 'millisecond', '+08:00', '%Y-%m-%d %H:%M:%S.%6N%z', t)).toBe(
      '2024-02-26 15:42:33.472000+0800',
    );
    expect(call('format_date', 'millisecond', '+08:00', '%Y-%m-%d %H:%M:%S.%6N%:z', t)).toBe(
      '2024-02-26 15:42:33.472000+08:00',
    );
    expect(call('format_date', 'millisecond', '+08:20:30', '%Y-%m-%d %H:%M:%S.%3N%::z', t)).toBe(
      '2024-02-26 16:03:03.472+08:20:30',
    );
    expect(call('format_date', 'millisecond', 'Z', '%Y-%m-%d %H:%M:%S.%3N%:z', t)).toBe(
      '2024-02-26 07:42:33.472+00:00',
    );
    expect(call('format_date', 'millisecond', 28800, '%Y-%m-%d %H:%M:%S.%3N%:z', t)).toBe(
      '2024-02-26 15:42:33.472+08:00',
    );
    expect(call('format_date', 'millisecond', '-0530', '%N|%z', t)).toBe('472000000|-0530');
    expect(call('format_date', 'second', 0, '%Y%m%d%H%M%S %3N', 0)).toBe('19700101000000 000');
    expect(call('format_date', 'second', undefined, 'at %H:%M (%y %%)', 3600)).toBe('at 01:00 (%y %%)');
  });

  it('uses the current time when none is given', () => {
    const year = new Date().getUTCFullYear();
    expect(Number(call('format_date', 'second', 'Z', '%Y'))).toBeGreaterThanOrEqual(year);
  });

  it('rejects bad units, offsets and times', () => {
    expect(() => call('format_date', 'minute', 'Z', '%Y', 0)).toThrow(RuleRuntimeError);
    expect(() => call('format_date', 'second', '+08', '%Y', 0)).toThrow(/bad time offset/);
    expect(() => call('format_date', 'second', '+25:00', '%Y', 0)).toThrow(RuleRuntimeError);
    expect(() => call('format_date', 'second', 'Z', '%Y', 1.5)).toThrow(RuleRuntimeError);
  });
});

describe('date_to_unix_ts', () => {
  it('parses with the format and an optional offset', () => {
    expect(call('date_to_unix_ts', 'second', '%Y-%m-%d %H:%M:%S%:z', '2024-02-23 15:00:00+08:00')).toBe(
      1708671600,
    );
    expect(call('date_to_unix_ts', 'second', '+08:00', '%Y-%m-%d %H:%M:%S%:z', '2024-02-23 15:00:00')).toBe(
      1708671600,
    );
    expect(call('date_to_unix_ts', 'second', 'Z', '%Y-%m-%d %H:%M:%S%:z', '2024-02-23 07:00:00')).toBe(
      1708671600,
    );
    expect(call('date_to_unix_ts', 'second', 14400, '%Y-%m-%d %H:%M:%S%:z', '2024-02-23 15:00:00')).toBe(
      1708686000,
    );
    expect(
      call('date_to_unix_ts', 'second', '%Y-%m-%d %H:%M:%S.%3N%:z', '2024-02-23 15:00:00.123+08:00'),
    ).toBe(1708671600);
  });

  it('keeps sub-second parts in finer units (EMQX suite table)', () => {
    const fmt = '%Y-%m-%d %H-%M-%S.%3N';
    expect(call('date_to_unix_ts', 'second', '+08:00', '%Y-%m-%d %H-%M-%S', '2024-03-01 10:30:38')).toBe(
      1709260238,
    );
    expect(call('date_to_unix_ts', 'second', '+08:00', fmt, '2024-03-01 10:30:38.333')).toBe(1709260238);
    expect(call('date_to_unix_ts', 'millisecond', '+08:00', fmt, '2024-03-01 10:30:38.333')).toBe(
      1709260238333,
    );
    expect(call('date_to_unix_ts', 'microsecond', '+08:00', fmt, '2024-03-01 10:30:38.333')).toBe(
      1709260238333000,
    );
    expect(call('date_to_unix_ts', 'nanosecond', '+08:00', fmt, '2024-03-01 10:30:38.333')).toBe(
      1709260238333000000n,
    );
    expect(
      call('date_to_unix_ts', 'microsecond', '+08:00', '%Y-%m-%d %H-%M-%S.%6N', '2024-03-01 10:30:38.333444'),
    ).toBe(1709260238333444);
  });

  it('skips literal text without comparing it and handles leap years', () => {
    expect(call('date_to_unix_ts', 'second', '%Y-%m-%d %H:%M:%S', '2022-05-26 10:40:12')).toBe(1653561612);
    expect(call('date_to_unix_ts', 'second', '%Y-%m-%d %H-%M-%S', '2022-05-26 10:40:12')).toBe(1653561612);
    expect(call('date_to_unix_ts', 'second', '%Y-%m-%d %H:%M:%S', '2022-05-26 10-40-12')).toBe(1653561612);
    expect(call('date_to_unix_ts', 'second', '%Y-%m-%d %H:%M:%S', '2024-02-29 14:31:40')).toBe(1709217100);
    expect(call('date_to_unix_ts', 'second', '%Y-%m-%d %H:%M:%S', '2024-03-01 12:44:31')).toBe(1709297071);
    expect(call('date_to_unix_ts', 'second', '%Y-%m-%d %H:%M:%S', '2100-03-01 12:44:31')).toBe(4107588271);
    expect(call('date_to_unix_ts', 'second', '+08:00', '%Y-%m-%d %H:%M:%S', '2024-02-29 14:31:40')).toBe(
      1709188300,
    );
    expect(call('date_to_unix_ts', 'second', '+08:00', '%Y-%m-%d %H:%M:%S', '2100-03-01 12:44:31')).toBe(
      4107559471,
    );
  });

  it('round-trips format_date output', () => {
    const seconds = 1700000000;
    const text = call('format_date', 'second', '+07:00', '%m--%d--%Y---%H:%M:%S%z', seconds);
    expect(call('date_to_unix_ts', 'second', '%m--%d--%Y---%H:%M:%S%z', text)).toBe(seconds);
    const millis = 1700000000123;
    const textMs = call('format_date', 'millisecond', '+04:00', '--%m--%d--%Y---%H:%M:%S:%3N%z', millis);
    expect(call('date_to_unix_ts', 'millisecond', '--%m--%d--%Y---%H:%M:%S:%3N%z', textMs)).toBe(millis);
    const noZone = call('format_date', 'second', '+04:00', '--%m--%d--%Y---%H:%M:%S', seconds);
    expect(call('date_to_unix_ts', 'second', '+04:00', '--%m--%d--%Y---%H:%M:%S', noZone)).toBe(seconds);
  });

  it('fails like EMQX on bad input', () => {
    const bad = (fmt: string, input: string, pattern: RegExp): void => {
      expect(() => call('date_to_unix_ts', 'second', fmt, input)).toThrow(pattern);
    };
    bad('%Y-%m-%d %H:%M:%S', '2022-059999-26 10:40:12', /bad formatter or date/);
    bad('%y-%m-%d %H:%M:%S', '2022-05-26 10:40:12', /bad formatter or date/);
    bad('%Y-%d %H:%M:%S', '2022-32 10:40:12', /missing date part: month/);
    bad('%H:%M:%S', '10:40:12', /missing date part: year/);
    bad('%Y-%m-%d %H:%M:%S', '2022-05-32 10:40:12', /does not exist/);
    bad('%Y-%m-%d %H:%M:%S', '2023-02-29 10:40:12', /does not exist/);
    bad('%Y-%m-%d %H:%M:%S', '2024-02-30 10:40:12', /does not exist/);
    bad('%Y-%m-%d %H:%M:%S%z', '2024-02-20 10:40:12+08', /shorter than the format/);
  });
});

describe('timezone_to_offset_seconds', () => {
  it('converts offsets to seconds (and has the 4.x alias timezone_to_second)', () => {
    for (const fn of ['timezone_to_offset_seconds', 'timezone_to_second']) {
      expect(call(fn, '+02:00:00')).toBe(7200);
      expect(call(fn, '-02:00:00')).toBe(-7200);
      expect(call(fn, '+00:01:42')).toBe(102);
      expect(call(fn, '+08:00')).toBe(28800);
      expect(call(fn, '+0530')).toBe(19800);
      expect(call(fn, 'z')).toBe(0);
      expect(call(fn, 'Z')).toBe(0);
      expect(call(fn, 42)).toBe(42);
      expect(call(fn, undefined)).toBe(0);
      expect(call(fn, 'local')).toBe(-new Date().getTimezoneOffset() * 60);
    }
  });

  it('rejects malformed offsets', () => {
    for (const bad of ['08:00', '+08', '+24:00', '+08:60', '+0a:00', null, 1.5]) {
      expect(() => call('timezone_to_offset_seconds', bad), String(bad)).toThrow(RuleRuntimeError);
    }
  });
});

describe('date properties', () => {
  const offsets = fc.integer({ min: -23 * 60 + 1, max: 23 * 60 - 1 }).map((minutes) => {
    const abs = Math.abs(minutes);
    return `${minutes < 0 ? '-' : '+'}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
  });

  it('date_to_unix_ts inverts format_date for any time and offset', () => {
    fc.assert(
      fc.property(fc.integer({ min: 86_400_000, max: 253_402_000_000_000 }), offsets, (millis, offset) => {
        const format = '%Y-%m-%dT%H:%M:%S.%3N%:z';
        const text = call('format_date', 'millisecond', offset, format, millis);
        expect(call('date_to_unix_ts', 'millisecond', format, text)).toBe(millis);
        // the same instant read as RFC 3339 by the other parser
        expect(call('rfc3339_to_unix_ts', text, 'millisecond')).toBe(millis);
      }),
    );
  });

  it('before 1970 it truncates toward zero like Erlang div, so fractions print as EMQX prints them', () => {
    // -1 ms: second -0 (1970-01-01 00:00:00), fraction -1 padded to "0-1", exactly EMQX's output
    expect(call('format_date', 'millisecond', 'Z', '%Y-%m-%d %H:%M:%S.%3N', -1)).toBe(
      '1970-01-01 00:00:00.0-1',
    );
    expect(call('format_date', 'second', 'Z', '%Y-%m-%d %H:%M:%S', -1)).toBe('1969-12-31 23:59:59');
  });

  it('format_date in UTC agrees with JS Date from 1970 on', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 253_402_000_000_000 }), (millis) => {
        const iso = new Date(millis).toISOString();
        expect(call('format_date', 'millisecond', 'Z', '%Y-%m-%dT%H:%M:%S.%3NZ', millis)).toBe(iso);
      }),
    );
  });
});
