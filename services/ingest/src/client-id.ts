import { createHash } from 'node:crypto';
/**
 * A stable MQTT client id prefix per replica and source: the same after a restart (so the
 * persistent session resumes), short enough for brokers' limits even with UUID ids.
 */
export function clientIdPrefix(replicaPrefix: string, tenantId: string, sourceId: string): string {
  const digest = createHash('sha256').update(`${tenantId}/${sourceId}`).digest('hex').slice(0, 12);
  return `${replicaPrefix}-${digest}`;
}
