import type { IPublishPacket } from 'mqtt';
import { unmount } from '@sluice/sources';
import { compileTopicPattern } from './topic-pattern';
import { publishToMessage } from './mqtt/publish-to-message';

describe('mountpoints', () => {
  it('unmount takes the namespace off, and leaves other topics alone', () => {
    expect(unmount('acme/', 'acme/sensors/1')).toBe('sensors/1');
    expect(unmount('acme/', 'other/sensors/1')).toBe('other/sensors/1');
    expect(unmount(undefined, 'acme/sensors/1')).toBe('acme/sensors/1');
  });

  it('a message arrives in the tenant view: topic, response topic, topic pattern', () => {
    const packet = {
      cmd: 'publish',
      topic: 'acme/devices/d7/telemetry',
      payload: Buffer.from('{}'),
      qos: 1,
      retain: false,
      dup: false,
      properties: { responseTopic: 'acme/devices/d7/reply' },
    } as IPublishPacket;
    const message = publishToMessage(packet, 'id', 0, {
      mountpoint: 'acme/',
      topicPattern: compileTopicPattern('devices/{clientid}/telemetry'),
    });
    expect(message).toMatchObject({
      topic: 'devices/d7/telemetry',
      clientid: 'd7',
      properties: { responseTopic: 'devices/d7/reply' },
    });
  });
});
