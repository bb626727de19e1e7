import {
  Inject,
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { BUS, createSubjects, type Bus, type Consumption, type Subjects } from '@sluice/bus';
import { tenantTargetPolicy } from '@sluice/connectors';
import {
  actionMetricsByTenant,
  connectorProbe,
  DeliveryStage,
  deliveryDurable,
  MetricsAnnouncer,
  PIPELINE_DEFINITIONS,
  replicaNode,
  StatusAnnouncer,
  type ConnectorHandle,
  type PipelineDefinitions,
  type TenantChange,
  UsageMeter,
} from '@sluice/pipeline';
import { SluiceMetrics } from '@sluice/telemetry';
import type { DeliverySettings } from './config';

export const DELIVERY_SETTINGS = Symbol('DELIVERY_SETTINGS');

/** One durable ACTIONS consumer per connector, running the delivery stage; follows config changes. */
@Injectable()
export class ActionConsumer
  implements OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown
{
  private readonly logger = new Logger('Delivery');
  private readonly consumptions = new Map<ConnectorHandle, Consumption>();
  private readonly untrackUp = new Map<ConnectorHandle, () => void>();
  private readonly subjects: Subjects;
  private unsubscribe?: () => void;
  private readonly usage: UsageMeter;
  private readonly status: StatusAnnouncer;
  private readonly announcer: MetricsAnnouncer;
  readonly stage: DeliveryStage;

  constructor(
    @Inject(DELIVERY_SETTINGS) private readonly settings: DeliverySettings,
    @Inject(PIPELINE_DEFINITIONS) private readonly pipeline: PipelineDefinitions,
    @Inject(BUS) private readonly bus: Bus,
    private readonly metrics: SluiceMetrics,
  ) {
    this.subjects = createSubjects(settings.SLUICE_BUS_NAMESPACE);
    this.usage = new UsageMeter(bus, this.subjects, this.logger);
    this.stage = new DeliveryStage(
      bus,
      this.subjects,
      this.logger,
      {
        maxAttempts: settings.SLUICE_DELIVERY_MAX_ATTEMPTS,
        baseBackoffMs: settings.SLUICE_DELIVERY_BACKOFF_MS,
        maxBackoffMs: settings.SLUICE_DELIVERY_MAX_BACKOFF_MS,
        sendTimeoutMs: settings.SLUICE_DELIVERY_SEND_TIMEOUT_MS,
        batchWindowMs: settings.SLUICE_DELIVERY_BATCH_WINDOW_MS,
        breakerThreshold: settings.SLUICE_DELIVERY_BREAKER_THRESHOLD,
        breakerOpenMs: settings.SLUICE_DELIVERY_BREAKER_OPEN_MS,
        requestTtlMs: settings.SLUICE_DELIVERY_REQUEST_TTL_MS,
      },
      undefined,
      metrics,
      this.usage,
      tenantTargetPolicy(
        settings,
        settings.SLUICE_BUS === 'nats' ? settings.SLUICE_NATS_URL : undefined,
        settings.SLUICE_MQTT_URL,
      ),
      settings.SLUICE_MQTT_URL
        ? {
            url: settings.SLUICE_MQTT_URL,
            username: settings.SLUICE_MQTT_USERNAME,
            password: settings.SLUICE_MQTT_PASSWORD,
          }
        : undefined,
    );
    const announce = { node: replicaNode('delivery'), intervalMs: settings.SLUICE_STATUS_INTERVAL_MS };
    this.status = new StatusAnnouncer(bus, this.subjects, this.logger, announce);
    this.announcer = new MetricsAnnouncer(
      bus,
      this.subjects,
      this.logger,
      () => actionMetricsByTenant(metrics),
      announce,
    );
  }

  async onApplicationBootstrap(): Promise<void> {
    this.usage.start();
    this.status.start();
    this.announcer.start();
    const added = await this.stage.load(this.pipeline.current());
    await this.applyChange({ added, removed: [] });
    this.unsubscribe = this.pipeline.onChange(async (tenantId, tenant) => {
      // why: an invalid connector or action throws before anything changes; the running ones stay
      await this.applyChange(await this.stage.applyTenant(tenantId, tenant));
      this.logger.log(
        `tenant '${tenantId}': ${tenant ? `${tenant.connectors.length} connector(s)` : 'removed'}`,
      );
    });
    this.logger.log(`delivering through ${added.length} connector(s)`);
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.unsubscribe?.();
    await Promise.all([...this.consumptions.values()].map((c) => c.stop()));
    // why: before the bus closes, so the last usage counts reach the gateway
    await this.usage.stop();
    await Promise.all([this.status.stop(), this.announcer.stop()]);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.stage.close();
  }

  private async applyChange({ added, removed }: TenantChange): Promise<void> {
    for (const handle of removed) {
      await this.consumptions.get(handle)?.stop();
      this.consumptions.delete(handle);
      this.untrackUp.get(handle)?.();
      this.untrackUp.delete(handle);
      // why not for a changed connector: its replacement is tracked under the same id below
      if (!added.some((a) => a.tenant === handle.tenant && a.id === handle.id))
        await this.status.untrack(handle.tenant, 'connector', handle.id);
    }
    await this.stage.closeConnectors(removed);
    for (const handle of added) {
      const { tenant, id, connector } = handle;
      // why not in readiness: a tenant's target being down is its status, metric and alert; taking
      // delivery out of service would stop every other tenant's connectors too (docs/operations.md)
      this.untrackUp.set(
        handle,
        this.metrics.trackConnector(tenant, id, connector.kind, () => this.stage.connectorHealth(handle).up),
      );
      this.status.track(tenant, 'connector', id, connectorProbe(this.stage, handle));
      // why no queue of our own: this consumer's ACTIONS backlog is the connector's queue, bounded by
      // the rules stage (config `queue`), and maxAckPending bounds what this process holds (docs/delivery.md)
      const consumption = await this.bus.consume(
        {
          stream: 'ACTIONS',
          durable: deliveryDurable(tenant, id),
          filterSubject: this.subjects.actions(tenant, id),
          maxAckPending: this.settings.SLUICE_DELIVERY_CONCURRENCY,
        },
        (message) => this.stage.handle(message),
      );
      this.consumptions.set(handle, consumption);
    }
  }
}
