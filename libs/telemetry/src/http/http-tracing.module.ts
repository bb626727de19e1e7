import { Inject, Module, type DynamicModule, type MiddlewareConsumer, type NestModule } from '@nestjs/common';
import { httpServerSpans } from './http-server-span';

const TRACED_ROUTES = Symbol('TRACED_ROUTES');

/**
 * A server span per request on the given routes (see {@link httpServerSpans}).
 *
 * @example imports: [HttpTracingModule.forRoutes('graphql', 'api/v5/publish')]
 */
@Module({})
export class HttpTracingModule implements NestModule {
  constructor(@Inject(TRACED_ROUTES) private readonly routes: string[]) {}

  static forRoutes(...routes: string[]): DynamicModule {
    return { module: HttpTracingModule, providers: [{ provide: TRACED_ROUTES, useValue: routes }] };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(httpServerSpans()).forRoutes(...this.routes);
  }
}
