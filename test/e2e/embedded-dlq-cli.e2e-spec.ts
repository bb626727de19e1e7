import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import mqtt from 'mqtt';
import {
  eventually,
  freePort,
  HttpTarget,
  SluiceProcess,
  testNamespace,
  writeSkeletonPipeline,
} from '../support';

const bin = resolve(__dirname, '../../bin/sluice.js');

/** Runs the built CLI; resolves with its exit code and output. */
function sluice(args: string[], env: Record<string, string>) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((done) => {
    execFile(
      process.execPath,
      [bin, ...args],
      { env: { PATH: process.env['PATH'] ?? '', ...env } },
      (error, stdout, stderr) => done({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

// `sluice dlq` in the embedded mode: the dead letters live in the running process's bus log, and the
// command reaches them through its API; an unreachable bus is one line on stderr, never a stack.
describe('embedded mode: sluice dlq list and redrive', () => {
  const ns = testNamespace();
  const target = new HttpTarget();
  const adminKey = randomBytes(24).toString('hex');
  let app: SluiceProcess;
  let cliEnv: Record<string, string>;

  beforeAll(async () => {
    await target.start();
    const httpPort = await freePort();
    app = new SluiceProcess('all', {
      SLUICE_PIPELINE_FILE: writeSkeletonPipeline(ns, target.url),
      SLUICE_HTTP_PORT: String(httpPort),
      SLUICE_EMBEDDED_MQTT_PORT: String(await freePort()),
      SLUICE_DATA_DIR: mkdtempSync(join(tmpdir(), 'sluice-dlq-cli-')),
      SLUICE_ADMIN_KEY: adminKey,
      SLUICE_NATS_URL: 'nats://127.0.0.1:1',
      SLUICE_DELIVERY_MAX_ATTEMPTS: '1',
    }).start();
    await app.ready();
    cliEnv = { SLUICE_HTTP_PORT: String(httpPort), SLUICE_ADMIN_KEY: adminKey };
  });

  afterAll(async () => {
    await app?.stop();
    await target.close();
  });

  it('lists a dead letter and re-drives it to the target', async () => {
    target.status = 503;
    const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${app.env['SLUICE_EMBEDDED_MQTT_PORT']}`);
    await client.publishAsync(`${ns.topicPrefix}sensors/d1`, '{"temp":7}', { qos: 1 });
    await client.endAsync();
    const tenant = `t${ns.id}`;
    let letters: { seq: number; code: string; message: string; connectorId: string }[] = [];
    await eventually(
      async () => {
        const list = await sluice(['dlq', 'list', '--tenant', tenant], cliEnv);
        expect(list.stderr).toBe('');
        letters = list.stdout
          .trim()
          .split('\n')
          .filter(Boolean)
          .map((line) => JSON.parse(line) as (typeof letters)[number]);
        expect(letters).toHaveLength(1);
      },
      { timeoutMs: 20_000, intervalMs: 500 },
    );
    expect(letters[0]).toMatchObject({
      connectorId: 'webhook',
      message: expect.stringContaining('503') as string,
    });
    target.status = 200;
    const redrive = await sluice(['dlq', 'redrive', '--tenant', tenant, String(letters[0]!.seq)], cliEnv);
    expect(redrive).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(redrive.stdout)).toMatchObject({ seq: letters[0]!.seq });
    await eventually(() => expect(target.jsonBodies().map((b) => b['payload'])).toContain('{"temp":7}'), {
      timeoutMs: 20_000,
    });
    const after = await sluice(['dlq', 'list', '--tenant', tenant], cliEnv);
    expect(after.stdout).toBe('');
    // --all with nothing left is done, not a usage error; no sequence at all still is one
    expect(await sluice(['dlq', 'redrive', '--tenant', tenant, '--all'], cliEnv)).toEqual({
      code: 0,
      stdout: '',
      stderr: '',
    });
    expect(await sluice(['dlq', 'redrive', '--tenant', tenant], cliEnv)).toMatchObject({ code: 2 });
  });

  it('says in one line, without a stack trace, that the bus is unreachable', async () => {
    const embedded = await sluice(['dlq', 'list', '--tenant', 'acme'], {
      SLUICE_HTTP_PORT: String(await freePort()),
      SLUICE_ADMIN_KEY: adminKey,
    });
    expect(embedded.code).toBe(1);
    expect(embedded.stderr).toMatch(
      /^sluice: cannot reach the embedded Sluice at http:\/\/127\.0\.0\.1:\d+\/graphql .*\n$/,
    );
    expect(embedded.stderr.trim().split('\n')).toHaveLength(1);
    const mesh = await sluice(['dlq', 'list', '--tenant', 'acme'], {
      SLUICE_BUS: 'nats',
      SLUICE_NATS_URL: `nats://127.0.0.1:${await freePort()}`,
    });
    expect(mesh.code).toBe(1);
    expect(mesh.stderr).toMatch(/^sluice: cannot reach NATS at nats:\/\/127\.0\.0\.1:\d+: .*\n$/);
    expect(mesh.stderr.trim().split('\n')).toHaveLength(1);
  });
});
