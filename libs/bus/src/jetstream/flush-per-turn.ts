import type { NatsConnection } from 'nats';

/** The part of nats.js's protocol handler (v2, `nc.protocol`) this touches. */
interface FlushingProtocol {
  flushPending(): void;
}

/**
 * Makes a NATS connection write to its socket once per event-loop turn instead of once per
 * callback. nats.js writes its outbound buffer in a microtask after the first command, so the
 * acks, pulls and publishes that different callbacks of one turn issue each cost a `write`; on a
 * loopback or LAN socket a write also pays the receiver's TCP work, and the bench:flow profile of
 * ingest and rules showed ~25% of their CPU in those writes (docs/benchmarks.md). Deferring the
 * flush to `setImmediate` sends what one turn produced in one write, a few microseconds later: the
 * same trade as the bus's group commit. `drain()` still sends everything (it flushes with a PING
 * first); `close()` drops what is pending, as nats.js always did.
 *
 * Returns false (and changes nothing) on a nats.js whose protocol handler does not look as expected.
 *
 * @example const nc = await connect(options); flushOncePerTurn(nc);
 */
export function flushOncePerTurn(nc: NatsConnection): boolean {
  const protocol = (nc as unknown as { protocol?: Partial<FlushingProtocol> }).protocol;
  if (typeof protocol?.flushPending !== 'function') return false;
  const flushNow = protocol.flushPending.bind(protocol);
  let scheduled = false;
  const flush = (): void => {
    scheduled = false;
    flushNow();
  };
  protocol.flushPending = () => {
    if (scheduled) return;
    scheduled = true;
    setImmediate(flush);
  };
  return true;
}
