import { Controller, Get } from '@nestjs/common';
import { HealthCheck, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import { ReadinessRegistry } from './readiness-registry';

@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicator: HealthIndicatorService,
    private readonly registry: ReadinessRegistry,
  ) {}

  /** The process runs and its event loop answers. */
  @Get('live')
  @HealthCheck()
  live() {
    return this.health.check([]);
  }

  /** This process can do its own work: every registered probe is up (503 with the reasons otherwise). */
  @Get('ready')
  @HealthCheck()
  ready() {
    return this.health.check(
      this.registry.list().map((probe) => async () => {
        const session = this.indicator.check(probe.name);
        try {
          const result = await probe.check();
          return result.up
            ? session.up(result.detail ? { detail: result.detail } : {})
            : session.down({ detail: result.detail ?? 'down' });
        } catch (error) {
          return session.down({ detail: (error as Error).message });
        }
      }),
    );
  }
}
