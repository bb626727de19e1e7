import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Module, type DynamicModule, type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { BUS, createSubjects, defaultBusConfig, InProcessBus, type Bus } from '@sluice/bus';
import { CONFIG_STORE, InProcessConfigStore, type ConfigStore } from '@sluice/config-store';
import type { TargetPolicy } from '@sluice/connectors';
import { PersistenceModule } from '@sluice/persistence';
import { Client } from 'pg';
import { randomBytes } from 'node:crypto';
import { testNamespace, testServers } from '../../../test/support';
import { ADMIN_KEY } from '../src/auth/admin-key';
import type { GatewaySettings } from '../src/config';
import { GATEWAY_SETTINGS } from '../src/gateway.settings';
import { TENANT_TARGETS } from '../src/connectors/tenant-targets.provider';
import { GraphqlApiModule } from '../src/graphql/graphql-api.module';

export type DatabaseKind = 'sqlite' | 'postgres';

/** What the gateway and its app module provide globally, with an in-memory store and bus. */
@Module({})
class GlobalsForTest {
  static forRoot(
    settings: GatewaySettings,
    schema: string | undefined,
    store: ConfigStore,
    bus: Bus,
  ): DynamicModule {
    return {
      module: GlobalsForTest,
      global: true,
      imports: [PersistenceModule.forRoot(settings, { schema })],
      providers: [
        { provide: ADMIN_KEY, useValue: settings.SLUICE_ADMIN_KEY },
        { provide: GATEWAY_SETTINGS, useValue: settings },
        { provide: CONFIG_STORE, useValue: store },
        { provide: BUS, useValue: bus },
      ],
      exports: [ADMIN_KEY, GATEWAY_SETTINGS, CONFIG_STORE, BUS],
    };
  }
}

export interface GraphqlResponse<T = Record<string, unknown>> {
  status: number;
  data?: T | null;
  errors?: { message: string; path?: string[]; extensions?: Record<string, unknown> }[];
}

export interface GraphqlTestApp {
  app: INestApplication;
  url: string;
  adminKey: string;
  store: ConfigStore;
  bus: Bus;
  /** POSTs one operation; `key` goes into `Authorization: Bearer`. */
  gql<T = Record<string, unknown>>(
    key: string | undefined,
    query: string,
    variables?: Record<string, unknown>,
  ): Promise<GraphqlResponse<T>>;
  close(): Promise<void>;
}

export interface GraphqlTestAppOptions {
  /** SLUICE_PLANS as JSON. */
  plans?: string;
  /** Reuse a store (to see what a restarted gateway publishes). */
  store?: ConfigStore;
  /** Reuse a database (a restart): the previous app's `reuse` value. */
  reuse?: { dataDir: string; schema?: string };
  busNamespace?: string;
  /** SLUICE_CONNECTOR_TARGETS_ALLOW: the tests' targets are on 127.0.0.1, so loopback by default. */
  targetsAllow?: string[];
  /** The mesh's NATS (SLUICE_BUS=nats, SLUICE_NATS_URL) as the gateway's settings name it; the app still uses an in-memory bus. */
  meshNatsUrl?: string;
  /** SLUICE_PIPELINE_FILE. */
  pipelineFile?: string;
  /** SLUICE_DEFAULT_PLAN. */
  defaultPlan?: string;
  /** The tenants' target policy instead of the one the settings make (a test's resolver). */
  targets?: TargetPolicy;
}

/** The GraphQL API on a real HTTP port, on SQLite in a temp dir or in a fresh PostgreSQL schema. */
export async function startGraphqlApp(
  database: DatabaseKind,
  options: GraphqlTestAppOptions = {},
): Promise<GraphqlTestApp & { reuse: { dataDir: string; schema?: string }; dispose(): Promise<void> }> {
  const dataDir = options.reuse?.dataDir ?? mkdtempSync(join(tmpdir(), 'sluice-graphql-'));
  const schema = database === 'postgres' ? (options.reuse?.schema ?? testNamespace().pgSchema) : undefined;
  const adminKey = `admin_${randomBytes(16).toString('hex')}`;
  const settings = {
    ...defaultBusConfig({ SLUICE_BUS_NAMESPACE: options.busNamespace ?? '' }),
    ...(options.meshNatsUrl && { SLUICE_BUS: 'nats', SLUICE_NATS_URL: options.meshNatsUrl }),
    SLUICE_DATA_DIR: dataDir,
    SLUICE_DATABASE_URL: database === 'postgres' ? testServers.postgresUrl : undefined,
    SLUICE_DATABASE_POOL_SIZE: 5,
    // why fixed: a restarted app must open the secrets the previous one sealed
    SLUICE_SECRET_KEY: '11'.repeat(32),
    SLUICE_ADMIN_KEY: adminKey,
    SLUICE_PLANS: options.plans,
    SLUICE_PIPELINE_FILE: options.pipelineFile,
    SLUICE_DEFAULT_PLAN: options.defaultPlan,
    SLUICE_CONNECTOR_TARGETS_ALLOW: options.targetsAllow ?? ['loopback'],
    SLUICE_CONNECTOR_TARGETS_DENY: [],
    mqttUrl: undefined,
  } as unknown as GatewaySettings;
  const store = options.store ?? new InProcessConfigStore();
  const bus = new InProcessBus(settings, createSubjects(settings.SLUICE_BUS_NAMESPACE));
  await bus.start();
  const builder = Test.createTestingModule({
    imports: [GlobalsForTest.forRoot(settings, schema, store, bus), GraphqlApiModule],
  });
  if (options.targets) builder.overrideProvider(TENANT_TARGETS).useValue(options.targets);
  const moduleRef = await builder.compile();
  const app = moduleRef.createNestApplication({ logger: false });
  await app.listen(0, '127.0.0.1');
  const { port } = (app.getHttpServer() as { address(): AddressInfo }).address();
  const url = `http://127.0.0.1:${port}/graphql`;
  const close = async () => {
    await app.close();
    await bus.close();
  };
  return {
    app,
    url,
    adminKey,
    store,
    bus,
    reuse: { dataDir, schema },
    gql: async (key, query, variables) => {
      const response = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(key === undefined ? {} : { authorization: `Bearer ${key}` }),
        },
        body: JSON.stringify({ query, variables }),
      });
      return { status: response.status, ...((await response.json()) as object) };
    },
    close,
    /** Removes the database (temp dir, PostgreSQL schema). */
    dispose: async () => {
      rmSync(dataDir, { recursive: true, force: true });
      if (schema) {
        const client = new Client({ connectionString: testServers.postgresUrl });
        await client.connect();
        try {
          await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
        } finally {
          await client.end();
        }
      }
    },
  };
}
