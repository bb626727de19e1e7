import type { ConfigEntry, ConfigStore, ConfigWatch } from './config-store';

type Handler = (entry: ConfigEntry) => void;

/** The embedded mode's config store: a map in this process, watched synchronously. */
export class InProcessConfigStore implements ConfigStore {
  private readonly entries = new Map<string, ConfigEntry>();
  private readonly handlers = new Set<Handler>();
  private revision = 0;

  async start(): Promise<void> {}

  async put(key: string, value: Uint8Array): Promise<number> {
    return this.write({ key, value: Uint8Array.from(value), revision: ++this.revision });
  }

  async get(key: string): Promise<ConfigEntry | null> {
    return this.entries.get(key) ?? null;
  }

  async delete(key: string): Promise<void> {
    if (!this.entries.has(key)) return;
    this.write({ key, value: null, revision: ++this.revision });
  }

  async keys(): Promise<string[]> {
    return [...this.entries.keys()];
  }

  async watch(handler: Handler, onSnapshotDone?: () => void): Promise<ConfigWatch> {
    for (const entry of this.entries.values()) handler(entry);
    onSnapshotDone?.();
    this.handlers.add(handler);
    return { stop: async () => void this.handlers.delete(handler) };
  }

  async close(): Promise<void> {
    this.handlers.clear();
  }

  private write(entry: ConfigEntry): number {
    if (entry.value === null) this.entries.delete(entry.key);
    else this.entries.set(entry.key, entry);
    for (const handler of this.handlers) handler(entry);
    return entry.revision;
  }
}
