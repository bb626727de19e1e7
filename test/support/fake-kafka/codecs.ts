import { execFileSync } from 'node:child_process';
import { gunzipSync, gzipSync } from 'node:zlib';

/**
 * The fake broker's own record-batch codecs, independent of the ones Sluice registers with
 * kafkajs, so that a test of Sluice's codecs is not a round trip through the same code: gzip by
 * Node's zlib, lz4 and zstd by the reference command-line tools (`lz4`, `zstd`, which
 * scripts/ensure-services.sh installs), snappy by the small decoder and encoder below, written from
 * the format's description (raw blocks and the xerial framing of the Java client).
 */
export const codecIds = { none: 0, gzip: 1, snappy: 2, lz4: 3, zstd: 4 } as const;
export type CodecName = keyof typeof codecIds;

export function decompress(codec: number, data: Buffer): Buffer {
  switch (codec) {
    case 0:
      return data;
    case 1:
      return gunzipSync(data);
    case 2:
      return snappyDecompress(data);
    case 3:
      return execFileSync('lz4', ['-d', '-c'], { input: data });
    case 4:
      return execFileSync('zstd', ['-d', '-c', '-q'], { input: data });
    default:
      throw new Error(`fake kafka: compression codec ${codec} not supported`);
  }
}

export function compress(codec: number, data: Buffer): Buffer {
  switch (codec) {
    case 0:
      return data;
    case 1:
      return gzipSync(data);
    case 2:
      return xerialFrame(snappyLiteral(data));
    case 3:
      return execFileSync('lz4', ['-c', '-q'], { input: data });
    case 4:
      // from stdin: a frame without its content size, as the Java client's streaming writes it
      return execFileSync('zstd', ['-c', '-q'], { input: data });
    default:
      throw new Error(`fake kafka: compression codec ${codec} not supported`);
  }
}

const XERIAL_MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]);

function snappyDecompress(data: Buffer): Buffer {
  if (data.length >= 16 && data.subarray(0, 8).equals(XERIAL_MAGIC)) {
    const parts: Buffer[] = [];
    for (let at = 16; at < data.length;) {
      const size = data.readUInt32BE(at);
      parts.push(snappyBlock(data.subarray(at + 4, at + 4 + size)));
      at += 4 + size;
    }
    return Buffer.concat(parts);
  }
  return snappyBlock(data);
}

/** One raw snappy block: a varint length, then literals and back-references. */
function snappyBlock(src: Buffer): Buffer {
  let at = 0;
  let length = 0;
  for (let shift = 0; ; shift += 7) {
    const b = src[at++]!;
    length |= (b & 0x7f) << shift;
    if (b < 0x80) break;
  }
  const out = Buffer.alloc(length);
  let pos = 0;
  const copy = (offset: number, len: number) => {
    for (let i = 0; i < len; i++, pos++) out[pos] = out[pos - offset]!;
  };
  while (at < src.length) {
    const tag = src[at++]!;
    const kind = tag & 3;
    if (kind === 0) {
      let len = tag >> 2;
      if (len >= 60) {
        const bytes = len - 59;
        len = src.readUIntLE(at, bytes);
        at += bytes;
      }
      len += 1;
      src.copy(out, pos, at, at + len);
      at += len;
      pos += len;
    } else if (kind === 1) {
      copy(((tag >> 5) << 8) | src[at]!, 4 + ((tag >> 2) & 7));
      at += 1;
    } else if (kind === 2) {
      copy(src.readUInt16LE(at), (tag >> 2) + 1);
      at += 2;
    } else {
      copy(src.readUInt32LE(at), (tag >> 2) + 1);
      at += 4;
    }
  }
  if (pos !== length) throw new Error(`fake kafka: snappy block of ${pos} bytes, header says ${length}`);
  return out;
}

/** A raw snappy block holding `data` as one literal (valid snappy, not compressed). */
function snappyLiteral(data: Buffer): Buffer {
  const head: number[] = [];
  for (let n = data.length; ; n >>>= 7) {
    head.push(n < 0x80 ? n : (n & 0x7f) | 0x80);
    if (n < 0x80) break;
  }
  const n = data.length - 1;
  if (n < 60) head.push(n << 2);
  else {
    const bytes = n < 0x100 ? 1 : n < 0x10000 ? 2 : n < 0x1000000 ? 3 : 4;
    head.push((59 + bytes) << 2);
    for (let i = 0; i < bytes; i++) head.push((n >> (8 * i)) & 0xff);
  }
  return Buffer.concat([Buffer.from(head), data]);
}

/** The Java client's framing: magic, version 1, compatible version 1, then sized blocks. */
function xerialFrame(block: Buffer): Buffer {
  const header = Buffer.alloc(16);
  XERIAL_MAGIC.copy(header);
  header.writeInt32BE(1, 8);
  header.writeInt32BE(1, 12);
  const size = Buffer.alloc(4);
  size.writeUInt32BE(block.length);
  return Buffer.concat([header, size, block]);
}
