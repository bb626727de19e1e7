import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { ReadinessRegistry } from '@sluice/health';
import { checkDatabase, PERSISTENCE_DATA_SOURCE } from '@sluice/persistence';
import type { DataSource } from 'typeorm';

/** Registers what the gateway needs to be ready: its database. */
@Injectable()
export class GatewayService implements OnApplicationBootstrap {
  constructor(
    @Inject(PERSISTENCE_DATA_SOURCE) private readonly dataSource: DataSource,
    private readonly readiness: ReadinessRegistry,
  ) {}

  onApplicationBootstrap(): void {
    this.readiness.register({
      name: 'database',
      check: async () => {
        const result = await checkDatabase(this.dataSource);
        return { up: result.status === 'up', detail: result.detail };
      },
    });
  }
}
