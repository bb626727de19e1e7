import {
  AckPolicy,
  DeliverPolicy,
  DiscardPolicy,
  nanos,
  RetentionPolicy,
  StorageType,
  type ConsumerConfig,
  type JetStreamManager,
  type StreamConfig,
} from 'nats';
import type { StreamName } from '../bus';
import { BusConsumerConflictError, BusUnavailableError } from '../errors';
import type { StreamLimits } from '../stream-limits';
import type { Subjects } from '../subjects';

/** The JetStream configuration of one of our streams. */
export function toStreamConfig(
  subjects: Subjects,
  name: StreamName,
  limits: StreamLimits,
): Partial<StreamConfig> {
  return {
    name: subjects.stream(name),
    subjects: subjects.streamSubjects(name),
    retention: limits.retention === 'workqueue' ? RetentionPolicy.Workqueue : RetentionPolicy.Limits,
    discard: limits.discard === 'new' ? DiscardPolicy.New : DiscardPolicy.Old,
    storage: StorageType.File,
    max_bytes: limits.maxBytes,
    max_msgs: limits.maxMsgs,
    max_age: nanos(limits.maxAgeMs),
    duplicate_window: nanos(Math.min(limits.duplicateWindowMs, limits.maxAgeMs)),
    num_replicas: limits.replicas,
  };
}

/** Creates the stream, or brings an existing one to `config`; safe when replicas race at start. */
export async function ensureStream(jsm: JetStreamManager, config: Partial<StreamConfig>): Promise<void> {
  const name = config.name!;
  try {
    await jsm.streams.info(name);
  } catch (error) {
    if (!isNotFound(error)) throw unavailable(`cannot read stream ${name}`, error);
    try {
      await jsm.streams.add(config);
      return;
    } catch (addError) {
      // another replica created it between our info and add: fall through to the update
      if (!/already in use/i.test(String(addError)))
        throw unavailable(`cannot create stream ${name}`, addError);
    }
  }
  try {
    await jsm.streams.update(name, config);
  } catch (error) {
    throw unavailable(`cannot update stream ${name} to the configured limits`, error);
  }
}

export interface DurableSettings {
  stream: string;
  durable: string;
  filterSubject: string;
  ackWaitMs: number;
  maxAckPending: number;
  maxDeliver: number;
}

/** Creates the durable pull consumer, or updates its limits; replicas sharing the name share the work. */
export async function ensureDurable(jsm: JetStreamManager, s: DurableSettings): Promise<void> {
  const config: Partial<ConsumerConfig> = {
    durable_name: s.durable,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    filter_subject: s.filterSubject,
    ack_wait: nanos(s.ackWaitMs),
    max_ack_pending: s.maxAckPending,
    max_deliver: s.maxDeliver,
  };
  try {
    await jsm.consumers.add(s.stream, config);
  } catch (error) {
    if (/not unique/i.test(String(error))) {
      throw new BusConsumerConflictError(s.stream, s.durable, s.filterSubject, String(error));
    }
    // an existing durable with other limits: update it in place (the filter must stay the same)
    try {
      await jsm.consumers.update(s.stream, s.durable, {
        ack_wait: config.ack_wait,
        max_ack_pending: config.max_ack_pending,
        max_deliver: config.max_deliver,
      });
      const info = await jsm.consumers.info(s.stream, s.durable);
      if (info.config.filter_subject !== s.filterSubject) {
        throw new Error(`it filters ${info.config.filter_subject}, not ${s.filterSubject}`);
      }
    } catch (updateError) {
      throw unavailable(
        `cannot create consumer ${s.durable} on ${s.stream}: ${String(error)}; update failed`,
        updateError,
      );
    }
  }
}

function isNotFound(error: unknown): boolean {
  return /not found/i.test(String(error));
}

function unavailable(what: string, cause: unknown): BusUnavailableError {
  return new BusUnavailableError(`${what}: ${cause instanceof Error ? cause.message : String(cause)}`, {
    cause,
  });
}
