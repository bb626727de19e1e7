import { connect, KvWatchInclude, type KV, type NatsConnection } from 'nats';
import { retryJetStreamSetup, type NatsLogin } from '@sluice/bus';
import { redactUrlCredentials } from '@sluice/config';
import { SluiceError } from '@sluice/errors';
import type { ConfigEntry, ConfigStore, ConfigWatch } from './config-store';

const SETUP_RETRY_MS = 60_000;

export class ConfigStoreUnavailableError extends SluiceError {
  readonly code = 'CONFIG_STORE_UNAVAILABLE';
  readonly category = 'UNAVAILABLE';
}

export interface JetStreamConfigStoreOptions extends Omit<NatsLogin, 'servers'> {
  servers: string[];
  /** Bucket name; the namespace prefix keeps installations (and tests) apart. */
  bucket: string;
  replicas?: number;
}

/** The mesh's config store: a JetStream key-value bucket keeping the last value of each key. */
export class JetStreamConfigStore implements ConfigStore {
  private nc?: NatsConnection;
  private kv?: KV;

  constructor(private readonly options: JetStreamConfigStoreOptions) {}

  async start(): Promise<void> {
    if (this.kv) return;
    try {
      const { servers, user, pass, token, authenticator } = this.options;
      this.nc = await connect({
        servers,
        user,
        pass,
        token,
        authenticator,
        name: `sluice-config-${process.pid}`,
        maxReconnectAttempts: -1,
        noAsyncTraces: true,
      });
      const js = this.nc.jetstream();
      const jsm = await this.nc.jetstreamManager();
      const replicas = this.options.replicas ?? 1;
      // why retried: a cluster that is starting or loaded answers the bucket's creation late
      this.kv = await retryJetStreamSetup(
        () => js.views.kv(this.options.bucket, { history: 1, replicas }),
        SETUP_RETRY_MS,
      );
      // why: opening an existing bucket keeps its replica count; bring it to the configured one
      // (an installation going from one NATS node to three)
      await retryJetStreamSetup(async () => {
        const stream = `KV_${this.options.bucket}`;
        const { config } = await jsm.streams.info(stream);
        if (config.num_replicas !== replicas)
          await jsm.streams.update(stream, { ...config, num_replicas: replicas });
      }, SETUP_RETRY_MS);
    } catch (error) {
      await this.nc?.close().catch(() => undefined);
      this.nc = undefined;
      throw new ConfigStoreUnavailableError(
        `cannot open the config bucket ${this.options.bucket} on ${this.options.servers.map(redactUrlCredentials).join(', ')}: ${(error as Error).message}`,
        { cause: error },
      );
    }
  }

  async put(key: string, value: Uint8Array): Promise<number> {
    return this.bucket().put(key, value);
  }

  async get(key: string): Promise<ConfigEntry | null> {
    const entry = await this.bucket().get(key);
    if (!entry || entry.operation !== 'PUT') return null;
    return { key, value: entry.value, revision: entry.revision };
  }

  async delete(key: string): Promise<void> {
    await this.bucket().delete(key);
  }

  async keys(): Promise<string[]> {
    const keys: string[] = [];
    for await (const key of await this.bucket().keys()) keys.push(key);
    return keys;
  }

  async watch(handler: (entry: ConfigEntry) => void, onSnapshotDone?: () => void): Promise<ConfigWatch> {
    let snapshotDone = false;
    const finishSnapshot = () => {
      if (snapshotDone) return;
      snapshotDone = true;
      onSnapshotDone?.();
    };
    const iterator = await this.bucket().watch({
      include: KvWatchInclude.LastValue,
      initializedFn: finishSnapshot,
    });
    const loop = (async () => {
      for await (const entry of iterator) {
        handler({
          key: entry.key,
          value: entry.operation === 'PUT' ? entry.value : null,
          revision: entry.revision,
        });
      }
    })();
    return {
      stop: async () => {
        iterator.stop();
        await loop.catch(() => undefined);
      },
    };
  }

  async close(): Promise<void> {
    const nc = this.nc;
    this.nc = undefined;
    this.kv = undefined;
    await nc?.drain().catch(() => undefined);
  }

  private bucket(): KV {
    if (!this.kv) throw new ConfigStoreUnavailableError('the config store is not started');
    return this.kv;
  }
}
