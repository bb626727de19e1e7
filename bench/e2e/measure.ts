import { execSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, freemem, loadavg, totalmem } from 'node:os';

/** Percentile (nearest rank) of an already sorted array; NaN when empty. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] ?? NaN;
}

const ticksPerSecond = (() => {
  try {
    return Number(execSync('getconf CLK_TCK').toString().trim()) || 100;
  } catch {
    return 100;
  }
})();

/** CPU seconds (user + system) a process has used so far, from /proc/<pid>/stat. */
export function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command (which may hold spaces) start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
  } catch {
    return NaN;
  }
}

/** Write system calls (write, writev, sendmsg...) a process has made so far, from /proc/<pid>/io. */
export function writeSyscalls(pid: number): number {
  try {
    const match = /^syscw: (\d+)$/m.exec(readFileSync(`/proc/${pid}/io`, 'utf8'));
    return match ? Number(match[1]) : NaN;
  } catch {
    return NaN;
  }
}

/** Peak resident memory (VmHWM) of a process in MiB, from /proc/<pid>/status. */
export function peakRssMiB(pid: number): number {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

/** The pid of a server process by exact name, or undefined (e.g. not visible from here). */
export function pidOf(name: string): number | undefined {
  try {
    const pid = Number(execSync(`pgrep -x -o ${name}`).toString().trim());
    return pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function versionOf(command: string): string {
  try {
    return (
      execSync(command, { stdio: ['ignore', 'pipe', 'pipe'] })
        .toString()
        .trim()
        .split('\n')[0] ?? '?'
    );
  } catch {
    return '?';
  }
}

/** What the report needs to say about the machine. */
export function machineInfo(): Record<string, string> {
  const model = /model name\s*:\s*(.+)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? '?';
  return {
    cores: String(cpus().length),
    cpu: model,
    memory: `${(totalmem() / 2 ** 30).toFixed(1)} GiB (${(freemem() / 2 ** 30).toFixed(1)} GiB free at start)`,
    node: process.version,
    mosquitto: versionOf("mosquitto -h 2>&1 | grep -i 'mosquitto version' || true") || '?',
    nats: versionOf('nats-server --version 2>&1 || true'),
  };
}

/** The 1-minute load average, formatted. */
export function load1(): string {
  return (loadavg()[0] ?? 0).toFixed(1);
}

/** Resolves after `ms`; the benchmark paces phases by wall clock on purpose. */
export function delay(ms: number): Promise<void> {
  return new Promise((done) => setTimeout(done, ms));
}

/** Number formatting for the tables. */
export function fmt(n: number, digits = 0): string {
  return Number.isFinite(n) ? n.toLocaleString('en-US', { maximumFractionDigits: digits }) : 'n/a';
}
