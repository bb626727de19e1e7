import mqtt from 'mqtt';
import { startEmbeddedBroker } from '@sluice/embedded-broker';
import { EmbeddedBrokerError } from '../src/embedded-broker';
import { freePort } from '../../../test/support';

describe('embedded broker', () => {
  it('carries a QoS 1 message from a publisher to a subscriber', async () => {
    const broker = await startEmbeddedBroker({ port: await freePort() });
    const sub = await mqtt.connectAsync(broker.url);
    const pub = await mqtt.connectAsync(broker.url);
    try {
      await sub.subscribeAsync('a/+', { qos: 1 });
      const received = new Promise<[string, string]>((resolve) =>
        sub.once('message', (topic, payload) => resolve([topic, payload.toString()])),
      );
      await pub.publishAsync('a/b', 'hello', { qos: 1 });
      expect(await received).toEqual(['a/b', 'hello']);
    } finally {
      await Promise.all([sub.endAsync(), pub.endAsync()]);
      await broker.close();
    }
  });

  it('names the port and the settings when the port is taken', async () => {
    const first = await startEmbeddedBroker({ port: await freePort() });
    try {
      const attempt = startEmbeddedBroker({ port: first.port });
      await expect(attempt).rejects.toBeInstanceOf(EmbeddedBrokerError);
      await expect(attempt).rejects.toThrow(`port ${first.port} on 127.0.0.1 is in use`);
      await expect(attempt).rejects.toThrow('SLUICE_EMBEDDED_MQTT_PORT');
    } finally {
      await first.close();
    }
  });

  it('listens on a free port instead when asked to and the port is taken', async () => {
    const first = await startEmbeddedBroker({ port: await freePort() });
    const second = await startEmbeddedBroker({ port: first.port, fallbackToFreePort: true });
    try {
      expect(second.portInUse).toBe(first.port);
      expect(second.port).not.toBe(first.port);
      expect(second.url).toBe(`mqtt://127.0.0.1:${second.port}`);
      // why a round trip: the fallback broker must really serve, not only report a port
      const sub = await mqtt.connectAsync(second.url);
      const pub = await mqtt.connectAsync(second.url);
      try {
        await sub.subscribeAsync('f/+', { qos: 1 });
        const received = new Promise<string>((resolve) => sub.once('message', (topic) => resolve(topic)));
        await pub.publishAsync('f/1', 'x', { qos: 1 });
        expect(await received).toBe('f/1');
      } finally {
        await Promise.all([sub.endAsync(), pub.endAsync()]);
      }
    } finally {
      await second.close();
      await first.close();
    }
  });

  it('keeps the port it was given when that port is free, even with the fallback on', async () => {
    const port = await freePort();
    const broker = await startEmbeddedBroker({ port, fallbackToFreePort: true });
    try {
      expect(broker.port).toBe(port);
      expect(broker.portInUse).toBeUndefined();
    } finally {
      await broker.close();
    }
  });
});
