/**
 * A counting node:http target in a process of its own, so it does not share an event loop with the
 * load generator: `RemoteTarget` (the parent's side) starts it with an IPC channel; it reports, once
 * per event-loop turn with requests, the requests per path, the latencies of bodies with a `ts`, and
 * the first body of each path. Started without an IPC channel (bench/http-connector.bench.ts), it
 * prints its URL on stdout and only answers.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { LatencyTarget } from './latency-target';

/** What the target process sends per turn. */
interface Report {
  counts: Record<string, number>;
  latencies: number[];
  samples: Record<string, Record<string, unknown>>;
}

/**
 * The parent's view of the target process, with LatencyTarget's interface: `count(path)`,
 * `latencies` while `recording`, `samples`, and `onRequest` called after each report.
 */
export class RemoteTarget {
  counts = new Map<string, number>();
  latencies: number[] = [];
  recording = false;
  samples = new Map<string, Record<string, unknown>>();
  url = '';
  onRequest: () => void = () => undefined;
  private child?: ChildProcess;

  async start(): Promise<this> {
    const child = fork(__filename, [], { execArgv: ['-r', '@swc-node/register'], stdio: 'inherit' });
    this.child = child;
    this.url = await new Promise<string>((resolve, reject) => {
      child.once('message', (url) => resolve(url as string));
      child.once('exit', (code) => reject(new Error(`the target process exited with ${code}`)));
    });
    child.on('message', (message) => {
      const report = message as Report;
      for (const [path, n] of Object.entries(report.counts)) this.counts.set(path, this.count(path) + n);
      if (this.recording) for (const latency of report.latencies) this.latencies.push(latency);
      for (const [path, body] of Object.entries(report.samples))
        if (!this.samples.has(path)) this.samples.set(path, body);
      this.onRequest();
    });
    return this;
  }

  count(path: string): number {
    return this.counts.get(path) ?? 0;
  }

  async close(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill();
    await exited;
  }
}

async function serve(): Promise<void> {
  const target = await new LatencyTarget().start();
  const send = process.send?.bind(process);
  if (!send) return void process.stdout.write(`${target.url}\n`);
  let report: Report | undefined;
  const seen = new Set<string>();
  target.recording = true;
  target.onRequest = () => {
    if (report) return;
    report = { counts: {}, latencies: [], samples: {} };
    setImmediate(() => {
      const r = report!;
      report = undefined;
      for (const [path, n] of target.counts) r.counts[path] = n;
      target.counts.clear();
      r.latencies = target.latencies;
      target.latencies = [];
      for (const [path, body] of target.samples)
        if (!seen.has(path)) {
          seen.add(path);
          r.samples[path] = body;
        }
      send(r);
    });
  };
  send(target.url);
}

if (require.main === module) void serve();
