export { HealthModule } from './health.module';
export { ReadinessRegistry } from './readiness-registry';
