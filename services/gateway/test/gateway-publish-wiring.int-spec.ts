import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Module, type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { HealthModule } from '@sluice/health';
import { TelemetryModule } from '@sluice/telemetry';
import mqtt from 'mqtt';
import { eventually, testNamespace, testServers } from '../../../test/support';
import type { GatewaySettings } from '../src/config';
import { GatewayModule } from '../src/gateway.module';
import { basic } from './publish-test-app';

const ns = testNamespace();

describe('the gateway module serves the publish API', () => {
  const adminKey = 'wiring-admin-key-0123456789abcdef';
  const dataDir = mkdtempSync(join(tmpdir(), 'sluice-gateway-'));
  let app: INestApplication;

  beforeAll(async () => {
    const settings = {
      SLUICE_BUS: 'in-process',
      SLUICE_NATS_URL: 'nats://127.0.0.1:4222',
      SLUICE_DATA_DIR: dataDir,
      SLUICE_DATABASE_POOL_SIZE: 1,
      SLUICE_ADMIN_KEY: adminKey,
      mqttUrl: testServers.mqttUrl,
    } as unknown as GatewaySettings;
    // as the gateway's main.ts composes it: the process's metrics and health beside the gateway
    @Module({ imports: [TelemetryModule, HealthModule, GatewayModule.forRoot(settings)] })
    class GatewayTestAppModule {}
    const moduleRef = await Test.createTestingModule({ imports: [GatewayTestAppModule] }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.listen(0, '127.0.0.1');
  });

  afterAll(async () => {
    await app?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('publishes with the operator key through GatewayModule.forRoot (SQLite, the real broker)', async () => {
    const topic = `${ns.topicPrefix}wiring`;
    const subscriber = await mqtt.connectAsync(testServers.mqttUrl, { protocolVersion: 5 });
    const got: string[] = [];
    subscriber.on('message', (_topic, payload) => got.push(payload.toString()));
    await subscriber.subscribeAsync(topic, { qos: 1 });
    try {
      const { port } = (app.getHttpServer() as { address(): AddressInfo }).address();
      const response = await fetch(`http://127.0.0.1:${port}/api/v5/publish`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: basic('admin', adminKey) },
        body: JSON.stringify({ topic, payload: 'wired', qos: 1 }),
      });
      expect(response.status).toBe(200);
      await eventually(() => expect(got).toEqual(['wired']));
    } finally {
      await subscriber.endAsync();
    }
  });
});
