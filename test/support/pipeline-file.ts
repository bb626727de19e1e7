import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestNamespace } from './test-namespace';

/**
 * Writes the walking skeleton's pipeline (one MQTT source on `<prefix>sensors/#`, `SELECT *`,
 * one HTTP action) into a temp dir and returns its path.
 */
export function writeSkeletonPipeline(ns: TestNamespace, targetUrl: string, sql?: string): string {
  const dir = mkdtempSync(join(tmpdir(), `sluice-${ns.id}-`));
  const filter = `${ns.topicPrefix}sensors/#`;
  const pipeline = {
    tenants: [
      {
        id: `t${ns.id}`,
        sources: [{ id: 'devices', topics: [{ filter, qos: 1 }] }],
        connectors: [{ id: 'webhook', kind: 'http', config: { url: targetUrl } }],
        rules: [
          {
            id: 'all-sensors',
            sql: sql ?? `SELECT * FROM "${filter}"`,
            actions: [{ id: 'post', connector: 'webhook', config: { method: 'POST' } }],
          },
        ],
      },
    ],
  };
  const path = join(dir, 'pipeline.json');
  writeFileSync(path, JSON.stringify(pipeline, null, 2));
  return path;
}
