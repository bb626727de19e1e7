import { connect as netConnect, type LookupFunction } from 'node:net';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';

const defaultPorts: Readonly<Record<string, number>> = {
  mqtt: 1883,
  tcp: 1883,
  mqtts: 8883,
  ssl: 8883,
  tls: 8883,
  ws: 80,
  wss: 443,
};

/**
 * `mqtt.connect`, with every socket to the broker resolved by `lookupFor(port)` when given: a
 * lookup that checks the addresses it answers (a tenant's target policy), so the client connects
 * only where the check looked, also on each reconnect (DNS rebinding). mqtt.js takes a `lookup` for
 * TLS (it spreads its options into `tls.connect`) and WebSocket (`wsOptions` reach the HTTP
 * request); its plain TCP stream passes only host and port to `net.createConnection`, so that
 * stream is built here. Without `lookupFor` it is `mqtt.connect` as it is.
 *
 * @example connectMqtt('mqtt://broker.example:1883', { clientId }, (port) => policy.lookupFor(port));
 */
export function connectMqtt(
  url: string,
  options: IClientOptions,
  lookupFor?: (port: number) => LookupFunction,
): MqttClient {
  if (!lookupFor) return mqtt.connect(url, options);
  const parsed = new URL(url);
  const protocol = parsed.protocol.replace(/:$/, '');
  const port = Number(parsed.port) || defaultPorts[protocol];
  if (port === undefined) throw new Error(`MQTT URL scheme '${protocol}:' is not supported here`);
  const lookup = lookupFor(port);
  if (protocol === 'ws' || protocol === 'wss') {
    return mqtt.connect(url, { ...options, wsOptions: { ...options.wsOptions, lookup } });
  }
  if (protocol !== 'mqtt' && protocol !== 'tcp') {
    return mqtt.connect(url, { ...options, lookup } as IClientOptions);
  }
  const host = parsed.hostname.replace(/^\[|\]$/g, '');
  const client = new mqtt.MqttClient(() => netConnect({ host, port, lookup }), {
    ...options,
    protocol: 'mqtt',
    host,
    hostname: host,
    port,
    username: options.username ?? (parsed.username ? decodeURIComponent(parsed.username) : undefined),
    password: options.password ?? (parsed.password ? decodeURIComponent(parsed.password) : undefined),
  });
  // as mqtt.connect does: an error without a listener must not end the process
  client.on('error', () => undefined);
  return client;
}
