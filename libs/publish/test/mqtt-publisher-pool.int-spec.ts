import { createServer, type Server, type Socket } from 'node:net';
import { startEmbeddedBroker, type EmbeddedBroker } from '@sluice/embedded-broker';
import { BrokerUnavailableError, MqttPublisherPool } from '@sluice/publish';
import { PublishRejectedError } from '../src/errors';
import { type PublishMessage } from '../src/request/to-publish-messages';
import mqtt from 'mqtt';
import { eventually, freePort, testNamespace, testServers } from '../../../test/support';

const ns = testNamespace();
const message = (topic: string, payload: string, qos: 0 | 1 | 2 = 1): PublishMessage => ({
  topic,
  payload: Buffer.from(payload),
  qos,
  retain: false,
  properties: undefined,
});

async function failure(promise: Promise<unknown>): Promise<Error> {
  return promise.then(
    () => {
      throw new Error('expected a failure');
    },
    (error: unknown) => error as Error,
  );
}

/**
 * A broker that accepts MQTT 5 connections and then answers each QoS 1 PUBLISH with `pubackReason`,
 * or never when it is undefined: the failures mosquitto cannot be made to show.
 */
async function startFakeBroker(
  pubackReason: number | undefined,
): Promise<{ url: string; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    let connected = false;
    socket.on('data', (data) => {
      if (!connected) {
        connected = true;
        socket.write(Buffer.from([0x20, 0x03, 0x00, 0x00, 0x00])); // CONNACK, success, no properties
        return;
      }
      if ((data[0]! & 0xf0) !== 0x30 || pubackReason === undefined) return;
      // PUBLISH: fixed header, one-byte remaining length (small test packets), topic, packet id
      const topicLength = data.readUInt16BE(2);
      const packetId = data.readUInt16BE(4 + topicLength);
      socket.write(Buffer.from([0x40, 0x03, packetId >> 8, packetId & 0xff, pubackReason]));
    });
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `mqtt://127.0.0.1:${port}`,
    close: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

describe('MqttPublisherPool', () => {
  const pools: MqttPublisherPool[] = [];
  const newPool = (options: ConstructorParameters<typeof MqttPublisherPool>[0] = {}) => {
    const pool = new MqttPublisherPool({ connectTimeoutMs: 1_000, ...options });
    pools.push(pool);
    return pool;
  };
  afterEach(async () => {
    await Promise.all(pools.splice(0).map((pool) => pool.close()));
  });

  it("keeps QoS 1 messages within mosquitto's Receive Maximum without losing or reordering any", async () => {
    const topic = `${ns.topicPrefix}pool/many`;
    const subscriber = await mqtt.connectAsync(testServers.mqttUrl, { protocolVersion: 5 });
    const got: string[] = [];
    subscriber.on('message', (_topic, payload) => got.push(payload.toString()));
    await subscriber.subscribeAsync(topic, { qos: 1 });
    try {
      const lease = await newPool().acquire('tenant', { url: testServers.mqttUrl });
      const count = 300; // far more than the 20 in flight mosquitto allows
      const acks = await Promise.all(
        Array.from({ length: count }, (_, i) => lease.publish(message(topic, `${i}`))),
      );
      expect(acks.every((ack) => ack.reasonCode === 0)).toBe(true);
      await eventually(() => expect(got).toHaveLength(count));
      expect(got).toEqual(Array.from({ length: count }, (_, i) => `${i}`));
    } finally {
      await subscriber.endAsync();
    }
  });

  it('opens the connections of a pool once and shares them between requests', async () => {
    const pool = newPool({ connectionsPerPool: 2 });
    const leases = new Set();
    for (let i = 0; i < 6; i++) leases.add(await pool.acquire('t1', { url: testServers.mqttUrl }));
    // only once both are up does round robin see two; at least one, never more than the pool size
    expect(leases.size).toBeGreaterThanOrEqual(1);
    expect(leases.size).toBeLessThanOrEqual(2);
    const other = await pool.acquire('t2', { url: testServers.mqttUrl });
    expect(leases.has(other)).toBe(false);
  });

  it('closes a pool left idle, and opens it again on the next request', async () => {
    const pool = newPool({ connectionsPerPool: 1, idleCloseMs: 200 });
    const first = await pool.acquire('idle', { url: testServers.mqttUrl });
    // the sweeper runs every second: any 1.5 s without a request holds a sweep that finds the pool
    // idle for over 200 ms, so the next acquire gets a new connection
    await eventually(
      async () => expect(await pool.acquire('idle', { url: testServers.mqttUrl })).not.toBe(first),
      {
        timeoutMs: 5_000,
        intervalMs: 1_500,
      },
    );
  });

  it('speaks MQTT 3.1.1 to a broker that refuses MQTT 5 (the embedded aedes)', async () => {
    const broker = await startEmbeddedBroker({ port: await freePort() });
    try {
      const subscriber = await mqtt.connectAsync(broker.url, { protocolVersion: 4 });
      const got: string[] = [];
      subscriber.on('message', (_topic, payload) => got.push(payload.toString()));
      await subscriber.subscribeAsync('v311/#', { qos: 1 });
      const lease = await newPool({ connectTimeoutMs: 5_000, reconnectPeriodMs: 100 }).acquire(null, {
        url: broker.url,
      });
      await lease.publish(message('v311/x', 'hello'));
      await eventually(() => expect(got).toEqual(['hello']));
      await subscriber.endAsync();
    } finally {
      await broker.close();
    }
  });

  it('reconnects after the broker went away, and answers BROKER_UNAVAILABLE while it is gone', async () => {
    const port = await freePort();
    let broker: EmbeddedBroker = await startEmbeddedBroker({ port });
    try {
      const pool = newPool({ connectTimeoutMs: 400, reconnectPeriodMs: 100, retryAfterSeconds: 3 });
      const target = { url: broker.url };
      await (await pool.acquire('t', target)).publish(message('r/x', 'before'));
      await broker.close();
      await eventually(async () => {
        const error = await failure(pool.acquire('t', target));
        expect(error).toBeInstanceOf(BrokerUnavailableError);
        expect((error as BrokerUnavailableError).retryAfterSeconds).toBe(3);
      });
      broker = await startEmbeddedBroker({ port });
      const lease = await eventually(() => pool.acquire('t', target), { timeoutMs: 10_000 });
      expect((await lease.publish(message('r/x', 'after'))).reasonCode).toBe(0);
    } finally {
      await broker.close();
    }
  });

  it('answers BROKER_UNAVAILABLE when a QoS 1 message is not acknowledged in time', async () => {
    const fake = await startFakeBroker(undefined);
    try {
      const lease = await newPool({ ackTimeoutMs: 300 }).acquire('t', { url: fake.url });
      await lease.publish(message('a', 'qos0', 0)); // QoS 0 needs no acknowledgement
      const error = await failure(lease.publish(message('a', 'qos1')));
      expect(error).toBeInstanceOf(BrokerUnavailableError);
      expect(error.message).toMatch(/no acknowledgement within 300 ms; the message may still be delivered/);
    } finally {
      await fake.close();
    }
  });

  it("passes the broker's refusal on with its reason code (0x87 not authorized is FORBIDDEN)", async () => {
    const fake = await startFakeBroker(0x87);
    try {
      const lease = await newPool().acquire('t', { url: fake.url });
      const error = await failure(lease.publish(message('a', 'x')));
      expect(error).toBeInstanceOf(PublishRejectedError);
      expect(error).toMatchObject({ code: 'PUBLISH_REJECTED', reasonCode: 0x87, category: 'FORBIDDEN' });
    } finally {
      await fake.close();
    }
  });
});
