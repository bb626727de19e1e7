/**
 * A token bucket over bytes read (one second of burst). When the bucket runs dry it reports
 * `over = true`, and `false` once enough time has passed to pay the debt back.
 */
export class RateLimiter {
  private tokens: number;
  private last = Date.now();
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly bytesPerSecond: number,
    private readonly onChange: (over: boolean) => void,
  ) {
    this.tokens = bytesPerSecond;
  }

  consume(bytes: number): void {
    this.refill();
    this.tokens -= bytes;
    if (this.tokens < 0 && !this.timer) {
      this.onChange(true);
      this.schedule();
    }
  }

  close(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(): void {
    const waitMs = Math.max(1, Math.ceil((-this.tokens / this.bytesPerSecond) * 1000));
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.refill();
      if (this.tokens < 0) this.schedule();
      else this.onChange(false);
    }, waitMs);
  }

  private refill(): void {
    const now = Date.now();
    this.tokens = Math.min(
      this.bytesPerSecond,
      this.tokens + ((now - this.last) / 1000) * this.bytesPerSecond,
    );
    this.last = now;
  }
}
