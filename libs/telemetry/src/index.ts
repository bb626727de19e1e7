export { SluiceMetrics } from './metrics';
export { TelemetryModule } from './telemetry.module';
