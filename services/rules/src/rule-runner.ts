import {
  Inject,
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
  type OnModuleInit,
} from '@nestjs/common';
import { BUS, createSubjects, type Bus, type Consumption } from '@sluice/bus';
import { ReadinessRegistry } from '@sluice/health';
import {
  ActionQueueLimits,
  MetricsAnnouncer,
  PIPELINE_DEFINITIONS,
  replicaNode,
  ruleMetricsByTenant,
  RuleStage,
  RuleTaps,
  type PipelineDefinitions,
} from '@sluice/pipeline';
import { SluiceMetrics } from '@sluice/telemetry';
import type { RulesSettings } from './config';

export const RULES_SETTINGS = Symbol('RULES_SETTINGS');

/** Runs the rule stage on the shared durable INGEST consumer. */
@Injectable()
export class RuleRunner implements OnModuleInit, OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Rules');
  private consumption?: Consumption;
  private unsubscribe?: () => void;
  private readonly announcer: MetricsAnnouncer;
  private readonly taps: RuleTaps;
  private readonly queues: ActionQueueLimits;
  readonly stage: RuleStage;

  constructor(
    @Inject(RULES_SETTINGS) private readonly settings: RulesSettings,
    @Inject(PIPELINE_DEFINITIONS) private readonly pipeline: PipelineDefinitions,
    @Inject(BUS) private readonly bus: Bus,
    private readonly readiness: ReadinessRegistry,
    metrics: SluiceMetrics,
  ) {
    const subjects = createSubjects(settings.SLUICE_BUS_NAMESPACE);
    this.taps = new RuleTaps(bus, subjects, this.logger, { node: replicaNode('rules') });
    this.queues = new ActionQueueLimits(
      bus,
      subjects,
      this.logger,
      settings.SLUICE_RULES_QUEUE_REFRESH_MS,
      metrics,
    );
    this.stage = new RuleStage(bus, subjects, this.logger, metrics, this.taps, this.queues);
    // why from the Prometheus counters: the stage counts once, /metrics and the gateway read it
    this.announcer = new MetricsAnnouncer(bus, subjects, this.logger, () => ruleMetricsByTenant(metrics), {
      node: replicaNode('rules'),
      intervalMs: settings.SLUICE_STATUS_INTERVAL_MS,
    });
  }

  /**
   * Loads the rules and follows their changes before any module's bootstrap: in the embedded
   * process ingest evaluates them on its turn (ADR 0009) as soon as its sources start.
   */
  onModuleInit(): void {
    this.stage.load(this.pipeline.current());
    for (const tenant of this.pipeline.current().tenants) this.queues.setTenant(tenant);
    this.queues.start();
    this.unsubscribe = this.pipeline.onChange((tenantId, tenant) => {
      // why: a rule that does not compile throws here and the tenant's running rules stay
      if (tenant) this.stage.loadTenant(tenant);
      else this.stage.removeTenant(tenantId);
      if (tenant) this.queues.setTenant(tenant);
      else this.queues.removeTenant(tenantId);
      this.logger.log(
        `tenant '${tenantId}': ${tenant ? `${tenant.rules.length} rule(s) loaded` : 'removed'}`,
      );
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    // why in the embedded process too: a log written before ADR 0009 may still hold INGEST messages
    const subjects = createSubjects(this.settings.SLUICE_BUS_NAMESPACE);
    this.consumption = await this.bus.consume(
      {
        stream: 'INGEST',
        durable: 'rules',
        filterSubject: subjects.ingestAll(),
        maxAckPending: this.settings.SLUICE_RULES_CONCURRENCY,
      },
      (message) => this.stage.handle(message),
    );
    this.readiness.register({
      name: 'rules:consumer',
      check: () => ({ up: this.consumption !== undefined }),
    });
    this.announcer.start();
    this.taps.start();
    const count = this.pipeline.current().tenants.reduce((n, t) => n + t.rules.length, 0);
    this.logger.log(`evaluating ${count} rule(s)`);
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.unsubscribe?.();
    await this.consumption?.stop();
    this.taps.stop();
    await this.queues.stop();
    await this.announcer.stop();
  }
}
