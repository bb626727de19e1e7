import type { ConfigStore, ConfigWatch } from '@sluice/config-store';
import { describeError } from '@sluice/errors';
import {
  parsePipelineDefinition,
  type PipelineDefinition,
  type TenantDefinition,
} from './pipeline-definition';
import type { StageLogger } from './stage-logger';

export type TenantListener = (tenantId: string, definition: TenantDefinition | null) => void | Promise<void>;

/**
 * The pipeline a service runs: the tenants of the pipeline file (fixed) plus the tenants the
 * gateway keeps in the config store (a snapshot at start, then every change). A store entry that
 * does not parse is reported and ignored, so the running version of that tenant stays.
 */
export class PipelineDefinitions {
  private readonly tenants = new Map<string, TenantDefinition>();
  private readonly fileTenants: ReadonlySet<string>;
  private readonly listeners = new Set<TenantListener>();
  private watch?: ConfigWatch;
  /** Changes are applied one at a time, in the order they arrived. */
  private queue: Promise<void> = Promise.resolve();

  constructor(
    file: PipelineDefinition,
    private readonly store: ConfigStore | null,
    private readonly log: StageLogger,
  ) {
    for (const tenant of file.tenants) this.tenants.set(tenant.id, tenant);
    this.fileTenants = new Set(this.tenants.keys());
  }

  /** Resolves once the store's snapshot is in (so `current()` is complete). */
  async start(): Promise<void> {
    if (!this.store) return;
    let snapshotDone!: () => void;
    const snapshot = new Promise<void>((resolve) => (snapshotDone = resolve));
    this.watch = await this.store.watch((entry) => this.apply(entry.key, entry.value), snapshotDone);
    await snapshot;
    await this.queue;
  }

  current(): PipelineDefinition {
    return { tenants: [...this.tenants.values()] };
  }

  /** `listener` runs for every later change of a tenant (`null`: removed). Returns an unsubscribe. */
  onChange(listener: TenantListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Resolves when every change received so far has been handed to the listeners. */
  settled(): Promise<void> {
    return this.queue;
  }

  async stop(): Promise<void> {
    await this.watch?.stop();
    await this.queue;
  }

  private apply(tenantId: string, value: Uint8Array | null): void {
    if (this.fileTenants.has(tenantId)) {
      this.log.warn(
        `tenant '${tenantId}' is defined in the pipeline file; its config store entry is ignored`,
      );
      return;
    }
    let definition: TenantDefinition | null = null;
    if (value !== null) {
      try {
        const parsed = parsePipelineDefinition(
          { tenants: [JSON.parse(Buffer.from(value).toString('utf8'))] },
          `config store entry '${tenantId}'`,
        );
        definition = parsed.tenants[0]!;
        if (definition.id !== tenantId)
          throw new Error(`entry '${tenantId}' holds tenant '${definition.id}'`);
      } catch (error) {
        this.log.error(
          `ignoring tenant '${tenantId}' from the config store: ${describeError(error).message}`,
        );
        return;
      }
    }
    if (definition) this.tenants.set(tenantId, definition);
    else this.tenants.delete(tenantId);
    this.queue = this.queue.then(async () => {
      for (const listener of this.listeners) {
        try {
          await listener(tenantId, definition);
        } catch (error) {
          this.log.error(`applying tenant '${tenantId}' failed: ${describeError(error).message}`);
        }
      }
    });
  }
}
