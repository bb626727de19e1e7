export {
  parsePipelineDefinition,
  loadPipelineFile,
  pipelineDefinitionSchema,
  PipelineDefinitionError,
} from './pipeline-definition';
export type {
  PipelineDefinition,
  TenantDefinition,
  SourceDefinition,
  ConnectorDefinition,
  RuleDefinition,
  ActionDefinition,
} from './pipeline-definition';
export {
  sourceRunConfig,
  checkSourceRunConfig,
  clientIdPrefix,
  sourceShareGroup,
  MANAGED_MQTT_OPTIONS,
  tenantMountpoint,
  DEFAULT_MOUNTPOINT_TEMPLATE,
} from './source-run-config';
export type { SourceDefaults } from './source-run-config';
export { pipelineConfigShape } from './pipeline.config';
export { PipelineModule, PIPELINE_DEFINITIONS } from './pipeline.module';
export { toRuleContext } from './message-context';
export { createIngestSink } from './ingest-sink';
export { MAX_RULE_STAGE_ATTEMPTS, RuleStage } from './rule-stage';
export { ActionQueueLimits, ActionQueueFullError, deliveryDurable } from './action-queue/action-queue-limits';
export { splitQueueSettings, actionQueueSchema } from './action-queue/queue-settings';
export type { ActionQueueSettings } from './action-queue/queue-settings';
export type { RuleStageCounters } from './rule-stage';
export { DeliveryStage, defaultDeliveryPolicy } from './delivery-stage';
export type {
  DeliveryPolicy,
  DeliveryCounters,
  ConnectorHandle,
  ConnectorFactory,
  TenantChange,
} from './delivery-stage';
export { PipelineDefinitions } from './pipeline-definitions';
export type { TenantListener } from './pipeline-definitions';
export type { StageLogger } from './stage-logger';
export { UsageMeter, usageMonthOf } from './usage-meter';
export type { UsageReport } from './usage-meter';
export {
  DeadLetterAdmin,
  DeadLetterNotFoundError,
  DeadLetterNotRedrivableError,
} from './delivery/dead-letter-admin';
export type { DeadLetterEntry, DeadLetterDetail } from './delivery/dead-letter-admin';
export { runDlqCli } from './delivery/dlq-cli';
export type { DlqCliOptions } from './delivery/dlq-cli';
export { StatusAnnouncer } from './status/status-announcer';
export type { ComponentKind, ComponentProbeResult, ComponentStateName } from './status/status-announcer';
export { MetricsAnnouncer } from './status/metrics-announcer';
export { replicaNode } from './status/announce-schedule';
export type { AnnounceOptions } from './status/announce-schedule';
export { ruleMetricsByTenant, actionMetricsByTenant } from './status/metric-snapshots';
export type { MetricsByTenant } from './status/metric-snapshots';
export { connectorProbe } from './status/connector-probe';
export { RuleTaps } from './rule-trace/rule-tap';
export type { RuleTapOptions } from './rule-trace/rule-tap';
