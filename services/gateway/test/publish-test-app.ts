import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Module, type DynamicModule, type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { ApiKeysRepository, PersistenceModule, TenantsRepository } from '@sluice/persistence';
import { ADMIN_KEY } from '../src/auth/admin-key';
import type { GatewaySettings } from '../src/config';
import { GATEWAY_SETTINGS } from '../src/gateway.settings';
import { PublishModule } from '../src/publish/publish.module';

/** What the gateway module provides globally, without the parts the publish API does not use. */
@Module({})
class GatewayGlobalsForTest {
  static forRoot(settings: GatewaySettings): DynamicModule {
    return {
      module: GatewayGlobalsForTest,
      global: true,
      imports: [PersistenceModule.forRoot(settings)],
      providers: [
        { provide: ADMIN_KEY, useValue: settings.SLUICE_ADMIN_KEY },
        { provide: GATEWAY_SETTINGS, useValue: settings },
      ],
      exports: [ADMIN_KEY, GATEWAY_SETTINGS],
    };
  }
}

export interface PublishTestApp {
  app: INestApplication;
  baseUrl: string;
  apiKeys: ApiKeysRepository;
  tenants: TenantsRepository;
  close(): Promise<void>;
}

/**
 * The PublishModule on a real HTTP port, with SQLite in a temp dir, pointed at `mqttUrl`.
 * `publishSettings` are SLUICE_PUBLISH_* values (as the gateway config would carry them).
 */
export async function startPublishApp(
  adminKey: string,
  mqttUrl: string | undefined,
  publishSettings: Record<string, number> = {},
): Promise<PublishTestApp> {
  const dataDir = mkdtempSync(join(tmpdir(), 'sluice-publish-'));
  const settings = {
    SLUICE_BUS: 'in-process',
    SLUICE_NATS_URL: 'nats://127.0.0.1:4222',
    SLUICE_DATA_DIR: dataDir,
    SLUICE_DATABASE_POOL_SIZE: 1,
    SLUICE_ADMIN_KEY: adminKey,
    mqttUrl,
    ...publishSettings,
  } as unknown as GatewaySettings;
  const moduleRef = await Test.createTestingModule({
    imports: [GatewayGlobalsForTest.forRoot(settings), PublishModule],
  }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  await app.listen(0, '127.0.0.1');
  const { port } = (app.getHttpServer() as { address(): AddressInfo }).address();
  return {
    app,
    baseUrl: `http://127.0.0.1:${port}`,
    apiKeys: app.get(ApiKeysRepository),
    tenants: app.get(TenantsRepository),
    close: async () => {
      await app.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** `Authorization: Basic` for an API key, split as `slk_<16 hex>:<secret>`. */
export function basicForKey(key: string): string {
  const username = key.slice(0, 'slk_'.length + 16);
  const password = key.slice(username.length + 1);
  return basic(username, password);
}

export function basic(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;
}
