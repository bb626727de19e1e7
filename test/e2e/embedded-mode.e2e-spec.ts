import { mkdtempSync } from 'node:fs';
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

  beforeAll(async () => {
    await target.start();
    mqttPort = await freePort();
    sluice = new SluiceProcess('all', {
      SLUICE_PIPELINE_FILE: writeSkeletonPipeline(ns, target.url),
      SLUICE_HTTP_PORT: String(await freePort()),
      SLUICE_EMBEDDED_MQTT_PORT: String(mqttPort),
      SLUICE_DATA_DIR: mkdtempSync(join(tmpdir(), 'sluice-embedded-')),
      // why: prove nothing reaches for the servers of this machine
      SLUICE_NATS_URL: 'nats://127.0.0.1:1',
    }).start();
    await sluice.ready();
  });

  afterAll(async () => {
    await sluice?.stop();
    await target.close();
  });

  it('prints a generated operator key when SLUICE_ADMIN_KEY is unset', () => {
    expect(sluice.output).toMatch(/operator key is: sluice_admin_[A-Za-z0-9_-]{20,}/);
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

  it('stops gracefully on SIGTERM with exit code 0', async () => {
    expect(await sluice.stop('SIGTERM')).toBe(0);
  });
});
