import { setTimeout as sleep } from 'node:timers/promises';
import { Inject, Injectable } from '@nestjs/common';
import { reservedSubjectReason } from '@sluice/bus';
import { ConnectorTargetDeniedError, type Endpoint, type TargetPolicy } from '@sluice/connectors';
import { Connector, SecretBox, type PageRequest } from '@sluice/persistence';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import type { Principal } from '../auth/principal';
import { InputInvalidError, QuotaExceededError, TooManyRequestsError } from '../errors/api-errors';
import { toPage, type PageOf } from '../graphql/page.model';
import { PLANS, planOf, type Plans } from '../plans/plans';
import { openSecrets, secretContext } from '../propagation/tenant-definition';
import { TenantChanges } from '../propagation/tenant-changes.service';
import {
  connectorSecretFields,
  mergeSecrets,
  nextSecrets,
  splitSecrets,
  type Secrets,
} from './config-secrets';
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
import { connectorRunConfig, connectorRunProblems, tenantMountpoint } from '@sluice/pipeline';
import { operatorBrokerOf, type GatewaySettings } from '../config';
import { GATEWAY_SETTINGS } from '../gateway.settings';
import { refuseDeniedTargets, TENANT_TARGETS } from './tenant-targets.provider';

const TEST_TIMEOUT_MS = 10_000;
/**
 * A tenant's failed test answers after exactly this long, whatever happened: a refused port answers
 * at once and a filtered one times out, and the difference must not show (no port scanning).
 */
const TENANT_TEST_ANSWER_MS = 3_000;
/** testConnector calls per tenant key per minute. */
const TENANT_TESTS_PER_MINUTE = 10;

/** Who made a change: the operator's connectors are not held to the tenants' target policy. */
export type ChangedBy = Principal['kind'];

@Injectable()
export class ConnectorsService {
  private readonly testLimiter = new RateLimiterMemory({
    points: TENANT_TESTS_PER_MINUTE,
    duration: 60,
    keyPrefix: 'sluice_test_connector',
  });

  constructor(
    private readonly changes: TenantChanges,
    private readonly box: SecretBox,
    @Inject(PLANS) private readonly plans: Plans,
    @Inject(TENANT_TARGETS) private readonly tenantTargets: TargetPolicy,
    @Inject(GATEWAY_SETTINGS) private readonly settings: GatewaySettings,
  ) {}

