/**
 * `node -r ./bench/register-ts.js bench/flow/profile-top.ts <file.cpuprofile|file.heapprofile> [N]`:
 * the top N functions of a V8 CPU profile by self time (with their share of all samples), or of a
 * sampling heap profile by bytes allocated, as a Markdown table. Functions are keyed by name and
 * file (the path under node_modules or the repository, with the line), so the table reads the same
 * across runs. Used for the profiles of `npm run bench:flow -- --node-args "--cpu-prof ..."`.
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

function main(): void {
  const file = process.argv[2];
  const n = Number(process.argv[3] ?? 15);
  if (!file) throw new Error('usage: profile-top.ts <file.cpuprofile|file.heapprofile> [N]');
  const profile = JSON.parse(readFileSync(file, 'utf8')) as {
    nodes?: CpuNode[];
    samples?: number[];
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
    const samples = profile.samples ?? [];
    for (const id of samples) {
      const node = byId.get(id);
      if (!node) continue;
      const key = where(node.callFrame);
      totals.set(key, (totals.get(key) ?? 0) + 1);
    }
    const idle = totals.get('(idle)') ?? 0;
    const busy = samples.length - idle;
    lines.push(`Samples: ${samples.length}, busy (not idle): ${busy}.`, '');
    lines.push('| function (file:line) | self, % of busy |', '| --- | ---: |');
    totals.delete('(idle)');
    for (const [key, count] of top(totals, n))
      lines.push(`| ${key} | ${((count / busy) * 100).toFixed(1)}% |`);
  }
  console.log(lines.join('\n'));
}

main();
