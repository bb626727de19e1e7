import type { IClientOptions } from 'mqtt';
import type { MqttSourceConfig } from './mqtt-source.config';

/** mqtt.js options for one connection of a source. */
export function clientOptions(c: MqttSourceConfig, clientId: string): IClientOptions {
  const options: IClientOptions = {
    clientId,
    protocolVersion: c.protocolVersion,
    protocolId: c.protocolVersion === 3 ? 'MQIsdp' : 'MQTT',
    clean: c.clean,
    keepalive: c.keepalive,
    reconnectPeriod: c.reconnectPeriodMs,
    connectTimeout: c.connectTimeoutMs,
    resubscribe: false,
    manualConnect: true,
    // why: mqtt.js logs through `debug` several times per packet; even disabled that costs ~1% of
    // ingest's CPU (bench:ingest profile), and its messages are for debugging mqtt.js itself
    log: () => undefined,
  };
  if (c.username !== undefined) options.username = c.username;
  if (c.password !== undefined) options.password = c.password;
  if (c.tls) {
    options.rejectUnauthorized = c.tls.rejectUnauthorized;
    if (c.tls.ca) options.ca = c.tls.ca;
    if (c.tls.cert) options.cert = c.tls.cert;
    if (c.tls.key) options.key = c.tls.key;
  }
  if (c.protocolVersion === 5) {
    options.properties = {
      sessionExpiryInterval: c.clean ? 0 : c.sessionExpiryInterval,
      receiveMaximum: c.maxInFlight,
    };
  }
  return options;
}
