import mqtt from 'mqtt';
import { startEmbeddedBroker, EmbeddedBrokerError } from '@sluice/embedded-broker';
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
});
