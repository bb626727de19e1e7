import { createServer, type Server } from 'node:http';

/**
 * An HTTP target for long or fast streams: it keeps only the `id` of each JSON body (how many times
 * it came) and, when the body has a numeric `ts` (the publisher's send time), the end-to-end latency
 * in ms. Cheaper than HttpTarget, which keeps every request. `status` may be set to fail requests.
 */
export class IdTarget {
  readonly counts = new Map<string, number>();
  /** When each request with a readable body arrived (Date.now()), in order. */
  readonly arrivedAt: number[] = [];
  /** Latencies since the last `takeLatencies()`. */
  private latencies: number[] = [];
  requests = 0;
  unparsable = 0;
  status = 200;
  port = 0;
  private server?: Server;

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const now = Date.now();
        if (this.status < 300) this.record(Buffer.concat(chunks).toString(), now);
        res.writeHead(this.status).end();
      });
    });
    this.server.keepAliveTimeout = 60_000;
    await new Promise<void>((done) => this.server!.listen(0, '127.0.0.1', done));
    const address = this.server.address();
    this.port = typeof address === 'object' && address ? address.port : 0;
    return this;
  }

  private record(text: string, now: number): void {
    this.requests++;
    try {
      const body = JSON.parse(text) as { id?: unknown; ts?: unknown };
      const id = String(body.id);
      this.arrivedAt.push(now);
      this.counts.set(id, (this.counts.get(id) ?? 0) + 1);
      if (typeof body.ts === 'number') this.latencies.push(now - body.ts);
    } catch {
      this.unparsable++;
    }
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Every id received, once per arrival (duplicates repeated), for `compareDelivery`. */
  received(): string[] {
    const all: string[] = [];
    for (const [id, n] of this.counts) for (let i = 0; i < n; i++) all.push(id);
    return all;
  }

  /**
   * The longest time without an arrival between `from` and `to` (epoch ms), counting the stretch
   * from `from` to the first arrival and from the last one to `to`: how long the flow paused.
   */
  longestPause(from: number, to: number): number {
    let previous = from;
    let longest = 0;
    for (const at of this.arrivedAt) {
      if (at < from) continue;
      if (at > to) break;
      longest = Math.max(longest, at - previous);
      previous = at;
    }
    return Math.max(longest, to - previous);
  }

  /** The latencies recorded since the last call, and forgets them. */
  takeLatencies(): number[] {
    const taken = this.latencies;
    this.latencies = [];
    return taken;
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((done) => (this.server ? this.server.close(() => done()) : done()));
  }
}
