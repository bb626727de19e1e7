import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { clientIdPrefix } from '@sluice/pipeline';
import {
  deleteTestStreams,
  eventually,
  freePort,
  SluiceProcess,
  smallStreamLimits,
  sumMetric,
  testNamespace,
  testServers,
} from '../support';

// Scaling ingest down (issue 19): SIGTERM keeps the replica's broker sessions for its restart;
// SIGUSR2 (the Kubernetes preStop of a replica removed for good) retires it: it leaves the share
// group and ends its sessions, so the broker queues nothing for a member that never comes back.
describe('retiring an ingest replica (SIGUSR2) on the real Mosquitto and NATS', () => {
  const ns = testNamespace();
  const tenant = `t${ns.id}`;
  const replicaPrefix = `sluice-${ns.id}`;
  const clientId = `${clientIdPrefix(replicaPrefix, tenant, 'devices')}-0`;
  let env: Record<string, string>;

  /** Whether the broker holds a session for the replica's client id (then ends it). */
  const sessionPresent = async (): Promise<boolean> => {
    const client = mqtt.connect(testServers.mqttUrl, {
      clientId,
      clean: false,
      protocolVersion: 5,
      properties: { sessionExpiryInterval: 0 },
      reconnectPeriod: 0,
    });
    try {
      return await new Promise<boolean>((resolve, reject) => {
        client.once('connect', (connack) => resolve(connack.sessionPresent));
        client.once('error', reject);
      });
    } finally {
      await client.endAsync();
    }
  };
  const start = async () => {
    const ingest = new SluiceProcess('ingest', env).start();
    await ingest.ready();
    await eventually(
      async () => {
        const body = await (await fetch(`http://127.0.0.1:${ingest.port}/metrics`)).text();
        expect(sumMetric(body, 'sluice_source_up', `tenant="${tenant}",source="devices"`)).toBe(1);
      },
      { timeoutMs: 20_000 },
    );
    return ingest;
  };

  beforeAll(async () => {
    const pipeline = join(mkdtempSync(join(tmpdir(), `sluice-${ns.id}-`)), 'pipeline.json');
    writeFileSync(
      pipeline,
      JSON.stringify({
        tenants: [
          { id: tenant, sources: [{ id: 'devices', topics: [{ filter: `${ns.topicPrefix}s/#`, qos: 1 }] }] },
        ],
      }),
    );
    env = {
      SLUICE_BUS: 'nats',
      SLUICE_NATS_URL: testServers.natsUrl,
      SLUICE_BUS_NAMESPACE: ns.streamPrefix,
      ...smallStreamLimits,
      SLUICE_MQTT_URL: testServers.mqttUrl,
      SLUICE_PIPELINE_FILE: pipeline,
      SLUICE_INGEST_CLIENT_ID_PREFIX: replicaPrefix,
      SLUICE_HTTP_PORT: String(await freePort()),
    };
  });
  afterAll(async () => {
    await deleteTestStreams({ prefix: ns.streamPrefix });
  });

  it('keeps its session on SIGTERM, for the restart', async () => {
    const ingest = await start();
    expect(await ingest.stop('SIGTERM')).toBe(0);
    expect(await sessionPresent()).toBe(true);
  });

  it('ends its session on SIGUSR2 and exits 0', async () => {
    const ingest = await start();
    expect(await ingest.stop('SIGUSR2')).toBe(0);
    expect(ingest.output).toContain('retiring');
    expect(await sessionPresent()).toBe(false);
  });
});
