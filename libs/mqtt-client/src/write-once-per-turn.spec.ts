import { Writable } from 'node:stream';
import { writeOncePerTurn } from './write-once-per-turn';

/** A stream that records each write it passes down (one entry per write or writev). */
function recordingStream(): { stream: Writable; calls: string[][] } {
  const calls: string[][] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      calls.push([chunk.toString()]);
      done();
    },
    writev(chunks, done) {
      calls.push(chunks.map((c) => (c.chunk as Buffer).toString()));
      done();
    },
  });
  return { stream, calls };
}

/** Writes each part from its own microtask chain, as separate callbacks of one turn do. */
async function writeFromSeparateCallbacks(stream: Writable, parts: string[]): Promise<void> {
  for (const part of parts) {
    stream.write(part);
    await Promise.resolve();
  }
}

const endOfTurn = () => new Promise((resolve) => setImmediate(resolve));

describe('writeOncePerTurn', () => {
  it('passes the writes of one turn down as one, in order', async () => {
    const plain = recordingStream();
    await writeFromSeparateCallbacks(plain.stream, ['a', 'b', 'c']);
    await endOfTurn();
    expect(plain.calls.length).toBeGreaterThan(1); // without it: a write each

    const { stream, calls } = recordingStream();
    writeOncePerTurn(stream);
    await writeFromSeparateCallbacks(stream, ['a', 'b', 'c']);
    await endOfTurn();
    expect(calls).toEqual([['a', 'b', 'c']]);
  });

  it('starts afresh in the next turn, and a second call changes nothing', async () => {
    const { stream, calls } = recordingStream();
    writeOncePerTurn(stream);
    writeOncePerTurn(stream);
    stream.write('1');
    await endOfTurn();
    stream.write('2');
    stream.write('3');
    await endOfTurn();
    expect(calls).toEqual([['1'], ['2', '3']]);
  });

  it('keeps a cork the writer holds itself (mqtt.js corks around a packet)', async () => {
    const { stream, calls } = recordingStream();
    writeOncePerTurn(stream);
    stream.cork();
    stream.write('x');
    await endOfTurn();
    expect(calls).toEqual([]);
    stream.uncork();
    expect(calls).toEqual([['x']]);
  });
});