  async create(
    tenantId: string,
    input: CreateConnectorInput,
    by: ChangedBy = 'tenant',
  ): Promise<ConnectorModel> {
    const chosen = chooseConfig(input);
    const kind = chosen.kind;
    const given = withQueue(chosen.config, input.queue);
    if (by === 'tenant') refuseManaged(kind, given, chosen.configPath);
    await validateConnectorConfig(kind, this.runConfig(tenantId, kind, given), 'input', chosen.configPath);
    if (by === 'tenant') await this.checkTargets(kind, given);
    const { config, secrets } = splitSecrets(connectorSecretFields(kind), given ?? {});
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
        configuredByOperator: by === 'operator',
      });
      // why a second write: the seal is bound to the row's id, which exists only now; it does not
      // count as an edit, so the version stays 1
      created.secretsSealed = this.seal(created.id, secrets);
      await manager.update(Connector, { id: created.id, tenantId }, { secretsSealed: created.secretsSealed });
      return created;
    });
    return this.toModel(row);
  }

  async update(
    tenantId: string,
    input: UpdateConnectorInput,
    by: ChangedBy = 'tenant',
  ): Promise<ConnectorModel> {
    const row = await this.changes.apply(tenantId, async (repos) => {
      const current = await repos.connectors.require(tenantId, input.id);
      let config = current.config;
      let secretsSealed = current.secretsSealed;
      let configuredByOperator = current.configuredByOperator;
      const chosen = chooseConfig(input, current.kind);
      let given = chosen.config;
      // why keep it: a typed configuration replaces the driver's settings, not the queue bound that
      // sits beside them (config JSON replaces everything, so it can also remove the bound)
      if (given && chosen.configPath !== 'input.config' && !('queue' in given) && 'queue' in config) {
        given = { ...given, queue: config['queue'] };
      }
      given = withQueue(given ?? (input.queue ? config : undefined), input.queue);
      if (given !== undefined || input.clearSecrets !== undefined) {
        const split = given
          ? splitSecrets(connectorSecretFields(current.kind), given)
          : { config, secrets: {} };
        const stored = openSecrets(this.box, 'connector', current);
        const candidate = mergeSecrets(split.config, nextSecrets(stored, split.secrets, input.clearSecrets));
        if (by === 'tenant') refuseManaged(current.kind, candidate, chosen.configPath);
        await validateConnectorConfig(
          current.kind,
          this.runConfig(tenantId, current.kind, candidate),
          'input',
          chosen.configPath,
        );
        const moved = !sameEndpoints(
          endpointsOf(current.kind, mergeSecrets(current.config, stored)),
          endpointsOf(current.kind, candidate),
        );
        // why: a stored password or header was given for the old host; it is never sent to a new one
        if (moved) requireSecretsAgain(stored, split.secrets, input.clearSecrets, chosen.configPath);
        const secrets = nextSecrets(moved ? {} : stored, split.secrets, input.clearSecrets);
        const merged = mergeSecrets(split.config, secrets);
        if (by === 'tenant') await this.checkTargets(current.kind, merged);
        config = split.config;
        secretsSealed = this.seal(current.id, secrets);
        configuredByOperator = by === 'operator';
      }
      return repos.connectors.update(tenantId, input.id, input.version, {
        ...(input.name !== undefined && { name: input.name }),
        ...(input.enabled !== undefined && { enabled: input.enabled }),
        config,
        secretsSealed,
        configuredByOperator,
      });
    });
    return this.toModel(row);
  }

  setEnabled(tenantId: string, id: string, version: number, enabled: boolean): Promise<ConnectorModel> {
    // why 'operator': enabling changes no target, so it keeps who configured them
    return this.update(tenantId, { id, version, enabled }, 'operator');
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

  /**
   * Tries a configuration's connection without saving anything. For a tenant's key: limited to
   * TENANT_TESTS_PER_MINUTE, held to the target policy, and a failure answers the same way after the
   * same time whatever the cause, so it cannot tell a closed port from a filtered one.
   */
  async test(
    args: TestConnectorInput & { kind?: string; config?: Record<string, unknown> },
    principal: Principal = { kind: 'operator' },
    tenantId?: string,
  ): Promise<ConnectorStatusModel> {
    if (principal.kind === 'operator') return this.tryConnection(args, tenantId);
    await this.consumeTest(principal.keyId);
    const started = Date.now();
    const status = await this.tryConnection(args, tenantId, this.tenantTargets).catch((error: unknown) => {
      if (error instanceof ConnectorTargetDeniedError)
        return { state: 'disconnected', reason: error.message };
      throw error;
    });
    if (status.state === 'connected') return status;
    await sleep(Math.max(0, started + TENANT_TEST_ANSWER_MS - Date.now()));
    const denied = status.reason?.startsWith('Target ') && status.reason.includes(' is not allowed: ');
    return { state: 'disconnected', reason: denied ? status.reason : 'could not connect' };
  }

  private async consumeTest(keyId: string): Promise<void> {
    try {
      await this.testLimiter.consume(keyId);
    } catch (rejection) {
      if (!(rejection instanceof RateLimiterRes)) throw rejection;
      throw new TooManyRequestsError(
        `at most ${TENANT_TESTS_PER_MINUTE} connection tests per minute per key`,
        Math.max(1, Math.ceil(rejection.msBeforeNext / 1000)),
      );
    }
  }

  private async tryConnection(
    args: TestConnectorInput & { kind?: string; config?: Record<string, unknown> },
    tenantId: string | undefined,
    targets?: TargetPolicy,
  ): Promise<ConnectorStatusModel> {
    // why these paths: testConnector takes `kind` and `config` as arguments, the typed ones in `input`
    const chosen = chooseConfig(args, undefined, { kind: 'kind', config: 'config', typed: 'input' });
    if (targets) refuseManaged(chosen.kind, chosen.config, chosen.configPath);
    // why the run configuration: what is tested is what delivery would run (an MQTT connector
    // without url on the operator's broker, in the tenant's namespace, which no policy restricts)
    const run = tenantId
      ? connectorRunConfig(
          tenantId,
          tenantMountpoint(this.settings.SLUICE_TENANT_MOUNTPOINT, tenantId),
          { id: 'test', kind: chosen.kind, config: chosen.config ?? {} },
          operatorBrokerOf(this.settings),
        )
      : { config: chosen.config, onOperatorBroker: false };
    const connector = buildConnector(chosen.kind, run.config, '', chosen.configPath, {
      targets: run.onOperatorBroker ? undefined : targets,
      reservedSubject: reservedSubjectReason,
    });
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

  /** Refuses a tenant's connector whose targets resolve to addresses the policy denies. */
  private checkTargets(kind: string, config: Record<string, unknown> | undefined): Promise<void> {
    return refuseDeniedTargets(this.tenantTargets, endpointsOf(kind, config ?? {}));
  }

  /**
   * The configuration delivery will run (an MQTT connector without url on the operator's broker,
   * in the tenant's namespace), so what is saved is what runs.
   */
  private runConfig(tenantId: string, kind: string, config: Record<string, unknown> | undefined) {
    if (!config) return config;
    return connectorRunConfig(
      tenantId,
      tenantMountpoint(this.settings.SLUICE_TENANT_MOUNTPOINT, tenantId),
      { id: 'connector', kind, config },
      operatorBrokerOf(this.settings),
    ).config;
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

/** Refuses what Sluice sets on a tenant's connector (its namespace, the shared broker's login). */
function refuseManaged(
  kind: string,
  config: Record<string, unknown> | undefined,
  configPath = 'input.config',
) {
  const [problem] = connectorRunProblems(kind, config ?? {});
  if (problem) throw new InputInvalidError(`${configPath}.${problem.field}`, problem.problem);
}

/** A valid configuration's endpoints (none when it cannot be built: validation says why). */
function endpointsOf(kind: string, config: Record<string, unknown>): Endpoint[] {
  let built;
  try {
    built = buildConnector(kind, config);
  } catch {
    return [];
  }
  const endpoints = built.endpoints?.() ?? [];
  void closeQuietly(built);
  return endpoints;
}

function sameEndpoints(a: readonly Endpoint[], b: readonly Endpoint[]): boolean {
  const key = (list: readonly Endpoint[]) =>
    list
      .map((e) => `${e.host.toLowerCase()}:${e.port}`)
      .sort()
      .join(',');
  return key(a) === key(b);
}

/** Every stored secret must be given again (or cleared) when the connector's host changes. */
function requireSecretsAgain(
  stored: Secrets,
  incoming: Secrets,
  cleared: readonly string[] = [],
  configPath = 'input.config',
): void {
  const missing = Object.keys(stored).filter((name) => !(name in incoming) && !cleared.includes(name));
  if (missing.length === 0) return;
  throw new InputInvalidError(
    configPath,
    `the connector's host changed, so its stored secrets are not kept: give ${missing.sort().join(', ')} again, or list them in clearSecrets`,
  );
}
