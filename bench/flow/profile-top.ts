/**
 * `node -r @swc-node/register bench/flow/profile-top.ts <file.cpuprofile|file.heapprofile> [N]`:
 * the top N functions of a V8 CPU profile by self time (with their share of all samples), or of a
 * sampling heap profile by bytes allocated, as a Markdown table. Functions are keyed by name and
 * file (the path under node_modules or the repository, with the line), so the table reads the same
 * across runs. Used for the profiles of `npm run bench:flow -- --node-args "--cpu-prof ..."`.
 *
 * Options for CPU profiles: `--from S` counts only the samples taken S seconds or more after the
 * profile started (leaves out module loading and start-up); `--inclusive` ranks by total time
 * (the function and what it called) instead of self time.
 */
import { readFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface CpuNode {
  id: number;
  callFrame: CallFrame;
  hitCount?: number;
  children?: number[];
}
interface HeapNode {
  callFrame: CallFrame;
  selfSize: number;
  children: HeapNode[];
}

const root = resolve(__dirname, '../..');

function where(frame: CallFrame): string {
  const name = frame.functionName || '(anonymous)';
  if (!frame.url) return name;
  let path = frame.url.replace(/^file:\/\//, '');
  const modules = path.lastIndexOf('node_modules/');
  path = modules >= 0 ? path.slice(modules + 'node_modules/'.length) : relative(root, path);
  return `${name} ${path}:${frame.lineNumber + 1}`;
}

function top(totals: Map<string, number>, n: number): [string, number][] {
  return [...totals.entries()].sort((a, b) => b[1] - a[1]).slice(0, n);
}

function option(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function main(): void {
  const positional = process.argv
    .slice(2)
    .filter((a, i, all) => !a.startsWith('--') && all[i - 1] !== '--from');
  const file = positional[0];
  const n = Number(positional[1] ?? 15);
  const fromUs = Number(option('from') ?? 0) * 1e6;
  const inclusive = process.argv.includes('--inclusive');
  if (!file) throw new Error('usage: profile-top.ts <file.cpuprofile|file.heapprofile> [N]');
  const profile = JSON.parse(readFileSync(file, 'utf8')) as {
    nodes?: CpuNode[];
    samples?: number[];
    timeDeltas?: number[];
    head?: HeapNode;
  };
  const totals = new Map<string, number>();
  const lines: string[] = [];
  if (profile.head) {
    let all = 0;
    const walk = (node: HeapNode): void => {
      const key = where(node.callFrame);
      totals.set(key, (totals.get(key) ?? 0) + node.selfSize);
      all += node.selfSize;
      node.children.forEach(walk);
    };
    walk(profile.head);
    lines.push('| function (file:line) | sampled bytes live at exit | share |', '| --- | ---: | ---: |');
    for (const [key, bytes] of top(totals, n))
      lines.push(`| ${key} | ${(bytes / 1024).toFixed(0)} KiB | ${((bytes / all) * 100).toFixed(1)}% |`);
  } else {
    const byId = new Map<number, CpuNode>();
    for (const node of profile.nodes ?? []) byId.set(node.id, node);
    const parent = new Map<number, number>();
    for (const node of profile.nodes ?? [])
      for (const child of node.children ?? []) parent.set(child, node.id);
    const deltas = profile.timeDeltas ?? [];
    let at = 0;
    const samples = (profile.samples ?? []).filter((_, i) => (at += deltas[i] ?? 0) >= fromUs);
    let idle = 0;
    for (const id of samples) {
      const node = byId.get(id);
      if (!node) continue;
      if (node.callFrame.functionName === '(idle)') idle += 1;
      const seen = new Set<string>();
      for (
        let cur: number | undefined = id;
        cur !== undefined;
        cur = inclusive ? parent.get(cur) : undefined
      ) {
        const frame = byId.get(cur);
        if (!frame) break;
        const key = where(frame.callFrame);
        if (seen.has(key)) continue; // a recursive function counts once per sample
        seen.add(key);
        totals.set(key, (totals.get(key) ?? 0) + 1);
      }
    }
    const busy = samples.length - idle;
    lines.push(`Samples: ${samples.length}, busy (not idle): ${busy}.`, '');
    lines.push(`| function (file:line) | ${inclusive ? 'total' : 'self'}, % of busy |`, '| --- | ---: |');
    totals.delete('(root)');
    totals.delete('(program)');
    totals.delete('(idle)');
    for (const [key, count] of top(totals, n))
      lines.push(`| ${key} | ${((count / busy) * 100).toFixed(1)}% |`);
  }
  console.log(lines.join('\n'));
}

main();
