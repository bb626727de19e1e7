import type { Socket } from 'node:net';
import mqtt, { type MqttClient } from 'mqtt';
import { delay } from './measure';

/**
 * Connects a plain mqtt.js client (MQTT 3.1.1, so mosquitto's v5 Receive Maximum of 20 does not
 * apply) with Nagle off on its socket: docs/benchmarks.md measured Nagle halving QoS 0 throughput.
 */
export async function connectClient(url: string, clientId: string): Promise<MqttClient> {
  const client = mqtt.connect(url, { clientId, protocolVersion: 4, clean: true, reconnectPeriod: 0 });
  client.on('connect', () => (client.stream as unknown as Socket).setNoDelay?.(true));
  await new Promise<void>((done, fail) => {
    client.once('connect', () => done());
    client.once('error', fail);
  });
  return client;
}

/** Small JSON telemetry (~55 bytes) carrying its send time; half the messages pass `temp > 20`. */
export function telemetry(seq: number): Buffer {
  const temp = seq % 2 === 0 ? 25 + (seq % 7) / 10 : 15 + (seq % 7) / 10;
  return Buffer.from(`{"dev":"d${seq % 100}","temp":${temp},"hum":40,"ts":${Date.now()}}`);
}

export interface LoopResult {
  /** Messages per second arrived during the measured window. */
  rate: number;
  measuredSeconds: number;
  sent: number;
  arrived: number;
  /** Messages given up on after 2 s without progress (so the loop goes on). */
  presumedLost: number;
}

/**
 * Closed loop: keeps at most `window` messages sent but not yet arrived, for `warmupSeconds` and
 * then `seconds` measured. `arrived()` is whatever end the caller counts (a subscriber, a target).
 * The caller calls the returned `kick` on every arrival so the loop refills without a timer's delay.
 */
export function closedLoop(options: {
  window: number;
  publish: (seq: number) => void;
  arrived: () => number;
}): { kick: () => void; run: (warmupSeconds: number, seconds: number) => Promise<LoopResult> } {
  let sent = 0;
  let running = false;
  // Messages presumed lost (QoS 0 may drop): without this a lossy path would stall the loop.
  let lost = 0;
  let lastArrived = -1;
  let lastProgress = performance.now();
  const kick = (): void => {
    if (!running) return;
    const arrived = options.arrived();
    const now = performance.now();
    if (arrived !== lastArrived) {
      lastArrived = arrived;
      lastProgress = now;
    } else if (now - lastProgress > 2000 && sent - arrived - lost > 0) {
      lost = sent - arrived;
      lastProgress = now;
    }
    while (sent - arrived - lost < options.window) options.publish(sent++);
  };
  const run = async (warmupSeconds: number, seconds: number): Promise<LoopResult> => {
    running = true;
    const timer = setInterval(kick, 2);
    kick();
    await delay(warmupSeconds * 1000);
    const start = performance.now();
    const arrivedAtStart = options.arrived();
    await delay(seconds * 1000);
    const arrived = options.arrived() - arrivedAtStart;
    const measuredSeconds = (performance.now() - start) / 1000;
    running = false;
    clearInterval(timer);
    return {
      rate: arrived / measuredSeconds,
      measuredSeconds,
      sent,
      arrived: options.arrived(),
      presumedLost: lost,
    };
  };
  return { kick, run };
}

/**
 * Open loop: publishes at `rate` messages per second for `seconds`, in 5 ms slices, regardless of
 * what arrives (so a slow pipeline shows as latency, not as a lower send rate). Returns how many
 * were sent.
 */
export async function paced(rate: number, seconds: number, publish: (seq: number) => void): Promise<number> {
  const start = performance.now();
  let sent = 0;
  const total = Math.round(rate * seconds);
  while (sent < total) {
    const due = Math.min(total, Math.floor(((performance.now() - start) / 1000) * rate));
    while (sent < due) publish(sent++);
    await delay(5);
  }
  return sent;
}

/** Waits until `done()` or `timeoutMs` passes; returns whether it finished. */
export async function waitFor(done: () => boolean, timeoutMs: number): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > until) return false;
    await delay(20);
  }
  return true;
}

/**
 * Plain mqtt.js publisher → broker → plain mqtt.js subscriber on `topic`, closed loop with at most
 * 1000 outstanding (as docs/benchmarks.md measured): the ceiling Sluice is compared with. `topic` is the
 * subscription (may be `$share/<group>/...`), `publishTopic` where the messages go.
 */
export async function plainCeiling(
  url: string,
  topic: string,
  qos: 0 | 1,
  warmupSeconds: number,
  seconds: number,
  publishTopic = topic,
): Promise<LoopResult> {
  const id = `${publishTopic.replace(/\W/g, '')}-${qos}`;
  const subscriber = await connectClient(url, `bench-sub-${id}`);
  const publisher = await connectClient(url, `bench-pub-${id}`);
  let received = 0;
  const loop = closedLoop({
    window: 1000,
    publish: (seq) => publisher.publish(publishTopic, telemetry(seq), { qos }),
    arrived: () => received,
  });
  subscriber.on('message', () => {
    received++;
    if ((received & 63) === 0) loop.kick();
  });
  await subscriber.subscribeAsync(topic, { qos });
  try {
    return await loop.run(warmupSeconds, seconds);
  } finally {
    await publisher.endAsync(true);
    await subscriber.endAsync(true);
  }
}

/**
 * Ends the persistent broker session ingest left behind (client id
 * `<prefix>-<tenant>-<source>-<n>`), so benchmark runs do not pile up sessions on the shared
 * Mosquitto: a clean-start connect with session expiry 0 discards it.
 */
export async function endSession(url: string, clientId: string): Promise<void> {
  const client = mqtt.connect(url, { clientId, protocolVersion: 5, clean: true, reconnectPeriod: 0 });
  await new Promise<void>((done, fail) => {
    client.once('connect', () => done());
    client.once('error', fail);
  });
  await client.endAsync();
}
