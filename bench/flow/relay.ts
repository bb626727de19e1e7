/**
 * The hand-written baseline of `npm run bench:flow`: one mqtt.js client (MQTT 5, Nagle off, clean
 * session) that subscribes to `sensors/#`, parses each payload, keeps `temp > 30`, shapes
 * `{device, temp, ts}` and publishes it to `out/alerts` at the same QoS: what a user would write
 * by hand instead of Sluice. It acknowledges an input when its handler returns (mqtt.js's
 * default), not when the republish is acknowledged: a weaker guarantee than Sluice's.
 * Run by the bench as a child process: `RELAY_URL=mqtt://... RELAY_QOS=1 node -r @swc-node/register bench/flow/relay.ts`.
 */
import type { Socket } from 'node:net';
import mqtt from 'mqtt';

const qos = process.env['RELAY_QOS'] === '0' ? 0 : 1;
const client = mqtt.connect(process.env['RELAY_URL'] ?? 'mqtt://127.0.0.1:1883', {
  clientId: `flow-relay-${process.pid}`,
  protocolVersion: 5,
  clean: true,
  reconnectPeriod: 0,
});
client.on('connect', () => (client.stream as unknown as Socket).setNoDelay?.(true));
client.on('error', (error) => {
  console.error(`relay: ${error.message}`);
  process.exit(1);
});
client.on('message', (_topic, payload) => {
  let input: { deviceId?: unknown; temp?: unknown; ts?: unknown };
  try {
    input = JSON.parse(payload.toString()) as typeof input;
  } catch {
    return;
  }
  if (typeof input.temp !== 'number' || !(input.temp > 30)) return;
  const output = JSON.stringify({ device: input.deviceId, temp: input.temp, ts: input.ts });
  client.publish('out/alerts', output, { qos }, (error) => {
    if (error) console.error(`relay: publish failed: ${error.message}`);
  });
});
client.once('connect', () => {
  client.subscribe('sensors/#', { qos }, (error) => {
    if (error) {
      console.error(`relay: subscribe failed: ${error.message}`);
      process.exit(1);
    }
    console.log('ready');
  });
});
process.on('SIGTERM', () => void client.endAsync().then(() => process.exit(0)));
