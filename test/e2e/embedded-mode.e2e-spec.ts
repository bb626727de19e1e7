import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import {
  eventually,
  freePort,
  HttpTarget,
  SluiceProcess,
  testNamespace,
  writeSkeletonPipeline,
} from '../support';

// The embedded default: one process, its own MQTT broker, SQLite and the in-process bus; no server.
describe('embedded mode: one process with no server installed', () => {
  const ns = testNamespace();
  const target = new HttpTarget();
  let sluice: SluiceProcess;
  let mqttPort: number;
  let env: Record<string, string>;

  beforeAll(async () => {
    await target.start();
    mqttPort = await freePort();
    env = {
      SLUICE_PIPELINE_FILE: writeSkeletonPipeline(ns, target.url),
      SLUICE_HTTP_PORT: String(await freePort()),
      SLUICE_EMBEDDED_MQTT_PORT: String(mqttPort),
      SLUICE_DATA_DIR: mkdtempSync(join(tmpdir(), 'sluice-embedded-')),
      // why: prove nothing reaches for the servers of this machine
      SLUICE_NATS_URL: 'nats://127.0.0.1:1',
    };
    sluice = new SluiceProcess('all', env).start();
    await sluice.ready();
  });

  afterAll(async () => {
    await sluice?.stop();
    await target.close();
  });

  it('prints a generated operator key when SLUICE_ADMIN_KEY is unset, and listens on 127.0.0.1 only', () => {
    expect(sluice.output).toMatch(/generated the operator key sluice_admin_[A-Za-z0-9_-]{20,} \(kept in /);
    expect(sluice.output).toContain(`ready: http://127.0.0.1:${env['SLUICE_HTTP_PORT']}/health/ready`);
  });

  it('delivers a message published to the embedded broker to the HTTP target', async () => {
    const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${mqttPort}`);
    try {
      await client.publishAsync(`${ns.topicPrefix}sensors/d1`, '{"temp":3}', { qos: 1 });
    } finally {
      await client.endAsync();
    }
    await eventually(() => expect(target.jsonBodies().map((b) => b['payload'])).toContain('{"temp":3}'), {
      timeoutMs: 10_000,
    });
  });

  it("counts the pipeline-file tenant's usage and gives new tenants the unlimited plan", async () => {
    const key = /generated the operator key (sluice_admin_[A-Za-z0-9_-]+)/.exec(sluice.output)![1]!;
    const gql = async <T>(query: string): Promise<T> => {
      const answer = await fetch(`http://127.0.0.1:${sluice.port}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
        body: JSON.stringify({ query }),
      });
      const body = (await answer.json()) as { data?: T; errors?: unknown };
      expect(body.errors).toBeUndefined();
      return body.data!;
    };
    // the previous test delivered one message: one rule action, reported about once a second
    await eventually(
      async () => {
        const { usageByTenant } = await gql<{ usageByTenant: { tenantId: string; ruleActions: number }[] }>(
          '{ usageByTenant { tenantId ruleActions } }',
        );
        expect(usageByTenant).toContainEqual({ tenantId: `t${ns.id}`, ruleActions: 1 });
      },
      { timeoutMs: 10_000 },
    );
    const { createTenant } = await gql<{ createTenant: { plan: string } }>(
      'mutation { createTenant(input: { name: "tutorial" }) { plan } }',
    );
    expect(createTenant.plan).toBe('unlimited');
  });

  it('stops gracefully on SIGTERM with exit code 0', async () => {
    expect(await sluice.stop('SIGTERM')).toBe(0);
  });

  it('keeps the operator key across a restart, without printing it again', async () => {
    const key = /generated the operator key (sluice_admin_[A-Za-z0-9_-]+)/.exec(sluice.output)![1]!;
    sluice = new SluiceProcess('all', env).start();
    await sluice.ready();
    expect(sluice.output).not.toContain(key);
    expect(sluice.output).toContain('using the operator key kept in');
    const answer = await fetch(`http://127.0.0.1:${sluice.port}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify({ query: '{ tenants { nodes { id } } }' }),
    });
    expect(((await answer.json()) as { errors?: unknown }).errors).toBeUndefined();
    expect(await sluice.stop('SIGTERM')).toBe(0);
  });
});

// The quick start runs `npm start` with no settings; on a machine whose own broker holds 1883 (this
// one: Mosquitto) the embedded broker must still come up, on another port, and say where.
describe('embedded mode when the default MQTT port 1883 is taken', () => {
  const ns = testNamespace();
  const target = new HttpTarget();
  let sluice: SluiceProcess;
  let holder: Server | undefined;

  beforeAll(async () => {
    await target.start();
    holder = await holdPort(1883); // undefined: something (the machine's broker) holds it already
    sluice = new SluiceProcess('all', {
      SLUICE_PIPELINE_FILE: writeSkeletonPipeline(ns, target.url),
      SLUICE_HTTP_PORT: String(await freePort()),
      SLUICE_DATA_DIR: mkdtempSync(join(tmpdir(), 'sluice-embedded-')),
      SLUICE_NATS_URL: 'nats://127.0.0.1:1',
    }).start();
    await sluice.ready();
  });

  afterAll(async () => {
    await sluice?.stop();
    await target.close();
    await new Promise((resolve) => (holder ? holder.close(resolve) : resolve(undefined)));
  });

  it('starts its broker on a free port, says which, and delivers through it', async () => {
    const match = /port 1883 is in use .* listens on (mqtt:\/\/127\.0\.0\.1:(\d+)) instead/.exec(
      sluice.output,
    );
    expect(match, sluice.output).not.toBeNull();
    expect(Number(match![2])).not.toBe(1883);
    const client = await mqtt.connectAsync(match![1]!);
    try {
      await client.publishAsync(`${ns.topicPrefix}sensors/d2`, '{"temp":4}', { qos: 1 });
    } finally {
      await client.endAsync();
    }
    await eventually(() => expect(target.jsonBodies().map((b) => b['payload'])).toContain('{"temp":4}'), {
      timeoutMs: 10_000,
    });
  });
});

/** Listens on `port` so it is taken; resolves undefined when it already is. */
function holdPort(port: number): Promise<Server | undefined> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) =>
      error.code === 'EADDRINUSE' ? resolve(undefined) : reject(error),
    );
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}
