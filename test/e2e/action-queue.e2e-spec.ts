import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { eventually, freePort, HttpTarget, SluiceProcess, testNamespace } from '../support';

// A bounded action queue in a running process (the embedded mode: in-process bus): the pipeline file
// bounds the connector's queue; while the target is down (503), what does not fit is dropped with
// reason queue_full and dead-lettered, and what fit arrives once the target is back.
describe('bounded action queue: pipeline file to /metrics, embedded mode', () => {
  const ns = testNamespace();
  const target = new HttpTarget();
  let sluice: SluiceProcess;
  let mqttPort: number;
  let opsPort: number;
  const tenant = `t${ns.id}`;
  const filter = `${ns.topicPrefix}sensors/#`;

  beforeAll(async () => {
    await target.start();
    target.status = 503;
    const dir = mkdtempSync(join(tmpdir(), `sluice-${ns.id}-`));
    const pipelineFile = join(dir, 'pipeline.json');
    writeFileSync(
      pipelineFile,
      JSON.stringify({
        tenants: [
          {
            id: tenant,
            sources: [{ id: 'devices', topics: [{ filter, qos: 1 }] }],
            connectors: [
              {
                id: 'webhook',
                kind: 'http',
                config: { url: target.url, queue: { maxMessages: 3, overflow: 'drop_new' } },
              },
            ],
            rules: [
              {
                id: 'all',
                sql: `SELECT payload FROM "${filter}"`,
                actions: [{ id: 'post', connector: 'webhook' }],
              },
            ],
          },
        ],
      }),
    );
    mqttPort = await freePort();
    opsPort = await freePort();
    sluice = new SluiceProcess('all', {
      // /metrics of a process with a public API answers on the operational port
      SLUICE_OPS_PORT: String(opsPort),
      SLUICE_PIPELINE_FILE: pipelineFile,
      SLUICE_HTTP_PORT: String(await freePort()),
      SLUICE_EMBEDDED_MQTT_PORT: String(mqttPort),
      SLUICE_DATA_DIR: mkdtempSync(join(tmpdir(), 'sluice-embedded-')),
      SLUICE_NATS_URL: 'nats://127.0.0.1:1',
      SLUICE_DELIVERY_BACKOFF_MS: '50',
      SLUICE_DELIVERY_MAX_BACKOFF_MS: '200',
      SLUICE_DELIVERY_BREAKER_OPEN_MS: '200',
      SLUICE_DELIVERY_MAX_ATTEMPTS: '1000',
    }).start();
    await sluice.ready();
  });

  afterAll(async () => {
    await sluice?.stop();
    await target.close();
  });

  const metrics = async () => (await fetch(`http://127.0.0.1:${opsPort}/metrics`)).text();

  it('drops what does not fit, counted by reason, and delivers what fit once the target is back', async () => {
    const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${mqttPort}`);
    try {
      for (let n = 0; n < 10; n++)
        await client.publishAsync(`${ns.topicPrefix}sensors/d1`, JSON.stringify({ n }), { qos: 1 });
    } finally {
      await client.endAsync();
    }
    const dropped = `sluice_action_dropped_total{tenant="${tenant}",connector="webhook",action="post",reason="queue_full"}`;
    await eventually(async () => expect(await metrics()).toContain(`${dropped} 7`), { timeoutMs: 15_000 });
    target.status = 200;
    await eventually(() => expect(target.requests).toHaveLength(3), { timeoutMs: 15_000 });
    expect(await metrics()).toContain(`${dropped} 7`);
  });
});
