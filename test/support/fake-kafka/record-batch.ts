import { compress, decompress } from './codecs';
import { Reader, Writer } from './wire';

/** A record as a partition's log keeps it. */
export interface FakeRecord {
  key?: string | null;
  value: string | null;
  timestamp?: number;
  headers?: Record<string, string>;
}

/** A record as the producer sent it, with what its produce request carried. */
export interface ProducedRecord {
  topic: string;
  partition: number;
  offset: number;
  key: string | null;
  value: string | null;
  timestamp: number;
  headers: Record<string, string>;
  /** Compression codec of the batch it came in: 0 none, 1 gzip, 2 snappy, 3 lz4, 4 zstd. */
  compression: number;
  /** The produce request's `acks`. */
  acks: number;
}

/** Record batches (magic 2) back to records: the format kafkajs writes for Produce v3+. */
export function decodeRecordBatches(
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
    const recs = new Reader(decompress(compression, batch.take(batch.remaining())));
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

/** Records as one record batch (magic 2, compressed with `codec`); kafkajs does not check the CRC. */
export function encodeRecordBatch(baseOffset: number, records: FakeRecord[], codec = 0): Buffer {
  const first = records[0]!.timestamp ?? 0;
  const body = new Writer();
  records.forEach((record, i) => {
    const rec = new Writer()
      .int8(0)
      .varint((record.timestamp ?? 0) - first)
      .varint(i)
      .varBytes(record.key === undefined || record.key === null ? null : Buffer.from(record.key))
      .varBytes(record.value === null ? null : Buffer.from(record.value));
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
    .int16(codec) // attributes: the compression codec
    .int32(records.length - 1)
    .int64(first)
    .int64(first)
    .int64(-1) // producer id
    .int16(-1)
    .int32(-1)
    .int32(records.length)
    .raw(compress(codec, body.done()))
    .done();
  return new Writer().int64(baseOffset).int32(after.length).raw(after).done();
}
