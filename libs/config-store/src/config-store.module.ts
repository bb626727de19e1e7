import {
  Global,
  Inject,
  Injectable,
  Module,
  type DynamicModule,
  type OnApplicationShutdown,
} from '@nestjs/common';
import type { ConfigStore } from './config-store';
import { createConfigStore, type ConfigStoreSettings } from './create-config-store';

export const CONFIG_STORE = Symbol('CONFIG_STORE');

@Injectable()
class ConfigStoreCloser implements OnApplicationShutdown {
  constructor(@Inject(CONFIG_STORE) private readonly store: ConfigStore) {}
  async onApplicationShutdown(): Promise<void> {
    await this.store.close();
  }
}

/** Provides the started {@link ConfigStore} under `CONFIG_STORE`, one per process. */
@Global()
@Module({})
export class ConfigStoreModule {
  static forRoot(settings: ConfigStoreSettings): DynamicModule {
    return {
      module: ConfigStoreModule,
      providers: [
        {
          provide: CONFIG_STORE,
          useFactory: async () => {
            const store = createConfigStore(settings);
            await store.start();
            return store;
          },
        },
        ConfigStoreCloser,
      ],
      exports: [CONFIG_STORE],
    };
  }
}
