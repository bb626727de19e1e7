import { createServer, type Server } from 'node:http';

/**
 * The HTTP target of the benchmark: counts requests per path and, for bodies with a `ts` field
 * (the projection rule's output), records end-to-end latency (now - the publisher's send time).
 */
export class LatencyTarget {
  counts = new Map<string, number>();
  latencies: number[] = [];
  recording = false;
  /** The first body seen per path, so the report can show that the rules computed what they should. */
  samples = new Map<string, Record<string, unknown>>();
  port = 0;
  private server?: Server;
  /** Called after each request; the closed loop refills from it. */
  onRequest: () => void = () => undefined;

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const now = Date.now();
        const path = req.url ?? '';
        this.counts.set(path, (this.counts.get(path) ?? 0) + 1);
        try {
          const body = JSON.parse(Buffer.concat(chunks).toString()) as Record<string, unknown>;
          if (!this.samples.has(path)) this.samples.set(path, body);
          if (this.recording && typeof body['ts'] === 'number') this.latencies.push(now - body['ts']);
        } catch {
          this.counts.set('unparsable', (this.counts.get('unparsable') ?? 0) + 1);
        }
        res.writeHead(200).end();
        this.onRequest();
      });
    });
    this.server.keepAliveTimeout = 60_000;
    await new Promise<void>((done) => this.server!.listen(0, '127.0.0.1', done));
    const address = this.server.address();
    this.port = typeof address === 'object' && address ? address.port : 0;
    return this;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  count(path: string): number {
    return this.counts.get(path) ?? 0;
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((done) => (this.server ? this.server.close(() => done()) : done()));
  }
}
