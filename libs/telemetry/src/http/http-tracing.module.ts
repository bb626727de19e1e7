import { Inject, Module, type DynamicModule, type MiddlewareConsumer, type NestModule } from '@nestjs/common';
import { SluiceMetrics } from '../metrics';
import { httpServerMetrics } from './http-server-metrics';
import { httpServerSpans } from './http-server-span';

const TRACED_ROUTES = Symbol('TRACED_ROUTES');

/**
 * A server span per request on the given routes (see {@link httpServerSpans}), and each answer
 * counted and timed by route (see {@link httpServerMetrics}).
 *
 * @example imports: [HttpTracingModule.forRoutes('graphql', 'api/v5/publish')]
 */
@Module({})
export class HttpTracingModule implements NestModule {
  constructor(
    @Inject(TRACED_ROUTES) private readonly routes: string[],
    private readonly metrics: SluiceMetrics,
  ) {}

  static forRoutes(...routes: string[]): DynamicModule {
    return { module: HttpTracingModule, providers: [{ provide: TRACED_ROUTES, useValue: routes }] };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(httpServerSpans()).forRoutes(...this.routes);
    // why one per route: the route is the `api` label, bounded whatever paths clients send
    for (const route of this.routes) consumer.apply(httpServerMetrics(this.metrics, route)).forRoutes(route);
  }
}
