import { dataDirShape, natsConfigShape } from '@sluice/config';
import { z } from 'zod';

const int = (fallback: number) => z.coerce.number().int().default(fallback);
const positive = (fallback: number) => z.coerce.number().int().positive().default(fallback);
const MiB = 1024 ** 2;
const HOUR_MS = 3_600_000;

/**
 * The bus settings, to spread into a service's config schema. Stream limits apply to both
 * implementations; the in-process bus keeps its streams in `${SLUICE_DATA_DIR}/bus.db` (or in
 * memory with SLUICE_BUS_STORAGE=memory, then mind MAX_BYTES).
 * JetStream reserves each file stream's max bytes on the server up front, so the defaults are
 * sized to the backlog they must absorb (1M messages of ~200 bytes), not to the disk.
 *
 * @example const schema = z.object({ ...busConfigShape, ...otherShape });
 */
export const busConfigShape = {
  /** `in-process` for the embedded single process, `nats` (JetStream) for the mesh. */
  SLUICE_BUS: z.enum(['in-process', 'nats']).default('in-process'),
  /**
   * The in-process bus's storage: `file` (a SQLite log, `${SLUICE_DATA_DIR}/bus.db`: what was
   * stored survives a crash and is delivered after the restart) or `memory` (lost on exit). The
   * JetStream bus ignores it (its streams are always on file).
   */
  SLUICE_BUS_STORAGE: z.enum(['file', 'memory']).default('file'),
  ...dataDirShape,
  /**
   * The in-process bus's fsync policy. `normal`: a commit reaches the OS at once (survives a crash
   * of the process) and the disk at each WAL checkpoint (a power loss may lose the last commits;
   * JetStream's default, a sync every 2 minutes, is of the same kind). `full`: every commit is
   * fsynced before the publish is confirmed (survives a power loss; slower).
   */
  SLUICE_BUS_SYNC: z.enum(['normal', 'full']).default('normal'),
  /**
   * Message bodies of each stream the in-process file bus also keeps in memory, so delivery rarely
   * reads the disk; beyond it the backlog is on disk only (its index stays, ~100 bytes a message).
   */
  SLUICE_BUS_MEMORY_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(0)
    .default(16 * MiB),
  /** The mesh's NATS and its login (SLUICE_NATS_URL, SLUICE_NATS_USER/PASSWORD, _TOKEN, _CREDS). */
  ...natsConfigShape,
  /** Prefix of stream names and subjects, so several installations (or tests) share one NATS. */
  SLUICE_BUS_NAMESPACE: z
    .string()
    .regex(/^[A-Za-z0-9_-]*$/, 'letters, digits, _ and - only')
    .default(''),
  SLUICE_BUS_INGEST_MAX_BYTES: positive(256 * MiB),
  SLUICE_BUS_INGEST_MAX_MSGS: positive(1_000_000),
  SLUICE_BUS_INGEST_MAX_AGE_MS: positive(72 * HOUR_MS),
  SLUICE_BUS_ACTIONS_MAX_BYTES: positive(256 * MiB),
  SLUICE_BUS_ACTIONS_MAX_MSGS: positive(1_000_000),
  SLUICE_BUS_ACTIONS_MAX_AGE_MS: positive(72 * HOUR_MS),
  SLUICE_BUS_DLQ_MAX_BYTES: positive(128 * MiB),
  SLUICE_BUS_DLQ_MAX_MSGS: positive(1_000_000),
  SLUICE_BUS_DLQ_MAX_AGE_MS: positive(14 * 24 * HOUR_MS),
  /** `old`: a full DLQ drops its oldest dead letters; `new`: delivery stalls until there is room. */
  SLUICE_BUS_DLQ_DISCARD: z.enum(['old', 'new']).default('old'),
  /** Window in which a repeated Nats-Msg-Id is dropped. */
  SLUICE_BUS_DUPLICATE_WINDOW_MS: positive(120_000),
  /** JetStream replicas per stream (3 on a cluster). */
  SLUICE_BUS_REPLICAS: z.coerce.number().int().min(1).max(5).default(1),
  /** Consumer defaults; a consumer may ask for its own. */
  SLUICE_BUS_ACK_WAIT_MS: positive(30_000),
  SLUICE_BUS_MAX_ACK_PENDING: positive(1_000),
  /** -1: redeliver until acked or terminated (the stages dead-letter on their own count). */
  SLUICE_BUS_MAX_DELIVER: int(-1).refine((v) => v === -1 || v > 0, 'expected -1 or a positive integer'),
  /**
   * How long one pull request waits at the server. A consumer that hears nothing for this long
   * (two missed heartbeats, at half of it) pulls again: the longest stall of a consumer whose
   * leader moved to another node of the cluster. At least 1,000.
   */
  SLUICE_BUS_PULL_EXPIRES_MS: z.coerce.number().int().min(1_000).default(5_000),
  /** How long a publish waits for the stream's confirmation. */
  SLUICE_BUS_PUBLISH_TIMEOUT_MS: positive(5_000),
  /**
   * Group commit's linger on the JetStream bus: after an envelope of a subject (INGEST from ingest,
   * ACTIONS from rules) leaves, the next one that is not full waits until this many ms have passed.
   * Under load envelopes grow and JetStream's per-envelope work shrinks (ADR 0008); a message after
   * a quiet spell is not held. 0: send whenever a publish slot is free.
   */
  SLUICE_BUS_BATCH_LINGER_MS: z.coerce.number().int().min(0).max(100).default(4),
  /** Publishes awaiting confirmation at once per connection; more wait their turn. */
  SLUICE_BUS_PUBLISH_WINDOW: positive(1_024),
};

const busConfigSchema = z.object(busConfigShape);
export type BusConfig = z.infer<typeof busConfigSchema>;

/**
 * Bus settings with every default applied, for tests and tools that need no environment.
 *
 * @example const bus = createBus(defaultBusConfig({ SLUICE_BUS: 'nats' }));
 */
export function defaultBusConfig(overrides: Partial<BusConfig> = {}): BusConfig {
  return { ...busConfigSchema.parse({}), ...overrides };
}
