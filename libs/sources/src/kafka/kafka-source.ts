import type { EachMessagePayload } from 'kafkajs';
import { emptyMetrics } from '../source-metrics';
import { toSourceLogger } from '../source-logger';
import { sinkWithRetry } from '../sink-retry';
import type { Source } from '../source';
import type { MessageSink, SourceMetrics, SourceOptions, SourceState, SourceStatus } from '../types';
import { createKafkaConsumer, type KafkaConsumerFactory, type KafkaConsumerLike } from './kafka-consumer';
import { kafkaRecordBytes, kafkaRecordToMessage } from './kafka-record-to-message';
import {
  parseKafkaSourceConfig,
  type KafkaSourceConfig,
  type KafkaSourceConfigInput,
} from './kafka-source.config';
import { OffsetTracker } from './offset-tracker';

export interface KafkaSourceOptions extends SourceOptions {
  /** Builds the consumer; tests pass a fake. Default: a kafkajs consumer. */
  consumerFactory?: KafkaConsumerFactory;
}

export interface KafkaSource extends Source {
  readonly config: KafkaSourceConfig;
}

const COMMIT_RETRY_MS = 1_000;

/**
 * A Kafka source: a consumer in group `groupId` that hands every record to `sink` and commits an
 * offset only after the sink resolved for that record and for every earlier record of its partition.
 *
 * @example
 * const source = createKafkaSource(
 *   { id: 'orders', tenant: 'acme', brokers: ['kafka:9092'], topics: ['orders'], topicTemplate: 'kafka/{topic}' },
 *   async (message) => { await store(message); },
 * );
 * await source.start();
 */
