import { Injectable, Module, type OnApplicationShutdown } from '@nestjs/common';
import {
  MqttPublisherPool,
  PublishRateLimiter,
  PublishService,
  redisRateLimiterFactory,
  resolvePublishConfig,
  type PublishConfig,
} from '@sluice/publish';
import { tenantMountpoint } from '@sluice/pipeline';
import type { GatewaySettings } from '../config';
import { GATEWAY_SETTINGS } from '../gateway.settings';
import { ApiKeyGuard } from './api-key.guard';
import { BifromqPubController } from './bifromq-pub.controller';
import { BodyParserErrorsHook } from './body-parser-errors.hook';
import { OpenApiController } from './openapi.controller';
import { PersistenceApiKeyVerifier } from './persistence-api-key.verifier';
import { PublishController } from './publish.controller';
import { API_KEY_VERIFIER, PUBLISH_CONFIG } from './publish.tokens';

/** ioredis, loaded only when the rate limit is shared through Redis (docs/architecture.md, "Memory"). */
function newRedis(url: string): import('ioredis').Redis {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- see above
  const { Redis } = require('ioredis') as typeof import('ioredis');
  return new Redis(url);
}

@Injectable()
class PublisherPoolCloser implements OnApplicationShutdown {
  constructor(private readonly pool: MqttPublisherPool) {}

  // why at application shutdown: the HTTP server has stopped by then, so no request still needs the pool
  async onApplicationShutdown(): Promise<void> {
    await this.pool.close();
  }
}

/**
 * The HTTP publish API (EMQX `/api/v5/publish`, `/api/v5/publish/bulk`, BifroMQ `/pub`) and its
 * OpenAPI document. Needs the gateway's ADMIN_KEY and GATEWAY_SETTINGS and the persistence
 * module's ApiKeysRepository, all global.
 */
@Module({
  controllers: [PublishController, BifromqPubController, OpenApiController],
  providers: [
    {
      provide: PUBLISH_CONFIG,
      useFactory: (settings: GatewaySettings) => resolvePublishConfig(settings),
      inject: [GATEWAY_SETTINGS],
    },
    {
      provide: MqttPublisherPool,
      useFactory: (config: PublishConfig) =>
        new MqttPublisherPool({
          connectionsPerPool: config.SLUICE_PUBLISH_POOL_SIZE,
          connectTimeoutMs: config.SLUICE_PUBLISH_CONNECT_TIMEOUT_MS,
          ackTimeoutMs: config.SLUICE_PUBLISH_ACK_TIMEOUT_MS,
          retryAfterSeconds: config.SLUICE_PUBLISH_RETRY_AFTER_SECONDS,
        }),
      inject: [PUBLISH_CONFIG],
    },
    {
      provide: PublishRateLimiter,
      useFactory: (config: PublishConfig) =>
        new PublishRateLimiter({
          defaultMessagesPerSecond: config.SLUICE_PUBLISH_RATE_LIMIT,
          // why: with several gateway replicas the counters must be shared, or each grants the limit
          factory: config.SLUICE_PUBLISH_RATE_LIMIT_REDIS_URL
            ? redisRateLimiterFactory(newRedis(config.SLUICE_PUBLISH_RATE_LIMIT_REDIS_URL))
            : undefined,
        }),
      inject: [PUBLISH_CONFIG],
    },
    {
      provide: PublishService,
      useFactory: (
        pool: MqttPublisherPool,
        rateLimiter: PublishRateLimiter,
        config: PublishConfig,
        settings: GatewaySettings,
      ) =>
        new PublishService({
          pool,
          rateLimiter,
          broker: settings.mqttUrl
            ? {
                url: settings.mqttUrl,
                username: settings.SLUICE_MQTT_USERNAME,
                password: settings.SLUICE_MQTT_PASSWORD,
              }
            : undefined,
          limits: {
            maxPayloadBytes: config.SLUICE_PUBLISH_MAX_PAYLOAD_BYTES,
            maxBatchItems: config.SLUICE_PUBLISH_MAX_BATCH,
          },
          mountpointOf: (tenantId) => tenantMountpoint(settings.SLUICE_TENANT_MOUNTPOINT, tenantId),
        }),
      inject: [MqttPublisherPool, PublishRateLimiter, PUBLISH_CONFIG, GATEWAY_SETTINGS],
    },
    { provide: API_KEY_VERIFIER, useClass: PersistenceApiKeyVerifier },
    ApiKeyGuard,
    PublisherPoolCloser,
    BodyParserErrorsHook,
  ],
})
export class PublishModule {}
