import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cpuSeconds, delay, writeSyscalls } from '../e2e/measure';
import { freePort } from '../e2e/services';

/** A broker process the flow benchmark starts for itself on a free port, and stops at the end. */
export class BrokerProcess {
  output = '';
  private child?: ChildProcess;
  private exited = false;

  /** nats-server's monitoring port (`/varz`), 0 for Mosquitto. */
  monitorPort = 0;

  private constructor(
    readonly name: string,
    readonly port: number,
    private readonly dir: string,
  ) {}

  /**
   * Mosquitto with Nagle off (`set_tcp_nodelay true`: docs/benchmarks.md measured Nagle halving QoS 0),
   * no persistence, and room for 100,000 queued messages per client so a slow runner shows as
   * latency, not as messages the broker dropped (the default of 1,000 is the closed loop's window).
   */
  static async mosquitto(): Promise<BrokerProcess> {
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'sluice-flow-mosquitto-'));
    const conf = join(dir, 'mosquitto.conf');
    writeFileSync(
      conf,
      [
        `listener ${port} 127.0.0.1`,
        'allow_anonymous true',
        'set_tcp_nodelay true',
        'persistence false',
        'max_queued_messages 100000',
        'log_dest stderr',
        'log_type error',
        'log_type warning',
        '',
      ].join('\n'),
    );
    return new BrokerProcess('mosquitto', port, dir).start('mosquitto', ['-c', conf]);
  }

  /** nats-server with JetStream, its store in a temporary directory. */
  static async natsServer(): Promise<BrokerProcess> {
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'sluice-flow-nats-'));
    const broker = new BrokerProcess('nats-server', port, dir);
    broker.monitorPort = await freePort();
    return broker.start('nats-server', [
      '-a',
      '127.0.0.1',
      '-p',
      String(port),
      '-m',
      String(broker.monitorPort),
      '-js',
      '-sd',
      dir,
    ]);
  }

  /**
   * A JetStream cluster of `size` nats-server nodes (the mesh's `mesh-r3` runner): client and route
   * ports free ones, a config file and a store in each node's temporary directory.
   */
  static async natsCluster(size = 3): Promise<BrokerGroup> {
    const ports: { client: number; route: number; monitor: number }[] = [];
    for (let i = 0; i < size; i++)
      ports.push({ client: await freePort(), route: await freePort(), monitor: await freePort() });
    const nodes = await Promise.all(
      ports.map(({ client, route, monitor }, i) => {
        const dir = mkdtempSync(join(tmpdir(), `sluice-flow-nats${i + 1}-`));
        const routes = ports.filter((_, j) => j !== i).map((p) => `nats-route://127.0.0.1:${p.route}`);
        const conf = join(dir, 'nats.conf');
        writeFileSync(
          conf,
          [
            `server_name: n${i + 1}`,
            `listen: 127.0.0.1:${client}`,
            `http: 127.0.0.1:${monitor}`,
            `jetstream { store_dir: "${dir}" }`,
            `cluster { name: sluice-flow-${process.pid}, listen: 127.0.0.1:${route}, routes: [${routes.join(', ')}] }`,
            '',
          ].join('\n'),
        );
        const node = new BrokerProcess('nats-server', client, dir);
        node.monitorPort = monitor;
        return node.start('nats-server', ['-c', conf]);
      }),
    );
    return new BrokerGroup(nodes);
  }

  get pid(): number {
    return this.child?.pid ?? 0;
  }

  get url(): string {
    return `${this.name === 'mosquitto' ? 'mqtt' : 'nats'}://127.0.0.1:${this.port}`;
  }

  cpu(): number {
    return cpuSeconds(this.pid);
  }

  /** Write system calls so far (/proc/<pid>/io). */
  writes(): number {
    return writeSyscalls(this.pid);
  }

  /** nats-server's message counters so far (monitoring `/varz`): messages in and out, and writes. */
  async natsCounts(): Promise<{ in: number; out: number }> {
    const varz = (await (await fetch(`http://127.0.0.1:${this.monitorPort}/varz`)).json()) as {
      in_msgs: number;
      out_msgs: number;
    };
    return { in: varz.in_msgs, out: varz.out_msgs };
  }

  private async start(command: string, args: string[]): Promise<this> {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const keep = (chunk: Buffer): void =>
      void (this.output = (this.output + chunk.toString()).slice(-10_000));
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    child.on('exit', () => (this.exited = true));
    child.on('error', (error) => {
      this.exited = true;
      this.output += String(error);
    });
    this.child = child;
    const until = Date.now() + 10_000;
    while (!(await this.listening())) {
      if (this.exited || Date.now() > until)
        throw new Error(`${command} did not start on port ${this.port}:\n${this.output}`);
      await delay(50);
    }
    return this;
  }

  private listening(): Promise<boolean> {
    return new Promise((done) => {
      const socket = tcpConnect(this.port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        done(true);
      });
      socket.once('error', () => done(false));
    });
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (child && !this.exited) {
      const gone = new Promise<void>((done) => child.once('exit', () => done()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await gone;
      clearTimeout(timer);
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Several broker processes used as one: every node's URL, comma-separated, and their CPU summed. */
export class BrokerGroup {
  constructor(readonly nodes: BrokerProcess[]) {}

  get url(): string {
    return this.nodes.map((n) => n.url).join(',');
  }

  cpu(): number {
    return this.nodes.reduce((total, n) => total + n.cpu(), 0);
  }

  writes(): number {
    return this.nodes.reduce((total, n) => total + n.writes(), 0);
  }

  /** The nodes' message counters summed (replication between them included). */
  async natsCounts(): Promise<{ in: number; out: number }> {
    const counts = await Promise.all(this.nodes.map((n) => n.natsCounts()));
    return counts.reduce((a, b) => ({ in: a.in + b.in, out: a.out + b.out }), { in: 0, out: 0 });
  }

  async stop(): Promise<void> {
    await Promise.all(this.nodes.map((n) => n.stop()));
  }
}
