import type { ConfigEntry, ConfigStore, ConfigWatch } from './config-store';

type Handler = (entry: ConfigEntry) => void;

/** The embedded mode's config store: a map in this process, watched synchronously. */
export class InProcessConfigStore implements ConfigStore {
  private readonly entries = new Map<string, ConfigEntry>();
  private readonly handlers = new Set<Handler>();
  private revision = 0;

  start(): Promise<void> {
    return Promise.resolve();
  }

  put(key: string, value: Uint8Array): Promise<number> {
    return Promise.resolve(this.write({ key, value: Uint8Array.from(value), revision: ++this.revision }));
  }

  get(key: string): Promise<ConfigEntry | null> {
    return Promise.resolve(this.entries.get(key) ?? null);
  }

  delete(key: string): Promise<void> {
    if (this.entries.has(key)) this.write({ key, value: null, revision: ++this.revision });
    return Promise.resolve();
  }

  keys(): Promise<string[]> {
    return Promise.resolve([...this.entries.keys()]);
  }

  watch(handler: Handler, onSnapshotDone?: () => void): Promise<ConfigWatch> {
    for (const entry of this.entries.values()) handler(entry);
    onSnapshotDone?.();
    this.handlers.add(handler);
    return Promise.resolve({
      stop: () => {
        this.handlers.delete(handler);
        return Promise.resolve();
      },
    });
  }

  close(): Promise<void> {
    this.handlers.clear();
    return Promise.resolve();
  }

  private write(entry: ConfigEntry): number {
    if (entry.value === null) this.entries.delete(entry.key);
    else this.entries.set(entry.key, entry);
    for (const handler of this.handlers) handler(entry);
    return entry.revision;
  }
}
