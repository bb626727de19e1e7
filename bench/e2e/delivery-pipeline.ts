import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * The delivery benchmark's pipeline: one tenant with a PostgreSQL, an HTTP and a core NATS
 * connector, each with one action of rule `bench` (the action id is the connector id) at the
 * connectors' defaults. Delivery never evaluates the rule; it only needs the actions. Returns the
 * file's path.
 */
export function writeDeliveryPipeline(o: {
  id: string;
  tenant: string;
  pgUrl: string;
  pgTable: string;
  httpUrl: string;
  natsUrl: string;
  natsSubject: string;
}): string {
  const connectors = [
    { id: 'postgres', kind: 'postgres', config: { url: o.pgUrl } },
    { id: 'http', kind: 'http', config: { url: o.httpUrl } },
    { id: 'nats', kind: 'nats', config: { servers: o.natsUrl } },
  ];
  const actions = [
    {
      id: 'postgres',
      connector: 'postgres',
      config: {
        sql: `INSERT INTO ${o.pgTable} (id, dev, temp, ts) VALUES (\${id}, \${dev}, \${temp}, \${ts}) ON CONFLICT (id) DO NOTHING`,
      },
    },
    { id: 'http', connector: 'http', config: { method: 'POST', path: '/bench' } },
    { id: 'nats', connector: 'nats', config: { subject: o.natsSubject } },
  ];
  const pipeline = {
    tenants: [
      {
        id: o.tenant,
        connectors,
        rules: [{ id: 'bench', sql: `SELECT * FROM "bench/${o.id}/#"`, actions }],
      },
    ],
  };
  const path = join(mkdtempSync(join(tmpdir(), `sluice-bench-delivery-${o.id}-`)), 'pipeline.json');
  writeFileSync(path, JSON.stringify(pipeline, null, 2));
  return path;
}
