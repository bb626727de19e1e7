/** The part of a socket (or WebSocket stream) the gate drives. */
export interface PausableStream {
  pause(): unknown;
  resume(): unknown;
  on(event: 'resume', listener: () => void): unknown;
  removeListener(event: 'resume', listener: () => void): unknown;
}

export type HoldReason = 'in-flight' | 'rate' | 'stopping';

/**
 * Pauses reading from a connection's socket while any hold is set (too many messages in flight,
 * over the byte rate, stopping), so TCP pushes back on the broker instead of memory growing.
 *
 * Keepalive must survive a long hold: a paused socket cannot read the PINGRESP, and mqtt.js would
 * drop the connection. So from each PINGREQ until its PINGRESP the gate is forced open
 * (`openForPing`); QoS 0 messages read in that window beyond the in-flight limit are dropped by
 * the caller (see `forcedOpen`), QoS 1/2 ones are bounded by the broker's in-flight window.
 */
export class ReadGate {
  private readonly holds = new Set<HoldReason>();
  private stream?: PausableStream;
  private pingOpen = false;
  private paused = false;
  // why: a pipe resumes its source on 'drain'; re-pause when that undoes our pause
  private readonly onResume = () => {
    if (this.shouldPause() && this.stream) queueMicrotask(() => this.apply());
  };

  constructor(
    private readonly onChange: (paused: boolean, reasons: HoldReason[]) => void = () => undefined,
  ) {}

  /** Follows the stream of a new connection attempt. */
  attach(stream: PausableStream): void {
    this.stream?.removeListener('resume', this.onResume);
    this.stream = stream;
    this.pingOpen = false;
    this.paused = false;
    stream.on('resume', this.onResume);
    this.apply();
  }

  hold(reason: HoldReason): void {
    if (this.holds.has(reason)) return;
    this.holds.add(reason);
    this.apply();
  }

  release(reason: HoldReason): void {
    if (!this.holds.delete(reason)) return;
    this.apply();
  }

  /** Clears every hold: reading goes on whatever is in flight (used once stopping). */
  releaseAll(): void {
    this.holds.clear();
    this.apply();
  }

  isHeld(reason: HoldReason): boolean {
    return this.holds.has(reason);
  }

  /** A PINGREQ went out: read until its PINGRESP whatever the holds say. */
  openForPing(): void {
    this.pingOpen = true;
    this.apply();
  }

  pingAnswered(): void {
    this.pingOpen = false;
    this.apply();
  }

  /** True while reading only because of a keepalive exchange despite a hold. */
  get forcedOpen(): boolean {
    return this.pingOpen && this.holds.size > 0;
  }

  private shouldPause(): boolean {
    return this.holds.size > 0 && !this.pingOpen;
  }

  private apply(): void {
    const stream = this.stream;
    if (!stream) return;
    const pause = this.shouldPause();
    if (pause) stream.pause();
    else if (this.paused) stream.resume();
    if (pause !== this.paused) {
      this.paused = pause;
      this.onChange(pause, [...this.holds]);
    }
  }
}
