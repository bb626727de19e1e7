import { Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { BusModule } from '@sluice/bus';
import { ConfigStoreModule } from '@sluice/config-store';
import type { EmbeddedBroker } from '@sluice/embedded-broker';
import { HealthModule } from '@sluice/health';
import { TelemetryModule } from '@sluice/telemetry';
import { loadPipelineFile, PipelineModule } from '@sluice/pipeline';
import { DeliveryModule } from '../../delivery/src/delivery.module';
import { GatewayModule } from '../../gateway/src/gateway.module';
import { IngestModule } from '../../ingest/src/ingest.module';
import { RulesModule } from '../../rules/src/rules.module';
import { parsePlans } from '../../gateway/src/plans/plans';
import { BROKER_LOGIN_SETTINGS, BrokerLogins } from './broker-logins';
import type { EmbeddedConfig } from './config';

const EMBEDDED_BROKER = Symbol('EMBEDDED_BROKER');

/** Closes the embedded broker last, after ingest stopped and acknowledged what it had. */
class BrokerCloser implements OnApplicationShutdown {
  constructor(private readonly broker: EmbeddedBroker | null) {}
  async onApplicationShutdown(): Promise<void> {
    await this.broker?.close();
  }
}

export interface EmbeddedRuntime {
  broker: EmbeddedBroker | null;
  mqttUrl: string;
  adminKey: string;
  /**
   * How ingest, the publish API and delivery log in to the embedded broker as the operator (set
   * with the embedded broker only; SLUICE_MQTT_USERNAME/PASSWORD apply to SLUICE_MQTT_URL).
   */
  operatorLogin?: { username: string; password: string };
}

/** All four services in one process (docs/architecture.md, "Modes"). */
@Module({})
export class EmbeddedModule {
  static forRoot(config: EmbeddedConfig, runtime: EmbeddedRuntime): DynamicModule {
    const login = runtime.operatorLogin
      ? {
          SLUICE_MQTT_USERNAME: runtime.operatorLogin.username,
          SLUICE_MQTT_PASSWORD: runtime.operatorLogin.password,
        }
      : {};
    const rules = RulesModule.forRoot(config);
    return {
      module: EmbeddedModule,
      imports: [
        HealthModule,
        TelemetryModule,
        BusModule.forRoot(config),
        ConfigStoreModule.forRoot(config),
        PipelineModule.forRoot(config),
        IngestModule.forRoot(
          {
            ...config,
            ...login,
            mqttUrl: runtime.mqttUrl,
            // why: the embedded broker (aedes) speaks MQTT 3.1.1 and has no shared subscriptions
            mqttProtocolVersion: runtime.broker ? 4 : (config.SLUICE_MQTT_PROTOCOL_VERSION as 3 | 4 | 5),
            shareGroup: runtime.broker ? null : config.SLUICE_INGEST_SHARE_GROUP,
            // why: a publish reaches the bus log before aedes acknowledges it (docs/adr/0005)
            intake: runtime.broker,
          },
          // why the rules module: ingest runs the rules on its turn and stores only actions (ADR 0009)
          rules,
        ),
        rules,
        // why the broker's URL: a tenant's MQTT connector without url republishes there, in its namespace
        DeliveryModule.forRoot({ ...config, ...login, SLUICE_MQTT_URL: runtime.mqttUrl }),
        GatewayModule.forRoot({
          ...config,
          ...login,
          SLUICE_ADMIN_KEY: runtime.adminKey,
          mqttUrl: runtime.mqttUrl,
          // why: one process on a laptop is the operator's own; a tutorial must not stop at a quota.
          // Operator-defined plans (SLUICE_PLANS) need not have 'unlimited': then the mesh's default.
          SLUICE_DEFAULT_PLAN: config.SLUICE_DEFAULT_PLAN ?? (config.SLUICE_PLANS ? undefined : 'unlimited'),
        }),
      ],
      providers: [
        { provide: EMBEDDED_BROKER, useValue: runtime.broker },
        {
          provide: BROKER_LOGIN_SETTINGS,
          useValue: {
            broker: runtime.broker,
            adminKey: runtime.adminKey,
            requireLogin: config.SLUICE_MQTT_USERNAME !== undefined,
            mountpointTemplate: config.SLUICE_TENANT_MOUNTPOINT,
            fileTenants: new Set(
              config.SLUICE_PIPELINE_FILE
                ? loadPipelineFile(config.SLUICE_PIPELINE_FILE).tenants.map((t) => t.id)
                : [],
            ),
            plans: parsePlans(config.SLUICE_PLANS ?? process.env.SLUICE_PLANS),
          },
        },
        BrokerLogins,
        {
          provide: BrokerCloser,
          useFactory: (b: EmbeddedBroker | null) => new BrokerCloser(b),
          inject: [EMBEDDED_BROKER],
        },
      ],
    };
  }
}
