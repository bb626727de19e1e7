import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect, type NatsConnection } from 'nats';
import { eventually } from './eventually';
import { ensureBinary, PrivateServer } from './private-server';
import { freePort } from './test-namespace';

/** One node of a {@link NatsCluster}: JetStream on, its store in its own temp dir, routes to the others. */
export class ClusterNode extends PrivateServer {
  routePort = 0;

  constructor(
    readonly serverName: string,
    private readonly cluster: NatsCluster,
  ) {
    super(`nats-${serverName}`);
  }

  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  protected override prepare(): void {
    const routes = this.cluster.nodes
      .filter((n) => n !== this)
      .map((n) => `nats-route://127.0.0.1:${n.routePort}`);
    const conf = [
      `server_name: ${this.serverName}`,
      `listen: 127.0.0.1:${this.port}`,
      `jetstream { store_dir: "${this.dir}" }`,
      'cluster {',
      `  name: ${this.cluster.name}`,
      `  listen: 127.0.0.1:${this.routePort}`,
      `  routes: [${routes.join(', ')}]`,
      '}',
    ].join('\n');
    writeFileSync(join(this.dir, 'nats.conf'), `${conf}\n`);
  }

  protected command() {
    const file = ensureBinary('/usr/sbin/nats-server', 'nats-server');
    return { file, args: ['-c', join(this.dir, 'nats.conf')] };
  }
}

interface ConsumerListReply {
  consumers?: { name: string; config: { durable_name?: string } }[];
}

interface StreamInfoReply {
  cluster?: { leader?: string; replicas?: { name: string; current: boolean }[] };
  error?: { description?: string };
}

/**
 * A three-node JetStream cluster on loopback (nats-server from Debian, one process, client port,
 * route port and store dir per node, all free ports: the machine's nats-server on 4222 is never
 * touched). A fault test kills and restarts nodes and asks which node leads a stream.
 *
 * @example const cluster = await new NatsCluster().start(); process.env.SLUICE_NATS_URL = cluster.urls;
 */
export class NatsCluster {
  readonly nodes: ClusterNode[];
  readonly name = `sluice-test-${process.pid}`;

  constructor(size = 3) {
    this.nodes = Array.from({ length: size }, (_, i) => new ClusterNode(`n${i + 1}`, this));
  }

  /** Every node's client URL, comma-separated, as SLUICE_NATS_URL takes them. */
  get urls(): string {
    return this.nodes.map((n) => n.url).join(',');
  }

  /** Starts all nodes and waits until JetStream has a meta leader (streams can be created). */
  async start(): Promise<this> {
    for (const node of this.nodes) {
      node.port = await freePort();
      node.routePort = await freePort();
    }
    await Promise.all(this.nodes.map((n) => n.start()));
    await eventually(() => this.jetStreamReady(), { timeoutMs: 30_000, intervalMs: 250 });
    return this;
  }

  node(serverName: string): ClusterNode {
    const node = this.nodes.find((n) => n.serverName === serverName);
    if (!node) throw new Error(`no cluster node named ${serverName}`);
    return node;
  }

  /** The nodes that run now. */
  get running(): ClusterNode[] {
    return this.nodes.filter((n) => n.running);
  }

  /**
   * The node that leads `stream` (JetStream API `$JS.API.STREAM.INFO.<stream>`, field
   * cluster.leader), asked through any running node; throws while the stream has no leader.
   */
  async leaderOf(stream: string): Promise<ClusterNode> {
    const info = await this.request<StreamInfoReply>(`$JS.API.STREAM.INFO.${stream}`);
    if (info.error) throw new Error(`stream ${stream}: ${info.error.description}`);
    const leader = info.cluster?.leader;
    if (!leader) throw new Error(`stream ${stream} has no leader now`);
    return this.node(leader);
  }

  /** The durable consumers of `stream` (asks the meta leader, so call it while all nodes run). */
  async durables(stream: string): Promise<string[]> {
    const list = await this.request<ConsumerListReply>(`$JS.API.CONSUMER.LIST.${stream}`, '{}');
    return (list.consumers ?? []).filter((c) => c.config.durable_name).map((c) => c.name);
  }

  /**
   * Who leads each stream and each consumer (`[stream, durable]`) now, keyed `<stream>` and
   * `<stream> > <durable>`; '' while one has no leader. Asks each stream and consumer itself (its
   * leader answers), not the meta leader, so it works while a node is down.
   */
  async leaders(streams: string[], consumers: [string, string][] = []): Promise<Map<string, string>> {
    const leaders = new Map<string, string>();
    const ask = async (key: string, subject: string) => {
      const info = await this.request<StreamInfoReply>(subject).catch((): StreamInfoReply => ({}));
      leaders.set(key, info.cluster?.leader ?? '');
    };
    await Promise.all([
      ...streams.map((s) => ask(s, `$JS.API.STREAM.INFO.${s}`)),
      ...consumers.map(([s, d]) => ask(`${s} > ${d}`, `$JS.API.CONSUMER.INFO.${s}.${d}`)),
    ]);
    return leaders;
  }

  /** Waits until `stream` has a leader and every replica of it is current (caught up). */
  async waitCurrent(stream: string, timeoutMs = 60_000): Promise<ClusterNode> {
    return eventually(
      async () => {
        const info = await this.request<StreamInfoReply>(`$JS.API.STREAM.INFO.${stream}`);
        const replicas = info.cluster?.replicas ?? [];
        if (!info.cluster?.leader) throw new Error(`stream ${stream} has no leader`);
        const behind = replicas.filter((r) => !r.current).map((r) => r.name);
        if (replicas.length !== this.nodes.length - 1 || behind.length > 0)
          throw new Error(
            `stream ${stream}: replicas ${JSON.stringify(replicas)} (behind: ${behind.join(', ')})`,
          );
        return this.node(info.cluster.leader);
      },
      { timeoutMs, intervalMs: 250 },
    );
  }

  /** SIGKILL of a node: no clean shutdown, its store as the crash left it. */
  async kill(node: ClusterNode): Promise<void> {
    await node.stop('SIGKILL');
  }

  /** Starts a stopped node again on its ports and store. */
  async restart(node: ClusterNode): Promise<void> {
    await node.start();
  }

  async cleanup(): Promise<void> {
    await Promise.all(this.nodes.map((n) => n.cleanup()));
  }

  /** The tail of every node's log, for failure messages. */
  output(chars = 2000): string {
    return this.nodes.map((n) => `--- ${n.name}\n${n.output.slice(-chars)}`).join('\n');
  }

  private async jetStreamReady(): Promise<void> {
    const info = await this.request<{ error?: { description?: string } }>('$JS.API.INFO');
    if (info.error) throw new Error(`JetStream not ready: ${info.error.description}`);
  }

  private async request<T>(subject: string, body?: string): Promise<T> {
    const nc: NatsConnection = await connect({
      servers: this.running.map((n) => n.url),
      noAsyncTraces: true,
      reconnect: false,
    });
    try {
      const data = body === undefined ? undefined : new TextEncoder().encode(body);
      const reply = await nc.request(subject, data, { timeout: 2_000 });
      return JSON.parse(new TextDecoder().decode(reply.data)) as T;
    } finally {
      await nc.close();
    }
  }
}
