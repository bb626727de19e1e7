import { Module, type DynamicModule } from '@nestjs/common';
import { PersistenceModule } from '@sluice/persistence';
import { HttpTracingModule } from '@sluice/telemetry';
import { ADMIN_KEY } from './auth/admin-key';
import type { GatewaySettings } from './config';
import { ConsoleModule } from './console/console.module';
import { GatewayService } from './gateway.service';
import { GraphqlApiModule } from './graphql/graphql-api.module';
import { GATEWAY_SETTINGS } from './gateway.settings';
import { PublishModule } from './publish/publish.module';
import { NameInfoService } from './status/name-info.service';

@Module({})
export class GatewayModule {
  static forRoot(settings: GatewaySettings): DynamicModule {
    return {
      module: GatewayModule,
      // why: the gateway's feature modules (GraphQL, publish) read the admin key and settings
      global: true,
      imports: [
        PersistenceModule.forRoot(settings, { schema: settings.SLUICE_DATABASE_SCHEMA }),
        PublishModule,
        GraphqlApiModule,
        ConsoleModule,
        // a server span per API request, continuing the caller's traceparent (docs/observability.md)
        HttpTracingModule.forRoutes('graphql', 'api/v5/publish', 'api/v5/publish/bulk', 'pub'),
      ],
      providers: [
        { provide: ADMIN_KEY, useValue: settings.SLUICE_ADMIN_KEY },
        { provide: GATEWAY_SETTINGS, useValue: settings },
        GatewayService,
        NameInfoService,
      ],
      exports: [ADMIN_KEY, GATEWAY_SETTINGS],
    };
  }
}
