import { Inject, Injectable } from '@nestjs/common';
import {
  PERSISTENCE_DATA_SOURCE,
  SecretBox,
  withTransaction,
  type Repositories,
  type Tenant,
} from '@sluice/persistence';
import { tenantMountpoint } from '@sluice/pipeline';
import type { DataSource, EntityManager } from 'typeorm';
import { operatorBrokerOf, type GatewaySettings } from '../config';
import type { OperatorBroker } from '@sluice/pipeline';
import { GATEWAY_SETTINGS } from '../gateway.settings';
import { ConfigPublisher } from './config-publisher.service';
import { checkDefinition } from './definition-check';
import { renderTenantDefinition } from './tenant-definition';
import { readTenantRows } from './tenant-rows';

/**
 * The one way to change a tenant's pipeline: in one transaction it locks the tenant (quota checks
 * in `work` see a stable count), applies the change, and checks that the tenant's whole definition
 * still renders, compiles and validates; then it commits and publishes the definition.
 */
@Injectable()
export class TenantChanges {
  constructor(
    @Inject(PERSISTENCE_DATA_SOURCE) private readonly dataSource: DataSource,
    private readonly box: SecretBox,
    private readonly publisher: ConfigPublisher,
    @Inject(GATEWAY_SETTINGS) private readonly settings: GatewaySettings,
  ) {}

  /** The operator's broker, where a tenant's MQTT connector without url runs (validation builds it so). */
  get operatorBroker(): OperatorBroker | undefined {
    return operatorBrokerOf(this.settings);
  }

  async apply<T>(
    tenantId: string,
    work: (repos: Repositories, tenant: Tenant, manager: EntityManager) => Promise<T>,
  ): Promise<T> {
    const result = await withTransaction(this.dataSource, async (repos, manager) => {
      const tenant = await repos.tenants.lockForUpdate(tenantId);
      const value = await work(repos, tenant, manager);
      const rows = await readTenantRows(repos, tenantId);
      const mountpoint = tenantMountpoint(this.settings.SLUICE_TENANT_MOUNTPOINT, tenantId);
      await checkDefinition(renderTenantDefinition(rows, this.box, mountpoint), this.operatorBroker);
      return value;
    });
    await this.publisher.publishTenant(tenantId);
    return result;
  }

  /**
   * Runs `work` in a transaction of its own, without publishing. Why even for reads and single
   * writes: on SQLite every transaction shares one connection, so a statement run outside one
   * while another is open would join it (and be rolled back with it); these are queued instead.
   */
  inTransaction<T>(work: (repos: Repositories) => Promise<T>): Promise<T> {
    return withTransaction(this.dataSource, work);
  }
}
