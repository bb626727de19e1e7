import { Inject, Injectable } from '@nestjs/common';
import { mqttEndpoints, type TargetPolicy } from '@sluice/connectors';
import { SecretBox, Source, type PageRequest, type Repositories, type SourceKind } from '@sluice/persistence';
import {
  checkSourceRunConfig,
  pipelineDefinitionSchema,
  tenantMountpoint,
  type SourceDefaults,
} from '@sluice/pipeline';
import {
  mergeSecrets,
  nextSecrets,
  sourceSecretFields,
  splitSecrets,
  type Secrets,
} from '../connectors/config-secrets';
import type { GatewaySettings } from '../config';
import { refuseDeniedTargets, TENANT_TARGETS } from '../connectors/tenant-targets.provider';
import type { Principal } from '../auth/principal';
import { InputInvalidError, QuotaExceededError } from '../errors/api-errors';
import { PLANS, planOf, type Plans } from '../plans/plans';
import { allPages } from '../propagation/tenant-definition';
import { GATEWAY_SETTINGS } from '../gateway.settings';
import { toPage, type PageOf } from '../graphql/page.model';
import { TenantChanges } from '../propagation/tenant-changes.service';
import { openSecrets, secretContext } from '../propagation/tenant-definition';
import type { CreateSourceInput, SourceFilterInput, UpdateSourceInput } from './source.input';
import type { SourceModel } from './source.model';

@Injectable()
export class SourcesService {
  constructor(
    private readonly changes: TenantChanges,
    private readonly box: SecretBox,
    @Inject(GATEWAY_SETTINGS) private readonly settings: GatewaySettings,
    @Inject(PLANS) private readonly plans: Plans,
    @Inject(TENANT_TARGETS) private readonly tenantTargets: TargetPolicy,
  ) {}

  /** `by`: who asks; a tenant's source on a broker of its own is checked against the targets policy. */
  async create(
    tenantId: string,
    input: CreateSourceInput,
    by: Principal['kind'] = 'operator',
  ): Promise<SourceModel> {
    const kind = (input.kind ?? 'mqtt') as SourceKind;
    this.check(tenantId, kind, input.config);
    if (by === 'tenant') await this.checkTarget(input.config);
    const { config, secrets } = splitSecrets(sourceSecretFields(kind), input.config);
    const row = await this.changes.apply(tenantId, async (repos, tenant, manager) => {
      const plan = planOf(this.plans, tenant.plan);
      if ((await repos.sources.count(tenantId)) >= plan.maxSources) {
        throw new QuotaExceededError('sources', plan.maxSources, tenant.plan);
      }
      await this.checkConnections(repos, tenantId, tenant.plan, null, input.config);
      const created = await repos.sources.create(tenantId, {
        name: input.name,
        kind,
        enabled: input.enabled ?? true,
        config,
        secretsSealed: null,
        configuredByOperator: by === 'operator',
      });
      created.secretsSealed = this.seal(created.id, secrets);
      await manager.update(Source, { id: created.id, tenantId }, { secretsSealed: created.secretsSealed });
      return created;
    });
    return this.toModel(row);
  }

  async update(
    tenantId: string,
    input: UpdateSourceInput,
    by: Principal['kind'] = 'operator',
  ): Promise<SourceModel> {
    if (by === 'tenant') await this.checkTarget(input.config);
    const row = await this.changes.apply(tenantId, async (repos, tenant) => {
      const current = await repos.sources.require(tenantId, input.id);
      if (input.config) await this.checkConnections(repos, tenantId, tenant.plan, current.id, input.config);
      let config = current.config;
      let secretsSealed = current.secretsSealed;
      let configuredByOperator = current.configuredByOperator;
      if (input.config !== undefined || input.clearSecrets !== undefined) {
        const split = input.config
          ? splitSecrets(sourceSecretFields(current.kind), input.config)
          : { config, secrets: {} };
        const secrets = nextSecrets(
          openSecrets(this.box, 'source', current),
          split.secrets,
          input.clearSecrets,
        );
        this.check(tenantId, current.kind, mergeSecrets(split.config, secrets));
        config = split.config;
        secretsSealed = this.seal(current.id, secrets);
        // why: whoever last chose the broker decides whether the target policy applies
        configuredByOperator = by === 'operator';
      }
      return repos.sources.update(tenantId, input.id, input.version, {
        ...(input.name !== undefined && { name: input.name }),
        ...(input.enabled !== undefined && { enabled: input.enabled }),
        config,
        secretsSealed,
        configuredByOperator,
      });
    });
    return this.toModel(row);
  }

