import {
  Inject,
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { BUS, createSubjects, type Bus } from '@sluice/bus';
import { ReadinessRegistry } from '@sluice/health';
import { createIngestSink, PIPELINE_DEFINITION, type PipelineDefinition } from '@sluice/pipeline';
import { createMqttSource, type MqttSource } from '@sluice/sources';
import { SluiceMetrics } from '@sluice/telemetry';
import { INGEST_SETTINGS, type ResolvedIngestSettings } from './ingest.settings';

/** Opens the sources of the pipeline definition and stores what they receive in INGEST. */
@Injectable()
export class IngestService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Ingest');
  private readonly sources: MqttSource[] = [];

  constructor(
    @Inject(INGEST_SETTINGS) private readonly settings: ResolvedIngestSettings,
    @Inject(PIPELINE_DEFINITION) private readonly pipeline: PipelineDefinition,
    @Inject(BUS) private readonly bus: Bus,
    private readonly readiness: ReadinessRegistry,
    private readonly metrics: SluiceMetrics,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const subjects = createSubjects(this.settings.SLUICE_BUS_NAMESPACE);
    for (const tenant of this.pipeline.tenants) {
      for (const definition of tenant.sources) {
        const { id, url, topics, kind: _kind, ...options } = definition;
        const source = createMqttSource(
          {
            clientIdPrefix: `${this.settings.SLUICE_INGEST_CLIENT_ID_PREFIX}-${tenant.id}-${id}`,
            protocolVersion: this.settings.mqttProtocolVersion,
            shareGroup: this.settings.shareGroup,
            connections: this.settings.SLUICE_INGEST_CONNECTIONS,
            maxInFlight: this.settings.SLUICE_INGEST_MAX_IN_FLIGHT,
            username: this.settings.SLUICE_MQTT_USERNAME,
            password: this.settings.SLUICE_MQTT_PASSWORD,
            clean: false,
            ...options,
            id,
            tenant: tenant.id,
            url: url ?? this.settings.mqttUrl,
            topics,
          },
          createIngestSink(this.bus, subjects, tenant.id, id, this.metrics),
          { logger: this.logger },
        );
        this.sources.push(source);
        this.readiness.register({
          name: `mqtt:${tenant.id}/${id}`,
          check: () => {
            const status = source.status();
            return { up: status.state === 'connected', detail: status.reason ?? status.state };
          },
        });
        await source.start();
        this.logger.log(`source ${tenant.id}/${id} subscribed to ${topics.map((t) => t.filter).join(', ')}`);
      }
    }
  }

  /** Stops taking messages, lets the ones in flight reach INGEST and be acknowledged, then disconnects. */
  async beforeApplicationShutdown(): Promise<void> {
    await Promise.all(this.sources.map((source) => source.stop()));
  }
}
