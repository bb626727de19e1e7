/** Kafka's big-endian primitives, as the fake broker reads requests and writes responses. */
export class Reader {
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

export class Writer {
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
  done = () => Buffer.concat(this.parts);
}
