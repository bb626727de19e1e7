import { createServer, type Server, type Socket } from 'node:net';
import { decodeRecordBatches, encodeRecordBatch, type FakeRecord, type ProducedRecord } from './record-batch';
import { Reader, Writer } from './wire';

const API = {
  PRODUCE: 0,
  FETCH: 1,
  LIST_OFFSETS: 2,
  METADATA: 3,
  OFFSET_COMMIT: 8,
  OFFSET_FETCH: 9,
  FIND_COORDINATOR: 10,
  JOIN_GROUP: 11,
  HEARTBEAT: 12,
  LEAVE_GROUP: 13,
  SYNC_GROUP: 14,
  API_VERSIONS: 18,
} as const;
const supported: [apiKey: number, min: number, max: number][] = [
  [API.PRODUCE, 3, 3],
  [API.FETCH, 4, 4],
  [API.LIST_OFFSETS, 1, 1],
  [API.METADATA, 0, 1],
  [API.OFFSET_COMMIT, 2, 2],
  [API.OFFSET_FETCH, 1, 1],
  [API.FIND_COORDINATOR, 0, 0],
  [API.JOIN_GROUP, 0, 0],
  [API.HEARTBEAT, 0, 0],
  [API.LEAVE_GROUP, 0, 0],
  [API.SYNC_GROUP, 0, 0],
  [API.API_VERSIONS, 0, 2],
];
const UNSUPPORTED_VERSION = 35;
const REBALANCE_IN_PROGRESS = 27;
const ILLEGAL_GENERATION = 22;

/**
 * A single-node Kafka broker on loopback that speaks just enough of the wire protocol for the kafkajs
 * producer and for ONE kafkajs consumer in a group: ApiVersions v0-2, Metadata v0-1, Produce v3
 * (record batches, magic 2, any codec: `codecs.ts`), FindCoordinator v0, JoinGroup v0, SyncGroup v0,
 * Heartbeat v0, LeaveGroup v0, OffsetFetch v1, OffsetCommit v2, ListOffsets v1, Fetch v4 (record
 * batches, magic 2, compressed with `fetchCompression`). Every topic asked for exists with `partitions` partitions.
 * Producer tests read `records` (what was produced, decoded); consumer tests `append()` records and
 * read `committedOffset()`. Produced records land in the same logs, so a consumer can fetch them.
 */
export class FakeKafkaBroker {
  /** Every record produced, in arrival order, with its produce request's settings. */
  readonly records: ProducedRecord[] = [];
  /** Produce requests received (a batch of records is one request per broker). */
  produceRequests = 0;
  /** Error code to answer the next produce requests with (e.g. 6 NOT_LEADER, 10 MESSAGE_TOO_LARGE). */
  failProduceWith: number | undefined;
  /** Per `topic/partition`: the records appended or produced, offset = index. */
  readonly logs = new Map<string, FakeRecord[]>();
  /** Per `group/topic/partition`: the last committed offset. */
  readonly committed = new Map<string, number>();
  readonly commitRequests: { topic: string; partition: number; offset: number }[] = [];
  /** Compression codec of the record batches a Fetch answers with (0 none ... 4 zstd, `codecIds`). */
  fetchCompression = 0;
  /** Answer the next heartbeats with REBALANCE_IN_PROGRESS, forcing the member to join again. */
  forceRebalance = false;
  port = 0;
  private server?: Server;
  private readonly sockets = new Set<Socket>();
  private generation = 0;
  private assignment = Buffer.alloc(0);

  constructor(private readonly partitions = 3) {}

  async start(port = 0): Promise<this> {
    this.server = createServer((socket) => this.accept(socket));
    await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', resolve));
    const address = this.server.address();
    this.port = typeof address === 'object' && address ? address.port : 0;
    return this;
  }

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  append(topic: string, partition: number, ...records: FakeRecord[]): void {
    const key = `${topic}/${partition}`;
    this.logs.set(key, [...(this.logs.get(key) ?? []), ...records]);
  }

