import type { MqttClient } from 'mqtt';

/** CONNACK codes of a broker that refuses the protocol version: 3.1.1 return code 1, MQTT 5 reason 0x84. */
const unsupportedVersion = new Set([1, 0x84]);

/** Whether `error` is a broker's refusal of the MQTT protocol version the client asked for. */
export function refusesProtocolVersion(error: unknown): boolean {
  const code = (error as { code?: unknown } | null | undefined)?.code;
  return typeof code === 'number' && unsupportedVersion.has(code);
}

/**
 * MQTT 5 by default, 3.1.1 with a broker that refuses 5 (the embedded broker, aedes, speaks 3.1.1
 * only). Call it from the client's `error` listener of a client that asked for MQTT 5 without the
 * operator having chosen the version: on a refusal of version 5 it switches the client to 3.1.1 and
 * reconnects at once (unless mqtt.js reconnects by itself after a refused CONNACK), and returns true,
 * so the caller can take the error as part of connecting rather than a failure. 3.1.1 carries no
 * MQTT 5 properties: the caller drops them (`client.options.protocolVersion` says which it speaks).
 *
 * @example
 * client.on('error', (error) => {
 *   if (!versionChosen && fallBackToMqtt311(client, error)) return;
 *   markDisconnected(error.message);
 * });
 */
export function fallBackToMqtt311(client: MqttClient, error: unknown): boolean {
  if (client.options.protocolVersion !== 5 || !refusesProtocolVersion(error)) return false;
  client.options.protocolVersion = 4;
  // why: a refused CONNACK ends the client unless reconnectOnConnackError is set
  if (!client.options.reconnectOnConnackError) client.reconnect();
  return true;
}