export function createKafkaSource(
  input: KafkaSourceConfigInput,
  sink: MessageSink,
  options: KafkaSourceOptions = {},
): KafkaSource {
  const config = parseKafkaSourceConfig(input);
  const log = toSourceLogger(options.logger);
  const clientId = config.clientId ?? `sluice-${config.tenant}-${config.id}`;
  const consumer: KafkaConsumerLike = (options.consumerFactory ?? createKafkaConsumer)(
    config,
    options.targets,
  );
  const metrics = emptyMetrics();
  const emit = options.onEvent ?? (() => undefined);

  // A rebalance starts a new generation: the partitions are read again from their committed
  // offsets, so what the old generation still has in flight must not be committed any more.
  let generation = 0;
  let trackers = new Map<string, { topic: string; partition: number; tracker: OffsetTracker }>();
  const failedCommits = new Map<
    string,
    { topic: string; partition: number; offset: string; count: number }
  >();
  const paused = new Map<string, { topic: string; partitions: number[] }>();
  const assigned = new Set<string>();
  let state: SourceState = 'disconnected';
  let reason: string | undefined;
  let started = false;
  let stopping = false;
  let abandoned = false;
  let commitRunning: Promise<void> | undefined;
  let commitAgain = false;
  let retryTimer: NodeJS.Timeout | undefined;
  let drained: (() => void) | undefined;
  const listeners: (() => void)[] = [];

  function trackerFor(topic: string, partition: number): OffsetTracker {
    const key = `${topic}\0${partition}`;
    let entry = trackers.get(key);
    if (!entry) trackers.set(key, (entry = { topic, partition, tracker: new OffsetTracker() }));
    return entry.tracker;
  }

  function scheduleCommit(): void {
    if (commitRunning) {
      commitAgain = true;
      return;
    }
    commitRunning = commitLoop().finally(() => (commitRunning = undefined));
  }

  async function commitLoop(): Promise<void> {
    do {
      commitAgain = false;
      const gen = generation;
      const batch = new Map(failedCommits);
      failedCommits.clear();
      for (const [key, { topic, partition, tracker }] of trackers) {
        const before = tracker.size;
        const offset = tracker.takeCommittable();
        if (offset === undefined) continue;
        const count = before - tracker.size + (batch.get(key)?.count ?? 0);
        batch.set(key, { topic, partition, offset, count });
      }
      if (batch.size === 0) continue;
      try {
        await consumer.commitOffsets(
          [...batch.values()].map(({ topic, partition, offset }) => ({ topic, partition, offset })),
        );
        for (const { count } of batch.values()) metrics.acked += count;
      } catch (error) {
        // A commit refused during a rebalance is moot (the partition is read again from the last
        // commit); otherwise keep it and try again, a later commit of the partition covers it too.
        if (gen !== generation) continue;
        log.warn(`source ${config.tenant}/${config.id}: offset commit failed: ${(error as Error).message}`);
        for (const [key, value] of batch) if (!failedCommits.has(key)) failedCommits.set(key, value);
        clearTimeout(retryTimer);
        if (!abandoned) retryTimer = setTimeout(scheduleCommit, COMMIT_RETRY_MS);
      }
    } while (commitAgain);
  }

  function settle(): void {
    metrics.inFlight -= 1;
    if (metrics.inFlight < config.maxInFlight && paused.size > 0 && !stopping) {
      consumer.resume([...paused.values()]);
      paused.clear();
      emit({ type: 'resumed', clientId });
    }
    if (metrics.inFlight === 0) drained?.();
  }

  function eachMessage({ topic, partition, message: record }: EachMessagePayload): Promise<void> {
    const gen = generation;
    const entry = trackerFor(topic, partition).add(record.offset);
    const message = kafkaRecordToMessage(config, topic, partition, record, Date.now());
    metrics.received += 1;
    metrics.byQos[1].received += 1;
    metrics.bytes += kafkaRecordBytes(record);
    metrics.inFlight += 1;
    // Not awaited: many records are in flight at once; order is kept by the tracker, not here.
    void sinkWithRetry(sink, message, {
      abandoned: () => abandoned || gen !== generation,
      onFailure: (error, attempt) => {
        metrics.sinkFailures += 1;
        emit({ type: 'sink-failed', clientId, messageId: message.id, qos: 1, error, attempt });
      },
    }).then((stored) => {
      if (stored) {
        metrics.stored += 1;
        metrics.byQos[1].stored += 1;
        entry.done = true;
        if (gen === generation) scheduleCommit();
      }
      settle();
    });
    if (metrics.inFlight >= config.maxInFlight) {
      const key = `${topic}\0${partition}`;
      if (!paused.has(key)) {
        paused.set(key, { topic, partitions: [partition] });
        consumer.pause([{ topic, partitions: [partition] }]);
        emit({ type: 'paused', clientId, reason: `${metrics.inFlight} records in flight` });
      }
    }
    return Promise.resolve();
  }

  function onGroupJoin(event: { payload: unknown }): void {
    generation += 1;
    trackers = new Map();
    failedCommits.clear();
    // `paused` is kept: kafkajs keeps a partition paused across a rejoin, and the old generation's
    // in-flight records still settle (or are abandoned) and so resume it.
    assigned.clear();
    const assignment = (event.payload as { memberAssignment?: Record<string, number[]> }).memberAssignment;
    for (const topic of Object.keys(assignment ?? {})) assigned.add(topic);
    state = 'connected';
    reason = undefined;
    emit({ type: 'connected', clientId, sessionPresent: true });
  }

  return {
    config,
    async start() {
      if (started) return;
      started = true;
      state = 'connecting';
      listeners.push(
        consumer.on('consumer.group_join', onGroupJoin),
        consumer.on('consumer.crash', (event) => {
          const error = (event.payload as { error?: Error }).error;
          state = 'disconnected';
          reason = error?.message ?? 'consumer crashed';
          metrics.reconnects += 1;
          emit({ type: 'disconnected', clientId, reason });
        }),
        consumer.on('consumer.disconnect', () => {
          if (state !== 'disconnected') emit({ type: 'disconnected', clientId });
          state = 'disconnected';
        }),
      );
      try {
        await consumer.connect();
        const topics: (string | RegExp)[] = [...(config.topics ?? [])];
        if (config.topicRegex !== undefined) topics.push(new RegExp(config.topicRegex));
        await consumer.subscribe({ topics, fromBeginning: config.fromBeginning });
        await consumer.run({ autoCommit: false, partitionsConsumedConcurrently: 1, eachMessage });
        emit({
          type: 'subscribed',
          clientId,
          filters: topics.map(String),
        });
      } catch (error) {
        state = 'disconnected';
        reason = (error as Error).message;
        await consumer.disconnect().catch(() => undefined);
        throw error;
      }
    },
    async stop() {
      if (!started || stopping) return;
      stopping = true;
      // Pausing (not consumer.stop()) keeps the group membership, so the final commit is accepted.
      const topics = new Set([...assigned, ...[...trackers.values()].map((t) => t.topic)]);
      try {
        if (topics.size > 0) consumer.pause([...topics].map((topic) => ({ topic })));
      } catch (error) {
        // kafkajs has no group while it restarts after a crash; nothing is being read then.
        log.warn(`source ${config.tenant}/${config.id}: pause on stop: ${(error as Error).message}`);
      }
      if (metrics.inFlight > 0) {
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([
          new Promise<void>((resolve) => (drained = resolve)),
          new Promise<void>((resolve) => (timer = setTimeout(resolve, config.drainTimeoutMs))),
        ]);
        clearTimeout(timer);
      }
      abandoned = true;
      clearTimeout(retryTimer);
      scheduleCommit();
      await commitRunning;
      for (const remove of listeners.splice(0)) remove();
      await consumer.disconnect();
      state = 'disconnected';
    },
    status(): SourceStatus {
      const connections = state === 'connected' ? 1 : 0;
      return reason === undefined || state === 'connected'
        ? { state, connections }
        : { state, reason, connections };
    },
    metrics: (): SourceMetrics => structuredClone(metrics),
  };
}