  committedOffset(group: string, topic: string, partition: number): number | undefined {
    return this.committed.get(`${group}/${topic}/${partition}`);
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private accept(socket: Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    let pending = Buffer.alloc(0);
    // Responses go out in request order, also when a Fetch waits for data.
    let chain = Promise.resolve();
    socket.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 4) {
        const size = pending.readInt32BE(0);
        if (pending.length < 4 + size) break;
        const frame = pending.subarray(4, 4 + size);
        pending = pending.subarray(4 + size);
        chain = chain.then(async () => {
          const response = await this.handle(new Reader(frame));
          if (!response || socket.destroyed) return;
          const sized = Buffer.alloc(4);
          sized.writeInt32BE(response.length);
          socket.write(Buffer.concat([sized, response]));
        });
      }
    });
  }

  /** One request frame in, one response frame out (none for an acks=0 produce). */
  private async handle(r: Reader): Promise<Buffer | undefined> {
    const apiKey = r.int16();
    const version = r.int16();
    const correlationId = r.int32();
    r.nullableString(); // client id
    const w = new Writer().int32(correlationId);
    const range = supported.find(([key]) => key === apiKey);
    if (!range || version < range[1] || version > range[2]) {
      if (apiKey === API.API_VERSIONS) return this.apiVersions(w.int16(UNSUPPORTED_VERSION), 0);
      throw new Error(`fake kafka: unsupported api ${apiKey} v${version}`);
    }
    switch (apiKey) {
      case API.API_VERSIONS:
        return this.apiVersions(w.int16(0), version);
      case API.METADATA:
        return this.metadata(r, w);
      case API.PRODUCE:
        return this.produce(r, w);
      case API.FIND_COORDINATOR:
        r.string();
        return w.int16(0).int32(0).string('127.0.0.1').int32(this.port).done();
      case API.JOIN_GROUP:
        return this.joinGroup(r, w);
      case API.SYNC_GROUP:
        return this.syncGroup(r, w);
      case API.HEARTBEAT:
        return w.int16(this.forceRebalance ? REBALANCE_IN_PROGRESS : 0).done();
      case API.LEAVE_GROUP:
        return w.int16(0).done();
      case API.OFFSET_FETCH:
        return this.offsetFetch(r, w);
      case API.OFFSET_COMMIT:
        return this.offsetCommit(r, w);
      case API.LIST_OFFSETS:
        return this.listOffsets(r, w);
      case API.FETCH:
        return this.fetch(r, w);
    }
    throw new Error(`fake kafka: api ${apiKey} not handled`);
  }

  private apiVersions(w: Writer, version: number): Buffer {
    w.int32(supported.length);
    for (const [key, min, max] of supported) w.int16(key).int16(min).int16(max);
    if (version >= 1) w.int32(0); // throttle time
    return w.done();
  }

  private topics(): string[] {
    return [...new Set([...this.logs.keys()].map((k) => k.slice(0, k.lastIndexOf('/'))))];
  }

  private metadata(r: Reader, w: Writer): Buffer {
    const count = r.int32();
    const topics = count < 0 ? this.topics() : r.array(count, () => r.string());
    w.int32(1).int32(0).string('127.0.0.1').int32(this.port).nullableString(null); // one broker, node 0
    w.int32(0); // controller id
    w.int32(topics.length);
    for (const topic of topics) {
      w.int16(0).string(topic).int8(0).int32(this.partitions);
      for (let p = 0; p < this.partitions; p++)
        w.int16(0).int32(p).int32(0).int32(1).int32(0).int32(1).int32(0);
    }
    return w.done();
  }

  private produce(r: Reader, w: Writer): Buffer | undefined {
    this.produceRequests++;
    r.nullableString(); // transactional id
    const acks = r.int16();
    r.int32(); // timeout
    const answers: [string, [number, number, number][]][] = [];
    const topicCount = r.int32();
    for (let t = 0; t < topicCount; t++) {
      const topic = r.string();
      const partitions: [number, number, number][] = [];
      const partitionCount = r.int32();
      for (let p = 0; p < partitionCount; p++) {
        const partition = r.int32();
        const recordSet = r.bytes();
        if (this.failProduceWith !== undefined) {
          partitions.push([partition, this.failProduceWith, -1]);
          continue;
        }
        const base = this.logs.get(`${topic}/${partition}`)?.length ?? 0;
        const decoded = decodeRecordBatches(recordSet, topic, partition, base, acks);
        this.records.push(...decoded);
        this.append(topic, partition, ...decoded);
        partitions.push([partition, 0, base]);
      }
      answers.push([topic, partitions]);
    }
    if (acks === 0) return undefined;
    w.int32(answers.length);
    for (const [topic, partitions] of answers) {
      w.string(topic).int32(partitions.length);
      for (const [partition, error, offset] of partitions)
        w.int32(partition).int16(error).int64(offset).int64(-1);
    }
    return w.int32(0).done();
  }

  private joinGroup(r: Reader, w: Writer): Buffer {
    r.string(); // group
    r.int32(); // session timeout
    r.string(); // member id
    r.string(); // protocol type
    const protocols = r.array(r.int32(), () => [r.string(), Buffer.from(r.bytes())] as const);
    const [name, metadata] = protocols[0]!;
    this.generation += 1;
    this.forceRebalance = false;
    const member = 'member-1';
    w.int16(0).int32(this.generation).string(name).string(member).string(member);
    return w.int32(1).string(member).bytes(metadata).done();
  }

  private syncGroup(r: Reader, w: Writer): Buffer {
    r.string(); // group
    r.int32(); // generation
    r.string(); // member
    const assignments = r.array(r.int32(), () => [r.string(), Buffer.from(r.bytes())] as const);
    if (assignments[0]) this.assignment = assignments[0][1];
    return w.int16(0).bytes(this.assignment).done();
  }

  private offsetFetch(r: Reader, w: Writer): Buffer {
    const group = r.string();
    const topics = r.array(r.int32(), () => [r.string(), r.array(r.int32(), () => r.int32())] as const);
    w.int32(topics.length);
    for (const [topic, partitions] of topics) {
      w.string(topic).int32(partitions.length);
      for (const partition of partitions) {
        const offset = this.committedOffset(group, topic, partition) ?? -1;
        w.int32(partition).int64(offset).nullableString('').int16(0);
      }
    }
    return w.done();
  }

  private offsetCommit(r: Reader, w: Writer): Buffer {
    const group = r.string();
    const generation = r.int32();
    r.string(); // member
    r.int64(); // retention
    const topics = r.array(r.int32(), () => {
      const topic = r.string();
      return [
        topic,
        r.array(r.int32(), () => [r.int32(), Number(r.int64()), r.nullableString()] as const),
      ] as const;
    });
    const error = generation === this.generation ? 0 : ILLEGAL_GENERATION;
    w.int32(topics.length);
    for (const [topic, partitions] of topics) {
      w.string(topic).int32(partitions.length);
      for (const [partition, offset] of partitions) {
        if (error === 0) {
          this.committed.set(`${group}/${topic}/${partition}`, offset);
          this.commitRequests.push({ topic, partition, offset });
        }
        w.int32(partition).int16(error);
      }
    }
    return w.done();
  }

  private listOffsets(r: Reader, w: Writer): Buffer {
    r.int32(); // replica
    const topics = r.array(r.int32(), () => {
      const topic = r.string();
      return [topic, r.array(r.int32(), () => [r.int32(), Number(r.int64())] as const)] as const;
    });
    w.int32(topics.length);
    for (const [topic, partitions] of topics) {
      w.string(topic).int32(partitions.length);
      for (const [partition, timestamp] of partitions) {
        const end = this.logs.get(`${topic}/${partition}`)?.length ?? 0;
        w.int32(partition)
          .int16(0)
          .int64(-1)
          .int64(timestamp === -2 ? 0 : end);
      }
    }
    return w.done();
  }

  private async fetch(r: Reader, w: Writer): Promise<Buffer> {
    r.int32(); // replica
    const maxWait = r.int32();
    r.int32(); // min bytes
    r.int32(); // max bytes
    r.int8(); // isolation level
    const topics = r.array(r.int32(), () => {
      const topic = r.string();
      return [topic, r.array(r.int32(), () => [r.int32(), Number(r.int64()), r.int32()] as const)] as const;
    });
    const available = () =>
      topics.some(([topic, parts]) =>
        parts.some(([p, offset]) => (this.logs.get(`${topic}/${p}`)?.length ?? 0) > offset),
      );
    if (!available()) await new Promise((resolve) => setTimeout(resolve, Math.min(maxWait, 100)));
    w.int32(0).int32(topics.length); // throttle time
    for (const [topic, partitions] of topics) {
      w.string(topic).int32(partitions.length);
      for (const [partition, offset] of partitions) {
        const log = this.logs.get(`${topic}/${partition}`) ?? [];
        w.int32(partition).int16(0).int64(log.length).int64(log.length).int32(0); // no aborted transactions
        const records = log.slice(offset, offset + 50);
        w.bytes(
          records.length === 0 ? Buffer.alloc(0) : encodeRecordBatch(offset, records, this.fetchCompression),
        );
      }
    }
    return w.done();
  }
}
