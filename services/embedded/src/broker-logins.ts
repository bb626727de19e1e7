import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import type { BrokerAuthenticator, BrokerPrincipal, EmbeddedBroker } from '@sluice/embedded-broker';
import { ApiKeysRepository, TenantsRepository } from '@sluice/persistence';
import { tenantMountpoint } from '@sluice/pipeline';
import { topicAllowedBy } from '@sluice/publish';
import { isAdminKey } from '../../gateway/src/auth/admin-key';
import { planOf, type Plans } from '../../gateway/src/plans/plans';
import { ADMIN_USERNAME } from '../../gateway/src/publish/persistence-api-key.verifier';

export const BROKER_LOGIN_SETTINGS = Symbol('BROKER_LOGIN_SETTINGS');

export interface BrokerLoginSettings {
  broker: EmbeddedBroker | null;
  adminKey: string;
  /** SLUICE_MQTT_USERNAME was set: no client connects without a login, even before tenants exist. */
  requireLogin: boolean;
  /** SLUICE_TENANT_MOUNTPOINT. */
  mountpointTemplate: string | undefined;
  /**
   * The pipeline file's tenants: the operator's own, whose devices publish as before (the gateway
   * keeps a row for each to count usage, so they do not count as tenants existing).
   */
  fileTenants: ReadonlySet<string>;
  /** The plans (SLUICE_PLANS or the defaults): a tenant's `maxBrokerClients` caps its clients. */
  plans: Plans;
}

interface KeyPrincipal extends BrokerPrincipal {
  keyId: string;
  tenantId: string | null;
}

const ANONYMOUS: BrokerPrincipal = { name: 'anonymous', tenant: null };
const OPERATOR_KEY: BrokerPrincipal = { name: 'operator key', tenant: null };
const KEY_PREFIX = /^slk_[0-9a-f]{16}$/;

/**
 * Who may log in to the embedded broker (docs/security.md, "The embedded broker"), checked in the
 * key store the publish API uses: `admin` with the operator key; an API key as `slk_<16 hex>` and
 * the rest of the key (the publish API's Basic form), or as the password whole with the tenant id
 * as the username. A tenant's key is confined to the tenant's namespace and publishes where its
 * `publishTopics` allow; the operator's keys are unconfined. Without credentials a client connects
 * only while no tenant exists besides the pipeline file's and SLUICE_MQTT_USERNAME is unset (a
 * first `npm start`, with or without a pipeline file).
 */
@Injectable()
export class BrokerLogins implements BrokerAuthenticator, OnModuleInit {
  constructor(
    @Inject(BROKER_LOGIN_SETTINGS) private readonly settings: BrokerLoginSettings,
    private readonly apiKeys: ApiKeysRepository,
    private readonly tenants: TenantsRepository,
  ) {}

  // why at module init: before ingest connects (application bootstrap), and once the database is open
  onModuleInit(): void {
    this.settings.broker?.useAuthenticator(this);
  }

  async authenticate(
    username: string | undefined,
    password: string | undefined,
  ): Promise<BrokerPrincipal | null> {
    if (username === undefined && password === undefined) {
      return (await this.anonymousAllowed()) ? ANONYMOUS : null;
    }
    if (username === ADMIN_USERNAME)
      return isAdminKey(password, this.settings.adminKey) ? OPERATOR_KEY : null;
    if (username === undefined || password === undefined) return null;
    const whole = password.startsWith('slk_');
    if (!whole && !KEY_PREFIX.test(username)) return null;
    const row = await this.apiKeys.authenticate(whole ? password : `${username}_${password}`);
    // why: with the whole key as the password, the username must name the key's tenant
    if (!row || (whole && username !== row.tenantId)) return null;
    const maxClients = row.tenantId === null ? undefined : await this.maxClientsOf(row.tenantId);
    const principal: KeyPrincipal = {
      name: `key ${row.id}`,
      keyId: row.id,
      tenantId: row.tenantId,
      tenant:
        row.tenantId === null
          ? null
          : {
              id: row.tenantId,
              mountpoint: tenantMountpoint(this.settings.mountpointTemplate, row.tenantId),
              mayPublish: (topic) => topicAllowedBy(row.publishTopics, topic),
              ...(maxClients !== undefined && { maxClients }),
            },
    };
    return principal;
  }

  async stillValid(principal: BrokerPrincipal): Promise<boolean> {
    if (principal === ANONYMOUS) return this.anonymousAllowed();
    if (!('keyId' in principal)) return true; // the operator key does not change while Sluice runs
    const { keyId, tenantId } = principal as KeyPrincipal;
    const row = await this.apiKeys.get(tenantId, keyId);
    return row !== null && row.revokedAt === null;
  }

  /** The tenant's plan's cap on broker clients; none for the pipeline file's tenants (the operator's). */
  private async maxClientsOf(tenantId: string): Promise<number | undefined> {
    if (this.settings.fileTenants.has(tenantId)) return undefined;
    const tenant = await this.tenants.get(tenantId);
    return tenant ? planOf(this.settings.plans, tenant.plan).maxBrokerClients : undefined;
  }

  private async anonymousAllowed(): Promise<boolean> {
    if (this.settings.requireLogin) return false;
    const { fileTenants } = this.settings;
    const { items } = await this.tenants.list({ first: fileTenants.size + 1 });
    return items.every((tenant) => fileTenants.has(tenant.id));
  }
}
