export { persistenceConfigShape, persistenceSensitiveSettings, resolveDatabase } from './persistence.config';
export type { PersistenceConfig, ResolvedDatabase } from './persistence.config';
export { createDataSource, dataSourceOptions, checkDatabase } from './data-source';
export type { DataSourceSettings, DatabaseHealth } from './data-source';
export { PersistenceModule, PERSISTENCE_DATA_SOURCE } from './persistence.module';
export type { PersistenceModuleOptions } from './persistence.module';
export {
  Action,
  ApiKey,
  Connector,
  Rule,
  Source,
  Tenant,
  UsageCounter,
  sourceKinds,
} from './entities/entities';
export type { SourceKind } from './entities/entities';
export { createRepositories, withTransaction } from './repositories/repositories';
export type { Repositories } from './repositories/repositories';
export { TenantsRepository } from './repositories/tenants.repository';
export type { TenantInput } from './repositories/tenants.repository';
export { ApiKeysRepository } from './repositories/api-keys.repository';
export type { ApiKeyInput, KeyScope } from './repositories/api-keys.repository';
export { SourcesRepository } from './repositories/sources.repository';
export type { SourceFilter } from './repositories/sources.repository';
export { ConnectorsRepository } from './repositories/connectors.repository';
export type { ConnectorFilter } from './repositories/connectors.repository';
export { RulesRepository } from './repositories/rules.repository';
export type { RuleFilter } from './repositories/rules.repository';
export { ActionsRepository } from './repositories/actions.repository';
export { UsageRepository, usageMonth } from './repositories/usage.repository';
export { ConfigSnapshotReader } from './repositories/config-snapshot.repository';
export type { ConfigSnapshot } from './repositories/config-snapshot.repository';
export { encodeCursor, decodeCursor } from './repositories/pagination';
export type { Page, PageRequest } from './repositories/pagination';
export type { CreateInput, UpdateInput } from './repositories/tenant-scoped.repository';
export { SecretBox } from './secrets/secret-box';
export { loadSecretKey, parseSecretKey } from './secrets/secret-key';
export { openSecretBox, sealedSecretContext } from './secrets/sealed-secrets-check';
export { generateApiKey, hashApiKey, verifyApiKey, apiKeyPrefix } from './secrets/api-key-secret';
export type { GeneratedApiKey } from './secrets/api-key-secret';
export {
  PersistenceConflictError,
  DatabaseFileError,
  StaleVersionError,
  EntityNotFoundError,
  ReferenceNotFoundError,
  EntityInUseError,
  InvalidCursorError,
  InvalidValueError,
  SecretKeyError,
  SecretDecryptError,
} from './errors';
