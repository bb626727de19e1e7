/**
 * Where the gateway publishes the configuration that ingest, rules and delivery run: one entry per
 * tenant, holding that tenant's whole pipeline definition (sources, connectors, rules, actions) as
 * JSON. A service watches the store: it gets every current entry first (the snapshot), then each
 * change as it happens, so a service that starts later still sees everything and nothing needs the
 * gateway to be up. Backed by a JetStream key-value bucket in the mesh, by memory when embedded.
 */
export interface ConfigEntry {
  key: string;
  /** `null` when the entry was deleted. */
  value: Uint8Array | null;
  /** Increases with every write to the store. */
  revision: number;
}

export interface ConfigWatch {
  stop(): Promise<void>;
}

export interface ConfigStore {
  /** Connects and creates the bucket (idempotent). */
  start(): Promise<void>;
  put(key: string, value: Uint8Array): Promise<number>;
  get(key: string): Promise<ConfigEntry | null>;
  delete(key: string): Promise<void>;
  keys(): Promise<string[]>;
  /**
   * Calls `handler` with every current entry, then `onSnapshotDone`, then with each change.
   * Handlers run one at a time, in revision order.
   */
  watch(handler: (entry: ConfigEntry) => void, onSnapshotDone?: () => void): Promise<ConfigWatch>;
  close(): Promise<void>;
}
