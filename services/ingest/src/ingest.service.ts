import {
  Inject,
  Injectable,
  Logger,
  Optional,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { BUS, createSubjects, type Bus, type Subjects } from '@sluice/bus';
import { tenantTargetPolicy, type TargetPolicy } from '@sluice/connectors';
import { ReadinessRegistry } from '@sluice/health';
import {
  createIngestSink,
  createRulingSink,
  PIPELINE_DEFINITIONS,
  replicaNode,
  RULE_STAGE,
  StatusAnnouncer,
  type RuleStage,
  sourceRunConfig,
  type PipelineDefinitions,
  type SourceDefaults,
  type SourceDefinition,
  type TenantDefinition,
} from '@sluice/pipeline';
import { createSource, type AnySource, type BrokerIntake, type MessageSink } from '@sluice/sources';
import { SluiceMetrics, type SourceConnectionSample } from '@sluice/telemetry';
import { INGEST_SETTINGS, type ResolvedIngestSettings } from './ingest.settings';

interface RunningSource {
  tenant: string;
  id: string;
  fingerprint: string;
  source: AnySource;
  /** Stops reporting `sluice_source_up` and the per-connection metrics for it. */
  untrackMetrics: () => void;
}

/** Opens the sources of the pipeline and stores what they receive in INGEST; follows config changes. */
@Injectable()
export class IngestService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Ingest');
  private readonly sources = new Map<string, RunningSource>();
  private readonly subjects: Subjects;
  private unsubscribe?: () => void;
  private readonly status: StatusAnnouncer;
  private retiring = false;
  /** Where a tenant's sources on brokers of their own may connect (docs/security.md). */
  private readonly tenantTargets: TargetPolicy;

  constructor(
    @Inject(INGEST_SETTINGS) private readonly settings: ResolvedIngestSettings,
    @Inject(PIPELINE_DEFINITIONS) private readonly pipeline: PipelineDefinitions,
    @Inject(BUS) private readonly bus: Bus,
    private readonly readiness: ReadinessRegistry,
    private readonly metrics: SluiceMetrics,
    /** Set in the embedded process: the rules run on ingest's turn (ADR 0009); else INGEST stores. */
    @Optional() @Inject(RULE_STAGE) private readonly rules?: RuleStage,
  ) {
    this.subjects = createSubjects(settings.SLUICE_BUS_NAMESPACE);
    // why the bus and the operator's broker reserved: as for connectors, a tenant's source reaches
    // neither by address (a source without url reads the operator's broker, confined)
    this.tenantTargets = tenantTargetPolicy(
      settings,
      settings.SLUICE_BUS === 'nats' ? settings.SLUICE_NATS_URL : undefined,
      settings.mqttUrl,
    );
    this.status = new StatusAnnouncer(bus, this.subjects, this.logger, {
      node: replicaNode('ingest'),
      intervalMs: settings.SLUICE_STATUS_INTERVAL_MS,
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    this.status.start();
    for (const tenant of this.pipeline.current().tenants) await this.applyTenant(tenant.id, tenant);
    this.unsubscribe = this.pipeline.onChange((tenantId, tenant) => this.applyTenant(tenantId, tenant));
  }

  /** The next shutdown retires the sources (this replica leaves for good) instead of stopping them. */
  retireOnShutdown(): void {
    this.retiring = true;
    this.logger.log('retiring: the sources leave their share groups and end their sessions at shutdown');
  }

  /**
   * Stops taking messages, lets the ones in flight reach INGEST and be acknowledged, then
   * disconnects, keeping the broker sessions for the restart; when retiring, ends them instead
   * (MQTT: unsubscribe, drain what the broker still sends, session expiry 0).
   */
  async beforeApplicationShutdown(): Promise<void> {
    this.unsubscribe?.();
    await Promise.all(
      [...this.sources.values()].map(({ source }) =>
        this.retiring && source.retire ? source.retire() : source.stop(),
      ),
    );
    // why after the sources: their last state is "gone", announced before the bus closes
    await this.status.stop();
  }

  /**
   * Starts new and changed sources of a tenant and stops the ones it no longer has. A changed
   * source is stopped first (its in-flight messages reach INGEST and are acknowledged), then the
   * new one resumes the same persistent session, so the broker keeps what arrived in between.
   */
  private async applyTenant(tenantId: string, tenant: TenantDefinition | null): Promise<void> {
    const intake = this.settings.intake;
    // why held: between stopping a source and starting its successor, a publish the embedded
    // broker acknowledged would reach no source; it waits (unacknowledged) for the change instead
    if (intake && this.changesSources(tenantId, tenant)) {
      return intake.holdWhile(() => this.applySources(tenantId, tenant));
    }
    return this.applySources(tenantId, tenant);
  }

  private changesSources(tenantId: string, tenant: TenantDefinition | null): boolean {
    const wanted = new Map((tenant?.sources ?? []).map((s) => [s.id, JSON.stringify(s)] as const));
    let running = 0;
    for (const source of this.sources.values()) {
      if (source.tenant !== tenantId) continue;
      running += 1;
      if (wanted.get(source.id) !== source.fingerprint) return true;
    }
    return running !== wanted.size;
  }

  private async applySources(tenantId: string, tenant: TenantDefinition | null): Promise<void> {
    const wanted = new Map((tenant?.sources ?? []).map((s) => [s.id, s] as const));
    for (const [key, running] of this.sources) {
      if (running.tenant !== tenantId) continue;
      const next = wanted.get(running.id);
      if (next && JSON.stringify(next) === running.fingerprint) {
        wanted.delete(running.id);
        continue;
      }
      await running.source.stop();
      running.untrackMetrics();
      this.sources.delete(key);
      this.readiness.unregister(readinessName(running.source.kind, key));
      await this.status.untrack(tenantId, 'source', running.id);
      this.logger.log(`source ${key} stopped`);
    }
    for (const definition of wanted.values()) {
      try {
        await this.startSource(tenantId, tenant?.mountpoint, definition);
      } catch (error) {
        // why not thrown: one source that cannot run must not hold up the tenant's other sources
        // (the gateway validates with the same parser, so only a hand-written pipeline gets here)
        this.logger.error(`source ${tenantId}/${definition.id} not started: ${(error as Error).message}`);
      }
    }
  }

  private async startSource(
    tenantId: string,
    mountpoint: string | undefined,
    definition: SourceDefinition,
  ): Promise<void> {
    const { id, topics } = definition;
    const key = `${tenantId}/${id}`;
    const source = createSource(
      sourceRunConfig(tenantId, mountpoint, definition, this.sourceDefaults()),
      this.sinkFor(tenantId, id),
      {
        logger: this.logger,
        intake: this.intakeFor(definition),
        ...(checksTargets(definition) && { targets: this.tenantTargets }),
        // The sink counts received/stored/failed; only the source knows what it dropped (QoS 0, core NATS).
        onEvent: (event) => {
          if (event.type === 'dropped') {
            this.metrics.sourceDropped.inc({ tenant: tenantId, source: id, reason: event.reason });
          }
        },
      },
    );
    const untrackUp = this.metrics.trackSource(
      tenantId,
      id,
      source.kind,
      () => source.status().state === 'connected',
    );
    const untrackConnections = this.metrics.sourceConnections.track(tenantId, id, () =>
      connectionSamples(source),
    );
    const untrackMetrics = () => {
      untrackUp();
      untrackConnections();
    };
    this.sources.set(key, {
      tenant: tenantId,
      id,
      fingerprint: JSON.stringify(definition),
      source,
      untrackMetrics,
    });
    // why only these: readiness is "this process can do its own work" (the operator's broker or bus);
    // a broker a tenant chose being down is that tenant's status and metric, not a reason to take
    // ingest out of service for every tenant (docs/operations.md, "Health")
    if (usesOperatorConnection(definition)) {
      this.readiness.register({
        name: readinessName(source.kind, key),
        check: () => {
          const status = source.status();
          return { up: status.state === 'connected', detail: status.reason ?? status.state };
        },
      });
    }
    this.status.track(tenantId, 'source', id, () => source.status());
    await source.start();
    this.logger.log(`${source.kind} source ${key} reading ${topics.map((t) => t.filter).join(', ')}`);
  }

  private sinkFor(tenantId: string, source: string): MessageSink {
    const s = this.settings;
    if (this.rules)
      return createRulingSink(
        this.rules,
        this.bus,
        this.subjects,
        tenantId,
        source,
        this.metrics,
        s.SLUICE_INGEST_MAX_MESSAGE_BYTES,
      );
    return createIngestSink(
      this.bus,
      this.subjects,
      tenantId,
      source,
      this.metrics,
      { maxMessages: s.SLUICE_INGEST_BATCH_MAX_MESSAGES, maxInFlight: s.SLUICE_INGEST_BATCH_IN_FLIGHT },
      s.SLUICE_INGEST_MAX_MESSAGE_BYTES,
    );
  }

  /** The embedded broker's intake, for an MQTT source that reads the operator's broker when that is it. */
  private intakeFor(definition: SourceDefinition): BrokerIntake | undefined {
    const intake = this.settings.intake;
    return intake && definition.kind === 'mqtt' && usesOperatorConnection(definition) ? intake : undefined;
  }

  /** What Sluice decides about a source: the operator's broker and credentials, this replica's settings. */
  private sourceDefaults(): SourceDefaults {
    const s = this.settings;
    return {
      mqttUrl: s.mqttUrl,
      mqttUsername: s.SLUICE_MQTT_USERNAME,
      mqttPassword: s.SLUICE_MQTT_PASSWORD,
      mqttProtocolVersion: s.mqttProtocolVersion,
      shareGroup: s.shareGroup,
      clientIdPrefix: s.SLUICE_INGEST_CLIENT_ID_PREFIX,
      connections: s.SLUICE_INGEST_CONNECTIONS,
      maxInFlight: s.SLUICE_INGEST_MAX_IN_FLIGHT,
    };
  }
}

/**
 * A tenant's source on a broker it chose connects only where the target policy allows, checked on
 * every connection (DNS rebinding), Kafka's advertised brokers too. The operator's sources and
 * the operator's broker are not.
 */
function checksTargets(definition: SourceDefinition): boolean {
  return definition.configuredBy !== 'operator' && !usesOperatorConnection(definition);
}

/** An MQTT source without a URL of its own reads through the operator's broker. */
function usesOperatorConnection(definition: SourceDefinition): boolean {
  return definition.url === undefined && definition.kind === 'mqtt';
}

function readinessName(kind: string, key: string): string {
  return `${kind}:${key}`;
}

/** A source's connections as the metrics see them; a Kafka or NATS source is one, named by its kind. */
function connectionSamples(source: AnySource): SourceConnectionSample[] {
  const connections = source.connectionMetrics?.() ?? [
    { ...source.metrics(), clientId: source.kind, state: source.status().state },
  ];
  return connections.map((c) => ({
    client: c.clientId,
    connected: c.state === 'connected',
    received: c.received,
    stored: c.stored,
    acked: c.acked,
    bytes: c.bytes,
    droppedByReason: c.droppedByReason,
    inFlight: c.inFlight,
    reconnects: c.reconnects,
  }));
}
