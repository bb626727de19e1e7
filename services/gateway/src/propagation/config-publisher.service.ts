import { Inject, Injectable, Logger, Optional, type OnApplicationBootstrap } from '@nestjs/common';
import { CONFIG_STORE, type ConfigStore } from '@sluice/config-store';
import { describeError } from '@sluice/errors';
import {
  ConfigSnapshotReader,
  PERSISTENCE_DATA_SOURCE,
  SecretBox,
  withTransaction,
  type ConfigSnapshot,
} from '@sluice/persistence';
import { tenantMountpoint, type TenantDefinition } from '@sluice/pipeline';
import type { DataSource } from 'typeorm';
import type { GatewaySettings } from '../config';
import { GATEWAY_SETTINGS } from '../gateway.settings';
import { PipelineFileTenants } from './pipeline-file-tenants.service';
import { renderTenantDefinition, type TenantRows } from './tenant-definition';
import { readTenantRows } from './tenant-rows';

/**
 * Writes each tenant's rendered pipeline definition to the config store, which ingest, rules and
 * delivery watch. Writes of one tenant run one after another and each reads the committed state
 * when it runs, so the last write always carries the latest change.
 */
@Injectable()
export class ConfigPublisher implements OnApplicationBootstrap {
  private readonly logger = new Logger('ConfigPublisher');
  private readonly queues = new Map<string, Promise<void>>();

  constructor(
    @Inject(PERSISTENCE_DATA_SOURCE) private readonly dataSource: DataSource,
    // why optional: a gateway assembled without ConfigStoreModule (some tests) still serves the API;
    // it says at start that changes will not reach the services
    @Optional() @Inject(CONFIG_STORE) private readonly configStore: ConfigStore | undefined,
    private readonly snapshots: ConfigSnapshotReader,
    private readonly box: SecretBox,
    @Inject(GATEWAY_SETTINGS) private readonly settings: GatewaySettings,
    private readonly fileTenants: PipelineFileTenants,
  ) {}

  /** At start the store is made to match the database (changes made while no gateway ran). */
  async onApplicationBootstrap(): Promise<void> {
    if (!this.configStore) {
      this.logger.error('no config store (CONFIG_STORE): configuration changes will not reach the services');
      return;
    }
    try {
      await this.publishAll();
    } catch (error) {
      this.logger.error(`could not publish the configuration at start: ${describeError(error).message}`);
    }
  }

  /** Publishes every tenant from one consistent snapshot and deletes entries of tenants that are gone. */
  async publishAll(): Promise<number> {
    const snapshot = await this.snapshots.read();
    const tenantIds = new Set(snapshot.tenants.map((t) => t.id));
    for (const tenant of snapshot.tenants) {
      await this.enqueue(tenant.id, () => this.put(rowsOf(snapshot, tenant.id)));
    }
    for (const key of await this.store.keys()) {
      if (!tenantIds.has(key)) await this.enqueue(key, () => this.store.delete(key));
    }
    return tenantIds.size;
  }

  /** Publishes one tenant's current definition (after a committed change). Never throws. */
  publishTenant(tenantId: string): Promise<void> {
    return this.enqueue(tenantId, async () => {
      // why a transaction for a read: on SQLite it queues behind open ones, so an uncommitted
      // change of another request is never published
      const rows = await withTransaction(this.dataSource, async (repos) =>
        (await repos.tenants.get(tenantId)) ? readTenantRows(repos, tenantId) : null,
      );
      if (!rows) return this.store.delete(tenantId);
      await this.put(rows);
    });
  }

  /** Removes a deleted tenant's entry, so the services stop its pipeline. Never throws. */
  removeTenant(tenantId: string): Promise<void> {
    return this.enqueue(tenantId, () => this.store.delete(tenantId));
  }

  private get store(): ConfigStore {
    if (!this.configStore) throw new Error('no config store (CONFIG_STORE) in this process');
    return this.configStore;
  }

  private async put(rows: TenantRows): Promise<void> {
    // why: a pipeline-file tenant runs from the file; its row only counts usage
    if (this.fileTenants.ids.has(rows.tenantId)) return;
    const mountpoint = tenantMountpoint(this.settings.SLUICE_TENANT_MOUNTPOINT, rows.tenantId);
    const definition: TenantDefinition = renderTenantDefinition(rows, this.box, mountpoint);
    await this.store.put(rows.tenantId, Buffer.from(JSON.stringify(definition)));
  }

  private enqueue(tenantId: string, work: () => Promise<void>): Promise<void> {
    const previous = this.queues.get(tenantId) ?? Promise.resolve();
    const next = previous
      .then(() => withRetries(work))
      .catch((error: unknown) => {
        // why not thrown: the change is committed; the next change or the next start publishes again
        this.logger.error(`could not publish tenant ${tenantId}: ${describeError(error).message}`);
      });
    this.queues.set(tenantId, next);
    void next.then(() => {
      if (this.queues.get(tenantId) === next) this.queues.delete(tenantId);
    });
    return next;
  }
}

// why retries: a store write can fail for a moment (a NATS reconnect); the write is idempotent
const RETRY_DELAYS_MS = [250, 1_000, 4_000];

async function withRetries(work: () => Promise<void>): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      const delay = RETRY_DELAYS_MS[attempt];
      if (delay === undefined) throw error;
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}

function rowsOf(snapshot: ConfigSnapshot, tenantId: string): TenantRows {
  const mine = <T extends { tenantId: string }>(rows: T[]) => rows.filter((r) => r.tenantId === tenantId);
  return {
    tenantId,
    sources: mine(snapshot.sources),
    connectors: mine(snapshot.connectors),
    rules: mine(snapshot.rules),
    actions: mine(snapshot.actions),
  };
}
