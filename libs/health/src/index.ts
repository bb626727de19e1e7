export { HealthModule } from './health.module';
export { ReadinessRegistry } from './readiness-registry';
export type { ProbeResult, ReadinessProbe } from './readiness-registry';
