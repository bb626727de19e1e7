import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  eventually,
  freePort,
  HttpTarget,
  SluiceProcess,
  testNamespace,
  writeSkeletonPipeline,
} from '../support';

// External system -> HTTP publish API -> broker -> ingest -> rule -> target, in one Sluice process.
describe('a message published over HTTP flows on through a rule to a target', () => {
  const ns = testNamespace();
  const target = new HttpTarget();
  const adminKey = 'publish-e2e-admin-key-0123456789';
  let sluice: SluiceProcess;

  beforeAll(async () => {
    await target.start();
    sluice = new SluiceProcess('all', {
      SLUICE_PIPELINE_FILE: writeSkeletonPipeline(ns, target.url),
      SLUICE_HTTP_PORT: String(await freePort()),
      SLUICE_EMBEDDED_MQTT_PORT: String(await freePort()),
      SLUICE_DATA_DIR: mkdtempSync(join(tmpdir(), 'sluice-publish-e2e-')),
      SLUICE_ADMIN_KEY: adminKey,
    }).start();
    await sluice.ready();
  });

  afterAll(async () => {
    await sluice?.stop();
    await target.close();
  });

  it('answers with the message id and the target receives the payload', async () => {
    const topic = `${ns.topicPrefix}sensors/http-1`;
    const response = await fetch(`http://127.0.0.1:${sluice.port}/api/v5/publish`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`admin:${adminKey}`).toString('base64')}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ topic, payload: '{"temp":42}', qos: 1 }),
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { id?: string };
    expect(body.id).toMatch(/^[0-9a-f]{32}$/i);
    const delivered = await eventually(
      () => {
        const found = target.jsonBodies().find((b) => b['topic'] === topic);
        expect(found).toBeDefined();
        return found!;
      },
      { timeoutMs: 10_000 },
    );
    expect(delivered['payload']).toBe('{"temp":42}');
  });

  it('refuses a publish without credentials, and nothing reaches the target', async () => {
    const topic = `${ns.topicPrefix}sensors/http-2`;
    const response = await fetch(`http://127.0.0.1:${sluice.port}/api/v5/publish`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ topic, payload: 'x', qos: 1 }),
    });
    expect(response.status).toBe(401);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    expect(target.jsonBodies().some((b) => b['topic'] === topic)).toBe(false);
  });
});
