import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';

export interface TestNamespace {
  /** Short unique id for this test file. */
  id: string;
  /** Prefix for JetStream stream names and NATS subjects: `T_<id>_`. */
  streamPrefix: string;
  /** Prefix for MQTT topics: `t/<id>/`. */
  topicPrefix: string;
  /** A Postgres schema name owned by this file. */
  pgSchema: string;
}

/**
 * Isolates one test file from every other one running on the same servers.
 *
 * @example const ns = testNamespace(); const topic = `${ns.topicPrefix}sensors/d1`;
 */
export function testNamespace(): TestNamespace {
  const id = randomBytes(4).toString('hex');
  return { id, streamPrefix: `T_${id}_`, topicPrefix: `t/${id}/`, pgSchema: `t_${id}` };
}

/** A TCP port that was free a moment ago on 127.0.0.1. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Connection settings of the servers on this machine (see scripts/ensure-services.sh). */
export const testServers = {
  natsUrl: process.env['SLUICE_TEST_NATS_URL'] ?? 'nats://127.0.0.1:4222',
  mqttUrl: process.env['SLUICE_TEST_MQTT_URL'] ?? 'mqtt://127.0.0.1:1883',
  postgresUrl: process.env['SLUICE_TEST_PG_URL'] ?? 'postgres://sluice:sluice@127.0.0.1:5432/sluice_test',
  mysqlUrl: process.env['SLUICE_TEST_MYSQL_URL'] ?? 'mysql://sluice:sluice@127.0.0.1:3306/sluice_test',
  redisUrl: process.env['SLUICE_TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379',
  amqpUrl: process.env['SLUICE_TEST_AMQP_URL'] ?? 'amqp://guest:guest@127.0.0.1:5672',
} as const;
