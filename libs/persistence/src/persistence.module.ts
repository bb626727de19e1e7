import {
  Inject,
  Injectable,
  Module,
  type DynamicModule,
  type OnApplicationShutdown,
  type Provider,
} from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { createDataSource } from './data-source';
import { resolveDatabase, type PersistenceConfig } from './persistence.config';
import { ActionsRepository } from './repositories/actions.repository';
import { ApiKeysRepository } from './repositories/api-keys.repository';
import { ConfigSnapshotReader } from './repositories/config-snapshot.repository';
import { ConnectorsRepository } from './repositories/connectors.repository';
import { RulesRepository } from './repositories/rules.repository';
import { SourcesRepository } from './repositories/sources.repository';
import { TenantsRepository } from './repositories/tenants.repository';
import { UsageRepository } from './repositories/usage.repository';
import { SecretBox } from './secrets/secret-box';
import { openSecretBox } from './secrets/sealed-secrets-check';

/** Injection token of the initialized TypeORM DataSource. */
export const PERSISTENCE_DATA_SOURCE = Symbol('PERSISTENCE_DATA_SOURCE');

export interface PersistenceModuleOptions {
  /** PostgreSQL schema (tests); the default is the connection's search path. */
  schema?: string;
}

@Injectable()
class DataSourceCloser implements OnApplicationShutdown {
  constructor(@Inject(PERSISTENCE_DATA_SOURCE) private readonly dataSource: DataSource) {}

  // why at application shutdown and not module destroy: other modules may still write while
  // they finish their own onModuleDestroy work
  async onApplicationShutdown(): Promise<void> {
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}

const repositoryClasses = [
  TenantsRepository,
  ApiKeysRepository,
  SourcesRepository,
  ConnectorsRepository,
  RulesRepository,
  ActionsRepository,
  UsageRepository,
] as const;

/**
 * The gateway's database: the DataSource (migrated at start), one provider per repository and the
 * SecretBox for connector and source secrets. Global, so feature modules just inject.
 *
 * @example
 * @Module({ imports: [PersistenceModule.forRoot(loadGatewayConfig())] })
 * export class GatewayModule {}
 */
@Module({})
export class PersistenceModule {
  static forRoot(config: PersistenceConfig, options: PersistenceModuleOptions = {}): DynamicModule {
    const dataSource: Provider = {
      provide: PERSISTENCE_DATA_SOURCE,
      useFactory: () => createDataSource(resolveDatabase(config), options),
    };
    const repositories: Provider[] = repositoryClasses.map((repository) => ({
      provide: repository,
      useFactory: (ds: DataSource) => new repository(ds.manager),
      inject: [PERSISTENCE_DATA_SOURCE],
    }));
    const snapshot: Provider = {
      provide: ConfigSnapshotReader,
      useFactory: (ds: DataSource) => new ConfigSnapshotReader(ds),
      inject: [PERSISTENCE_DATA_SOURCE],
    };
    const secretBox: Provider = {
      provide: SecretBox,
      // why lazy while no secrets are stored: a mesh gateway without SLUICE_SECRET_KEY still serves
      // everything but secrets; the first seal then fails with SECRET_KEY_INVALID, which says what
      // to set. Once secrets are stored, the key is checked at start (openSecretBox).
      useFactory: (ds: DataSource) => openSecretBox(ds, config),
      inject: [PERSISTENCE_DATA_SOURCE],
    };
    return {
      module: PersistenceModule,
      global: true,
      providers: [dataSource, ...repositories, snapshot, secretBox, DataSourceCloser],
      exports: [PERSISTENCE_DATA_SOURCE, ...repositoryClasses, ConfigSnapshotReader, SecretBox],
    };
  }
}
