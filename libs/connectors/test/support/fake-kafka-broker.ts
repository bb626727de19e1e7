import { createServer, type Server, type Socket } from 'node:net';
import { gunzipSync } from 'node:zlib';

/**
 * A single-node Kafka broker on loopback that speaks just enough of the wire protocol for the
 * kafkajs producer: ApiVersions v0-2, Metadata v0-1, Produce v3 (record batches, magic 2, no
 * compression or gzip). Every topic asked for exists with `partitions` partitions. Produced records
 * are decoded and kept in `records` so tests can assert what reached the "broker".
 */
export interface ProducedRecord {
  topic: string;
  partition: number;
  offset: number;
  key: string | null;
  value: string | null;
  timestamp: number;
  headers: Record<string, string>;
  /** Compression codec of the batch it came in: 0 none, 1 gzip. */
  compression: number;
  /** The produce request's `acks`. */
  acks: number;
}

const API_PRODUCE = 0;
const API_METADATA = 3;
const API_VERSIONS = 18;
const supported: [apiKey: number, min: number, max: number][] = [
  [API_PRODUCE, 3, 3],
  [API_METADATA, 0, 1],
  [API_VERSIONS, 0, 2],
];
const UNSUPPORTED_VERSION = 35;

export class FakeKafkaBroker {
  readonly records: ProducedRecord[] = [];
  /** Produce requests received (a batch of records is one request per broker). */
  produceRequests = 0;
  /** Error code to answer the next produce requests with (e.g. 6 NOT_LEADER, 10 MESSAGE_TOO_LARGE). */
  failProduceWith: number | undefined;
  private server?: Server;
  private readonly sockets = new Set<Socket>();
  private offsets = new Map<string, number>();
  port = 0;

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

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private accept(socket: Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    let pending = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 4) {
        const size = pending.readInt32BE(0);
        if (pending.length < 4 + size) break;
        const frame = pending.subarray(4, 4 + size);
        pending = pending.subarray(4 + size);
        const response = this.handle(new Reader(frame));
        if (response) {
          const sized = Buffer.alloc(4);
          sized.writeInt32BE(response.length);
          socket.write(Buffer.concat([sized, response]));
        }
      }
    });
  }

  /** One request frame in, one response frame out (none for acks=0 produce). */
  private handle(r: Reader): Buffer | undefined {
    const apiKey = r.int16();
    const version = r.int16();
    const correlationId = r.int32();
    r.nullableString(); // client id
    const w = new Writer().int32(correlationId);
    const range = supported.find(([key]) => key === apiKey);
    if (!range || version < range[1] || version > range[2]) {
      if (apiKey === API_VERSIONS) return this.apiVersions(w.int16(UNSUPPORTED_VERSION), 0);
      throw new Error(`fake kafka: unsupported api ${apiKey} v${version}`);
    }
    switch (apiKey) {
      case API_VERSIONS:
        return this.apiVersions(w.int16(0), version);
      case API_METADATA:
        return this.metadata(r, w);
      case API_PRODUCE:
        return this.produce(r, w);
    }
    return undefined;
  }

  private apiVersions(w: Writer, version: number): Buffer {
    w.int32(supported.length);
    for (const [key, min, max] of supported) w.int16(key).int16(min).int16(max);
    if (version >= 1) w.int32(0); // throttle time
    return w.done();
  }

  private metadata(r: Reader, w: Writer): Buffer {
    const count = r.int32();
    const topics =
      count < 0 ? [...new Set(this.records.map((x) => x.topic))] : r.array(count, () => r.string());
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
        const key = `${topic}/${partition}`;
        const base = this.offsets.get(key) ?? 0;
        if (this.failProduceWith !== undefined) {
          partitions.push([partition, this.failProduceWith, -1]);
          continue;
        }
        const decoded = decodeRecordBatches(recordSet, topic, partition, base, acks);
        this.records.push(...decoded);
        this.offsets.set(key, base + decoded.length);
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
}

/** Record batches (magic 2) back to records: the format kafkajs writes for Produce v3+. */
function decodeRecordBatches(
  data: Buffer,
  topic: string,
  partition: number,
  base: number,
  acks: number,
): ProducedRecord[] {
  const out: ProducedRecord[] = [];
  const r = new Reader(data);
  while (r.remaining() > 0) {
    r.int64(); // base offset
    const length = r.int32();
    const batch = new Reader(r.take(length));
    batch.int32(); // partition leader epoch
    const magic = batch.int8();
    if (magic !== 2) throw new Error(`fake kafka: record batch magic ${magic} not supported`);
    batch.int32(); // crc
    const compression = batch.int16() & 0x7;
    batch.int32(); // last offset delta
    const firstTimestamp = Number(batch.int64());
    batch.int64(); // max timestamp
    batch.int64(); // producer id
    batch.int16(); // producer epoch
    batch.int32(); // base sequence
    const count = batch.int32();
    let rest = batch.take(batch.remaining());
    if (compression === 1) rest = gunzipSync(rest);
    else if (compression !== 0) throw new Error(`fake kafka: compression codec ${compression} not supported`);
    const recs = new Reader(rest);
    for (let i = 0; i < count; i++) {
      recs.varint(); // record length
      recs.int8(); // attributes
      const timestampDelta = recs.varint();
      recs.varint(); // offset delta
      const key = recs.varBytes();
      const value = recs.varBytes();
      const headers: Record<string, string> = {};
      const headerCount = recs.varint();
      for (let h = 0; h < headerCount; h++)
        headers[recs.varBytes()!.toString()] = recs.varBytes()?.toString() ?? '';
      out.push({
        topic,
        partition,
        offset: base + out.length,
        key: key?.toString() ?? null,
        value: value?.toString() ?? null,
        timestamp: firstTimestamp + timestampDelta,
        headers,
        compression,
        acks,
      });
    }
  }
  return out;
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
  done = () => Buffer.concat(this.parts);
}
