/** The part of a socket (or any Node Writable) this touches. */
interface CorkableStream {
  write(...args: never[]): boolean;
  cork(): void;
  uncork(): void;
  writableCorked?: number;
}

const patched = new WeakSet<object>();

/**
 * Coalesces a stream's writes into one per event-loop turn: the first write of a turn corks the
 * stream and the end of the turn (`setImmediate`) uncorks it, so the packets that different
 * callbacks of one turn send (publishes of several requests, PUBACKs of several commits) leave in
 * one `writev` instead of one syscall each. mqtt.js corks only around a single packet. On a loopback
 * or LAN socket each write also pays the receiver's TCP work (docs/benchmarks.md). Call it once per
 * connection (mqtt.js makes a new stream when it reconnects); a second call is a no-op.
 *
 * @example client.on('connect', () => writeOncePerTurn(client.stream));
 */
export function writeOncePerTurn(stream: CorkableStream): void {
  if (patched.has(stream)) return;
  patched.add(stream);
  const write = stream.write.bind(stream) as (...args: unknown[]) => boolean;
  let corked = false;
  const uncork = (): void => {
    corked = false;
    stream.uncork();
  };
  stream.write = (...args: unknown[]) => {
    if (!corked) {
      corked = true;
      stream.cork();
      setImmediate(uncork);
    }
    return write(...args);
  };
}
