import {
  Global,
  Inject,
  Injectable,
  Logger,
  Module,
  type DynamicModule,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { ReadinessRegistry } from '@sluice/health';
import type { Bus } from './bus';
import type { BusConfig } from './bus.config';
import { createBus } from './create-bus';

/** Injection token of the started `Bus`. */
export const BUS = Symbol('BUS');

@Injectable()
class BusCloser implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(
    @Inject(BUS) private readonly bus: Bus,
    private readonly readiness: ReadinessRegistry,
  ) {}

  onApplicationBootstrap(): void {
    this.readiness.register({
      name: 'bus',
      check: () => {
        const health = this.bus.health();
        return { up: health.status === 'up', detail: health.detail };
      },
    });
  }

  async onApplicationShutdown(): Promise<void> {
    // why here: the bus stops its consumers, waits for their handlers, then drains the connection
    await this.bus.close();
  }
}

/**
 * Provides the started bus under `BUS` to every module, and closes it on shutdown.
 *
 * @example imports: [BusModule.forRoot(config)] // then: constructor(@Inject(BUS) bus: Bus)
 */
@Global()
@Module({})
export class BusModule {
  static forRoot(config: BusConfig): DynamicModule {
    return {
      module: BusModule,
      providers: [
        {
          provide: BUS,
          useFactory: async (): Promise<Bus> => {
            const bus = createBus(config, { logger: new Logger('Bus') });
            await bus.start();
            return bus;
          },
        },
        BusCloser,
      ],
      exports: [BUS],
    };
  }
}
