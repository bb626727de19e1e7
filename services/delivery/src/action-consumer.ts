import {
  Inject,
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { BUS, createSubjects, type Bus, type Consumption } from '@sluice/bus';
import { ReadinessRegistry } from '@sluice/health';
import { DeliveryStage, PIPELINE_DEFINITION, type PipelineDefinition } from '@sluice/pipeline';
import { SluiceMetrics } from '@sluice/telemetry';
import type { DeliverySettings } from './config';

export const DELIVERY_SETTINGS = Symbol('DELIVERY_SETTINGS');

/** One durable ACTIONS consumer per connector, running the delivery stage. */
@Injectable()
export class ActionConsumer
  implements OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown
{
  private readonly logger = new Logger('Delivery');
  private readonly consumptions: Consumption[] = [];
  readonly stage: DeliveryStage;

  constructor(
    @Inject(DELIVERY_SETTINGS) private readonly settings: DeliverySettings,
    @Inject(PIPELINE_DEFINITION) private readonly pipeline: PipelineDefinition,
    @Inject(BUS) private readonly bus: Bus,
    private readonly readiness: ReadinessRegistry,
    private readonly metrics: SluiceMetrics,
  ) {
    this.stage = new DeliveryStage(
      bus,
      createSubjects(settings.SLUICE_BUS_NAMESPACE),
      this.logger,
      {
        maxAttempts: settings.SLUICE_DELIVERY_MAX_ATTEMPTS,
        baseBackoffMs: settings.SLUICE_DELIVERY_BACKOFF_MS,
        maxBackoffMs: settings.SLUICE_DELIVERY_MAX_BACKOFF_MS,
      },
      undefined,
      metrics,
    );
  }

  async onApplicationBootstrap(): Promise<void> {
    const subjects = createSubjects(this.settings.SLUICE_BUS_NAMESPACE);
    const handles = await this.stage.load(this.pipeline);
    for (const { tenant, id, connector } of handles) {
      this.readiness.register({
        name: `connector:${tenant}/${id}`,
        check: () => {
          const status = connector.status();
          this.metrics.connectorUp.set(
            { tenant, connector: id, kind: connector.kind },
            status.state === 'connected' ? 1 : 0,
          );
          return { up: status.state === 'connected', detail: status.reason ?? status.state };
        },
      });
      this.consumptions.push(
        await this.bus.consume(
          {
            stream: 'ACTIONS',
            durable: `delivery_${tenant}_${id}`,
            filterSubject: subjects.actions(tenant, id),
            maxAckPending: this.settings.SLUICE_DELIVERY_CONCURRENCY,
          },
          (message) => this.stage.handle(message),
        ),
      );
    }
    this.logger.log(`delivering through ${handles.length} connector(s)`);
  }

  async beforeApplicationShutdown(): Promise<void> {
    await Promise.all(this.consumptions.map((c) => c.stop()));
  }

  async onApplicationShutdown(): Promise<void> {
    await this.stage.close();
  }
}
