import { EventEmitter } from 'node:events';
import { ReadGate } from './read-gate';

class FakeStream extends EventEmitter {
  paused = false;
  pause() {
    this.paused = true;
  }
  resume() {
    this.paused = false;
    this.emit('resume');
  }
}

describe('ReadGate', () => {
  it('pauses while any hold is set and resumes when the last is released', () => {
    const stream = new FakeStream();
    const changes: boolean[] = [];
    const gate = new ReadGate((paused) => changes.push(paused));
    gate.attach(stream);
    gate.hold('in-flight');
    gate.hold('rate');
    expect(stream.paused).toBe(true);
    gate.release('in-flight');
    expect(stream.paused).toBe(true);
    gate.release('rate');
    expect(stream.paused).toBe(false);
    expect(changes).toEqual([true, false]);
  });

  it('opens for a keepalive exchange and reports it as forced', () => {
    const stream = new FakeStream();
    const gate = new ReadGate();
    gate.attach(stream);
    gate.hold('in-flight');
    gate.openForPing();
    expect(stream.paused).toBe(false);
    expect(gate.forcedOpen).toBe(true);
    gate.pingAnswered();
    expect(stream.paused).toBe(true);
    expect(gate.forcedOpen).toBe(false);
  });

  it('pauses again when something else resumes the stream during a hold', async () => {
    const stream = new FakeStream();
    const gate = new ReadGate();
    gate.attach(stream);
    gate.hold('stopping');
    stream.resume(); // e.g. a pipe on 'drain'
    await Promise.resolve();
    expect(stream.paused).toBe(true);
  });
});
