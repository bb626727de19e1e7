import { createServer, type Server, type Socket } from 'node:net';

/**
 * A single-node Kafka broker on loopback that speaks just enough of the wire protocol for ONE
 * kafkajs consumer in a group (a copy of libs/connectors' producer-side fake, extended):
 * ApiVersions v0-2, Metadata v0-1, FindCoordinator v0, JoinGroup v0, SyncGroup v0, Heartbeat v0,
 * LeaveGroup v0, OffsetFetch v1, OffsetCommit v2, ListOffsets v1, Fetch v4 (record batches, magic 2,
 * no compression). Tests `append()` records and read `committed`.
 */
export interface FakeRecord {
  key?: string | null;
  value: string;
  timestamp?: number;
  headers?: Record<string, string>;
}

const API = {
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

export class FakeKafkaConsumerBroker {
  /** Per `topic/partition`: the records appended, offset = index. */
  readonly logs = new Map<string, FakeRecord[]>();
  /** Per `group/topic/partition`: the last committed offset. */
  readonly committed = new Map<string, number>();
  readonly commitRequests: { topic: string; partition: number; offset: number }[] = [];
  /** Answer the next heartbeats with REBALANCE_IN_PROGRESS, forcing the member to join again. */
  forceRebalance = false;
  private server?: Server;
  private readonly sockets = new Set<Socket>();
  private generation = 0;
  private assignment = Buffer.alloc(0);
  port = 0;

  constructor(private readonly partitions = 2) {}

  async start(): Promise<this> {
    this.server = createServer((socket) => this.accept(socket));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
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
          const sized = Buffer.alloc(4);
          sized.writeInt32BE(response.length);
          if (!socket.destroyed) socket.write(Buffer.concat([sized, response]));
        });
      }
    });
  }

  private async handle(r: Reader): Promise<Buffer> {
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
    const error = generation === this.generation ? 0 : 22; // ILLEGAL_GENERATION
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
        w.bytes(records.length === 0 ? Buffer.alloc(0) : recordBatch(offset, records));
      }
    }
    return w.done();
  }
}

/** Records as one record batch (magic 2, no compression); kafkajs does not check the CRC. */
function recordBatch(baseOffset: number, records: FakeRecord[]): Buffer {
  const first = records[0]!.timestamp ?? 0;
  const body = new Writer();
  records.forEach((record, i) => {
    const rec = new Writer()
      .int8(0)
      .varint((record.timestamp ?? 0) - first)
      .varint(i)
      .varBytes(record.key === undefined || record.key === null ? null : Buffer.from(record.key))
      .varBytes(Buffer.from(record.value));
    const headers = Object.entries(record.headers ?? {});
    rec.varint(headers.length);
    for (const [k, v] of headers) rec.varBytes(Buffer.from(k)).varBytes(Buffer.from(v));
    const encoded = rec.done();
    body.varint(encoded.length).raw(encoded);
  });
  const after = new Writer()
    .int32(0) // partition leader epoch
    .int8(2) // magic
    .int32(0) // crc
    .int16(0) // attributes
    .int32(records.length - 1)
    .int64(first)
    .int64(first)
    .int64(-1) // producer id
    .int16(-1)
    .int32(-1)
    .int32(records.length)
    .raw(body.done())
    .done();
  return new Writer().int64(baseOffset).int32(after.length).raw(after).done();
}

class Reader {
  private at = 0;
  constructor(private readonly buf: Buffer) {}
  remaining = () => this.buf.length - this.at;
  take(n: number): Buffer {
    const out = this.buf.subarray(this.at, this.at + n);
    this.at += n;
    return out;
  }
  int8 = () => this.take(1).readInt8(0);
  int16 = () => this.take(2).readInt16BE(0);
  int32 = () => this.take(4).readInt32BE(0);
  int64 = () => this.take(8).readBigInt64BE(0);
  string = () => this.take(this.int16()).toString();
  nullableString(): string | null {
    const n = this.int16();
    return n < 0 ? null : this.take(n).toString();
  }
  bytes = () => this.take(this.int32());
  array = <T>(n: number, item: () => T): T[] => Array.from({ length: n }, item);
  /** Zig-zag varint, as record fields use. */
  varint(): number {
    let value = 0;
    let shift = 0;
    for (;;) {
      const byte = this.take(1)[0]!;
      value += (byte & 0x7f) * 2 ** shift;
      if ((byte & 0x80) === 0) break;
      shift += 7;
    }
    return value % 2 === 0 ? value / 2 : -(value + 1) / 2;
  }
  varBytes(): Buffer | null {
    const n = this.varint();
    return n < 0 ? null : this.take(n);
  }
}

class Writer {
  private parts: Buffer[] = [];
  private put(size: number, write: (b: Buffer) => void): this {
    const b = Buffer.alloc(size);
    write(b);
    this.parts.push(b);
    return this;
  }
  int8 = (v: number) => this.put(1, (b) => b.writeInt8(v));
  int16 = (v: number) => this.put(2, (b) => b.writeInt16BE(v));
  int32 = (v: number) => this.put(4, (b) => b.writeInt32BE(v));
  int64 = (v: number) => this.put(8, (b) => b.writeBigInt64BE(BigInt(v)));
  string = (s: string) => {
    const bytes = Buffer.from(s);
    this.int16(bytes.length);
    this.parts.push(bytes);
    return this;
  };
  nullableString = (s: string | null) => (s === null ? this.int16(-1) : this.string(s));
  bytes = (b: Buffer) => {
    this.int32(b.length);
    this.parts.push(b);
    return this;
  };
  raw = (b: Buffer) => {
    this.parts.push(b);
    return this;
  };
  /** Zig-zag varint, as record fields use. */
  varint = (v: number) => {
    let z = v >= 0 ? v * 2 : -v * 2 - 1;
    const out: number[] = [];
    while (z >= 0x80) {
      out.push((z % 0x80) | 0x80);
      z = Math.floor(z / 0x80);
    }
    out.push(z);
    this.parts.push(Buffer.from(out));
    return this;
  };
  varBytes = (b: Buffer | null) => {
    if (b === null) return this.varint(-1);
    this.varint(b.length);
    this.parts.push(b);
    return this;
  };
  get length() {
    return this.parts.reduce((n, p) => n + p.length, 0);
  }
  done = () => Buffer.concat(this.parts);
}
