import type { DestinationStream } from 'pino';

const COLORS: Record<string, string> = {
  trace: '\x1b[90m',
  debug: '\x1b[36m',
  info: '\x1b[32m',
  warn: '\x1b[33m',
  error: '\x1b[31m',
  fatal: '\x1b[35m',
};
const RESET = '\x1b[0m';
const SHOWN_ELSEWHERE = new Set(['level', 'time', 'msg', 'context', 'pid', 'hostname', 'service']);

/**
 * A pino destination for people at a terminal: `12:00:01.123 INFO  [Bus] message key=value`, one
 * line per entry (the JSON line is what a machine reads; this is only for `SLUICE_LOG_FORMAT=pretty`).
 */
export function prettyStream(out: DestinationStream, color: boolean): DestinationStream {
  return {
    write(line: string) {
      let entry: Record<string, unknown>;
      try {
        entry = JSON.parse(line) as Record<string, unknown>;
      } catch {
        out.write(line);
        return;
      }
      out.write(`${formatEntry(entry, color)}\n`);
    },
  };
}

function formatEntry(entry: Record<string, unknown>, color: boolean): string {
  const level = text(entry['level']) || 'info';
  const time = typeof entry['time'] === 'string' ? entry['time'].slice(11, 23) : '';
  const label = level.toUpperCase().padEnd(5);
  const context = entry['context'] ? ` [${text(entry['context'])}]` : '';
  const fields = Object.entries(entry)
    .filter(([key]) => !SHOWN_ELSEWHERE.has(key))
    .map(([key, value]) => `${key}=${text(value)}`)
    .join(' ');
  const painted = color ? `${COLORS[level] ?? ''}${label}${RESET}` : label;
  return `${time} ${painted}${context} ${text(entry['msg'])}${fields ? ` ${fields}` : ''}`;
}

function text(value: unknown): string {
  if (value === undefined || value === null) return '';
  return typeof value === 'string' ? value : JSON.stringify(value);
}
