import { Inject, Injectable } from '@nestjs/common';
import { Connector, SecretBox, type PageRequest } from '@sluice/persistence';
import { QuotaExceededError } from '../errors/api-errors';
import { toPage, type PageOf } from '../graphql/page.model';
import { PLANS, planOf, type Plans } from '../plans/plans';
import { openSecrets, secretContext } from '../propagation/tenant-definition';
import { TenantChanges } from '../propagation/tenant-changes.service';
import { mergeSecrets, nextSecrets, splitSecrets, type Secrets } from './config-secrets';
import type {
  ConnectorFilterInput,
  CreateConnectorInput,
  TestConnectorInput,
  UpdateConnectorInput,
} from './connector.input';
import { ConnectorModel, type ConnectorStatusModel } from './connector.model';
import { buildConnector, validateConnectorConfig } from './connector-validation';
import { closeQuietly } from '../propagation/definition-check';
import { chooseConfig, withQueue } from './typed-config';

const TEST_TIMEOUT_MS = 10_000;

@Injectable()
export class ConnectorsService {
  constructor(
    private readonly changes: TenantChanges,
    private readonly box: SecretBox,
    @Inject(PLANS) private readonly plans: Plans,
  ) {}

  async create(tenantId: string, input: CreateConnectorInput): Promise<ConnectorModel> {
    const chosen = chooseConfig(input);
    const kind = chosen.kind;
    const given = withQueue(chosen.config, input.queue);
    await validateConnectorConfig(kind, given, 'input', chosen.configPath);
    const { config, secrets } = splitSecrets(kind, given ?? {});
    const row = await this.changes.apply(tenantId, async (repos, tenant, manager) => {
      const plan = planOf(this.plans, tenant.plan);
      if ((await repos.connectors.count(tenantId)) >= plan.maxConnectors) {
        throw new QuotaExceededError('connectors', plan.maxConnectors, tenant.plan);
      }
      const created = await repos.connectors.create(tenantId, {
        name: input.name,
        kind,
        enabled: input.enabled ?? true,
        config,
        secretsSealed: null,
      });
      // why a second write: the seal is bound to the row's id, which exists only now; it does not
      // count as an edit, so the version stays 1
      created.secretsSealed = this.seal(created.id, secrets);
      await manager.update(Connector, { id: created.id, tenantId }, { secretsSealed: created.secretsSealed });
      return created;
    });
    return this.toModel(row);
  }

  async update(tenantId: string, input: UpdateConnectorInput): Promise<ConnectorModel> {
    const row = await this.changes.apply(tenantId, async (repos) => {
      const current = await repos.connectors.require(tenantId, input.id);
      let config = current.config;
      let secretsSealed = current.secretsSealed;
      const chosen = chooseConfig(input, current.kind);
      let given = chosen.config;
      // why keep it: a typed configuration replaces the driver's settings, not the queue bound that
      // sits beside them (config JSON replaces everything, so it can also remove the bound)
      if (given && chosen.configPath !== 'input.config' && !('queue' in given) && 'queue' in config) {
        given = { ...given, queue: config['queue'] };
      }
      given = withQueue(given ?? (input.queue ? config : undefined), input.queue);
      if (given !== undefined || input.clearSecrets !== undefined) {
        const split = given ? splitSecrets(current.kind, given) : { config, secrets: {} };
        const stored = openSecrets(this.box, 'connector', current);
        const secrets = nextSecrets(stored, split.secrets, input.clearSecrets);
        const merged = mergeSecrets(split.config, secrets);
        await validateConnectorConfig(current.kind, merged, 'input', chosen.configPath);
        config = split.config;
        secretsSealed = this.seal(current.id, secrets);
      }
      return repos.connectors.update(tenantId, input.id, input.version, {
        ...(input.name !== undefined && { name: input.name }),
        ...(input.enabled !== undefined && { enabled: input.enabled }),
        config,
        secretsSealed,
      });
    });
    return this.toModel(row);
  }

  setEnabled(tenantId: string, id: string, version: number, enabled: boolean): Promise<ConnectorModel> {
    return this.update(tenantId, { id, version, enabled });
  }

  async delete(tenantId: string, id: string): Promise<string> {
    await this.changes.apply(tenantId, (repos) => repos.connectors.delete(tenantId, id));
    return id;
  }

  async get(tenantId: string, id: string): Promise<ConnectorModel> {
    return this.toModel(await this.changes.inTransaction((repos) => repos.connectors.require(tenantId, id)));
  }

  async list(
    tenantId: string,
    page: PageRequest,
    filter: ConnectorFilterInput = {},
  ): Promise<PageOf<ConnectorModel>> {
    const rows = await this.changes.inTransaction((repos) => repos.connectors.list(tenantId, page, filter));
    return toPage(rows, (row) => this.toModel(row));
  }

  /** Tries a configuration's connection without saving anything. */
  async test(
    args: TestConnectorInput & { kind?: string; config?: Record<string, unknown> },
  ): Promise<ConnectorStatusModel> {
    // why these paths: testConnector takes `kind` and `config` as arguments, the typed ones in `input`
    const chosen = chooseConfig(args, undefined, { kind: 'kind', config: 'config', typed: 'input' });
    const connector = buildConnector(chosen.kind, chosen.config, '', chosen.configPath);
    let timer: NodeJS.Timeout | undefined;
    try {
      const timeout = new Promise<ConnectorStatusModel>((resolve) => {
        timer = setTimeout(
          () => resolve({ state: 'disconnected', reason: `no answer within ${TEST_TIMEOUT_MS} ms` }),
          TEST_TIMEOUT_MS,
        );
      });
      const status = await Promise.race([connector.testConnection(), timeout]);
      return { state: status.state, reason: status.reason ?? null };
    } finally {
      clearTimeout(timer);
      await closeQuietly(connector);
    }
  }

  private seal(id: string, secrets: Secrets): string | null {
    return Object.keys(secrets).length === 0
      ? null
      : this.box.sealJson(secrets, secretContext('connector', id));
  }

  private toModel(row: Connector): ConnectorModel {
    const { id, tenantId, name, kind, enabled, version, config, createdAt, updatedAt } = row;
    const secretsSet = Object.keys(openSecrets(this.box, 'connector', row)).sort();
    return { id, tenantId, name, kind, enabled, version, config, secretsSet, createdAt, updatedAt };
  }
}
