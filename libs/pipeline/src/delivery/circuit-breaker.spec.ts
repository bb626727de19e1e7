import { CircuitBreaker } from './circuit-breaker';

const fail = { ok: false as const, retryable: true, message: 'HTTP 503' };
const permanent = { ok: false as const, retryable: false, message: 'HTTP 400' };

describe('CircuitBreaker', () => {
  let now = 0;
  const breaker = () => new CircuitBreaker({ threshold: 3, openMs: 1_000 }, () => now);
  beforeEach(() => (now = 0));

  it('opens after the threshold of consecutive retryable failures, not before', () => {
    const b = breaker();
    b.record(fail);
    b.record(fail);
    expect(b.admit()).toBe(true);
    b.record(fail);
    expect(b.state).toBe('open');
    expect(b.admit()).toBe(false);
    expect(b.lastFailure).toBe('HTTP 503');
  });

  it('does not count permanent failures, and a success resets the count', () => {
    const b = breaker();
    b.record(fail);
    b.record(fail);
    b.record(permanent);
    b.record({ ok: true });
    b.record(fail);
    b.record(fail);
    expect(b.state).toBe('closed');
  });

  it('opens at once when the connector reports itself disconnected', () => {
    const b = breaker();
    b.record(fail, true);
    expect(b.state).toBe('open');
  });

  it('lets exactly one probe through after the open time; its success closes the circuit', () => {
    const b = breaker();
    for (let i = 0; i < 3; i++) b.record(fail);
    now = 999;
    expect(b.admit()).toBe(false);
    now = 1_000;
    expect(b.state).toBe('half-open');
    expect(b.admit()).toBe(true);
    expect(b.admit()).toBe(false);
    b.record({ ok: true });
    expect(b.state).toBe('closed');
    expect(b.admit()).toBe(true);
  });

  it('doubles the open time per failed probe, up to six times the setting', () => {
    const b = breaker();
    for (let i = 0; i < 3; i++) b.record(fail);
    // probes fail at 1 s, then after 2, 4, 6 (capped), 6 s: 1000 + 2000 + 4000 + 6000 = 13000
    const expectedOpen = [2_000, 4_000, 6_000, 6_000];
    now = 1_000;
    for (const open of expectedOpen) {
      expect(b.admit()).toBe(true);
      b.record(fail);
      const start = now;
      now = start + open - 1;
      expect(b.state).toBe('open');
      now = start + open;
      expect(b.state).toBe('half-open');
    }
  });

  it('gives no probe while the connector reports itself disconnected, and stays open', () => {
    const b = breaker();
    for (let i = 0; i < 3; i++) b.record(fail);
    now = 1_000;
    expect(b.admit(true)).toBe(false);
    expect(b.state).toBe('open');
    now = 2_000;
    expect(b.admit(false)).toBe(true);
  });

  it('asks for a health check, once per open period, instead of the probe a disconnected connector does not get', () => {
    let checks = 0;
    const b = new CircuitBreaker({ threshold: 3, openMs: 1_000, onProbeRefused: () => checks++ }, () => now);
    for (let i = 0; i < 3; i++) b.record(fail);
    expect(b.admit(true)).toBe(false);
    expect(checks).toBe(0); // still open: not yet time to probe
    now = 1_000;
    expect(b.admit(true)).toBe(false);
    expect(b.admit(true)).toBe(false);
    expect(checks).toBe(1);
    now = 2_000;
    expect(b.admit(true)).toBe(false);
    expect(checks).toBe(2);
  });

  it('pauses a held-back delivery at least until the circuit may probe again', () => {
    const b = breaker();
    for (let i = 0; i < 3; i++) b.record(fail);
    now = 400;
    const pause = b.pauseMs();
    expect(pause).toBeGreaterThanOrEqual(600);
    expect(pause).toBeLessThanOrEqual(600 + 500);
  });
});
