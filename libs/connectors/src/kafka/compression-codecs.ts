/**
 * Kafka's record-batch compression beyond gzip (which kafkajs has built in): snappy, lz4 and zstd,
 * for the Kafka connector and the Kafka source. All three are pure JavaScript or WebAssembly, so
 * nothing is compiled at install. kafkajs has no codec of its own for them and takes one through
 * its codec hook (`CompressionCodecs[type] = () => codec`); this module gives the codecs in that
 * shape without naming a kafkajs type, so each driver registers them in one line
 * (`registerKafkaCodecs`).
 *
 * - snappy: kafkajs-snappy (snappyjs). Writes raw snappy blocks; reads raw blocks and the xerial
 *   framing (`\x82SNAPPY\0` + sized chunks) that the Java client writes.
 * - lz4: lz4js, the LZ4 frame format that Kafka uses from record-batch version 2 on.
 * - zstd: compression by @bokuweb/zstd-wasm (a frame with its content size), decompression by fzstd,
 *   which also reads frames without a content size (the Java client streams them) at any size.
 */
export interface KafkaCodec {
  compress(encoder: { buffer: Buffer }): Promise<Buffer>;
  decompress(buffer: Buffer): Promise<Buffer>;
}

/** The names kafkajs gives these codecs in `CompressionTypes`. */
export type KafkaCodecName = 'Snappy' | 'LZ4' | 'ZSTD';

/** Compression level of zstd: the library's default, as the Java client's. */
const ZSTD_LEVEL = 3;

const toBuffer = (bytes: Uint8Array | number[]): Buffer =>
  Buffer.isBuffer(bytes)
    ? bytes
    : bytes instanceof Uint8Array
      ? Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
      : Buffer.from(bytes);

/* eslint-disable @typescript-eslint/no-require-imports -- each codec loads with the first batch it compresses or reads (docs/architecture.md, "Memory") */
const snappy = (): KafkaCodec => (require('kafkajs-snappy') as () => KafkaCodec)();

const lz4 = (): KafkaCodec => {
  const lz4js = require('lz4js') as {
    compress(src: Uint8Array): Uint8Array | number[];
    decompress(src: Uint8Array): Uint8Array | number[];
  };
  return {
    compress: (encoder) => Promise.resolve(toBuffer(lz4js.compress(encoder.buffer))),
    decompress: (buffer) => Promise.resolve(toBuffer(lz4js.decompress(buffer))),
  };
};

let zstdReady: Promise<typeof import('@bokuweb/zstd-wasm')> | undefined;
const zstd = (): KafkaCodec => ({
  compress: async (encoder) => {
    const wasm = await (zstdReady ??= (async () => {
      const lib = require('@bokuweb/zstd-wasm') as typeof import('@bokuweb/zstd-wasm');
      await lib.init();
      return lib;
    })());
    return toBuffer(wasm.compress(encoder.buffer, ZSTD_LEVEL));
  },
  decompress: (buffer) =>
    Promise.resolve(toBuffer((require('fzstd') as typeof import('fzstd')).decompress(buffer))),
});
/* eslint-enable @typescript-eslint/no-require-imports */

export const kafkaCodecs: Readonly<Record<KafkaCodecName, () => KafkaCodec>> = {
  Snappy: snappy,
  LZ4: lz4,
  ZSTD: zstd,
};

/**
 * Registers snappy, lz4 and zstd with a kafkajs module (its `CompressionCodecs` and
 * `CompressionTypes`); idempotent. Called by each driver when it loads kafkajs.
 */
export function registerKafkaCodecs(driver: {
  CompressionCodecs: Record<number, () => unknown>;
  CompressionTypes: Record<KafkaCodecName, number>;
}): void {
  for (const name of Object.keys(kafkaCodecs) as KafkaCodecName[])
    driver.CompressionCodecs[driver.CompressionTypes[name]] = kafkaCodecs[name];
}