  /**
   * Refuses a tenant's source whose broker resolves to an address the policy denies (link-local and
   * metadata always; loopback and private ranges unless the operator allows them; the bus and the
   * operator's broker by address), as for connectors: ingest would otherwise connect wherever a
   * tenant points it. A name that does not resolve now passes.
   */
  private checkTarget(config: Record<string, unknown> | undefined): Promise<void> {
    const url = config?.['url'];
    return refuseDeniedTargets(this.tenantTargets, typeof url === 'string' ? mqttEndpoints(url) : []);
  }

  setEnabled(tenantId: string, id: string, version: number, enabled: boolean): Promise<SourceModel> {
    return this.update(tenantId, { id, version, enabled });
  }

  async delete(tenantId: string, id: string): Promise<string> {
    await this.changes.apply(tenantId, (repos) => repos.sources.delete(tenantId, id));
    return id;
  }

  async get(tenantId: string, id: string): Promise<SourceModel> {
    return this.toModel(await this.changes.inTransaction((repos) => repos.sources.require(tenantId, id)));
  }

  async list(
    tenantId: string,
    page: PageRequest,
    filter: SourceFilterInput = {},
  ): Promise<PageOf<SourceModel>> {
    const rows = await this.changes.inTransaction((repos) =>
      repos.sources.list(tenantId, page, {
        kind: filter.kind as SourceKind | undefined,
        enabled: filter.enabled,
      }),
    );
    return toPage(rows, (row) => this.toModel(row));
  }

  /**
   * Validates a source as ingest will run it (the same run configuration and parser), so what is
   * saved can run; a bad field names `input.config.<path>`.
   */
  private check(tenantId: string, kind: string, config: Record<string, unknown>): void {
    if (config['configuredBy'] !== undefined) {
      throw new InputInvalidError(
        'input.config.configuredBy',
        'set by Sluice from who saves the source (leave it out)',
      );
    }
    const probe = { tenants: [{ id: tenantId, sources: [{ ...config, id: 'probe', kind }] }] };
    const result = pipelineDefinitionSchema.safeParse(probe);
    if (!result.success) {
      const issue = result.error.issues[0]!;
      const path = issue.path.slice(4).join('.');
      throw new InputInvalidError(path ? `input.config.${path}` : 'input.config', issue.message);
    }
    const definition = result.data.tenants[0]!.sources[0]!;
    const mountpoint = tenantMountpoint(this.settings.SLUICE_TENANT_MOUNTPOINT, tenantId);
    const [problem] = checkSourceRunConfig(tenantId, mountpoint, definition, this.sourceDefaults());
    if (!problem) return;
    const field = problem.field === '(root)' ? 'input.config' : `input.config.${problem.field}`;
    throw new InputInvalidError(field, problem.problem);
  }

  // why approximate replica settings: they are the operator's and valid; only the tenant's part is checked
  private sourceDefaults(): SourceDefaults {
    return {
      mqttUrl: this.settings.mqttUrl ?? 'mqtt://127.0.0.1:1883',
      mqttProtocolVersion: 5,
      shareGroup: 'sluice',
      clientIdPrefix: 'sluice-ingest',
      connections: 1,
      maxInFlight: 256,
    };
  }

  /**
   * Broker connections are the scarce thing a source takes (each is a session on a broker): the
   * tenant's sources together, with `config` instead of source `replacing`'s, stay within the plan.
   */
  private async checkConnections(
    repos: Repositories,
    tenantId: string,
    planName: string,
    replacing: string | null,
    config: Record<string, unknown>,
  ): Promise<void> {
    const plan = planOf(this.plans, planName);
    const connectionsOf = (c: Record<string, unknown>) =>
      typeof c['connections'] === 'number' ? c['connections'] : 1;
    const others = await allPages((page) => repos.sources.list(tenantId, page));
    const total = others
      .filter((s) => s.id !== replacing)
      .reduce((sum, s) => sum + connectionsOf(s.config), connectionsOf(config));
    if (total > plan.maxBrokerConnections) {
      throw new QuotaExceededError('brokerConnections', plan.maxBrokerConnections, planName);
    }
  }

  private seal(id: string, secrets: Secrets): string | null {
    return Object.keys(secrets).length === 0 ? null : this.box.sealJson(secrets, secretContext('source', id));
  }

  private toModel(row: Source): SourceModel {
    const { id, tenantId, name, kind, enabled, version, config, createdAt, updatedAt } = row;
    const secretsSet = Object.keys(openSecrets(this.box, 'source', row)).sort();
    return { id, tenantId, name, kind, enabled, version, config, secretsSet, createdAt, updatedAt };
  }
}
