import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parsePipelineDefinition } from '@sluice/pipeline';
import { loadPipelineFile, PipelineDefinitionError } from './pipeline-definition';

const valid = {
  tenants: [
    {
      id: 'acme',
      sources: [{ id: 'devices', topics: [{ filter: 'sensors/#' }] }],
      connectors: [{ id: 'webhook', kind: 'http', config: { url: 'http://127.0.0.1:8080' } }],
      rules: [{ id: 'r1', sql: 'SELECT * FROM "sensors/#"', actions: [{ id: 'a1', connector: 'webhook' }] }],
    },
  ],
};

describe('pipeline definition', () => {
  it('fills defaults: QoS 1, enabled rules, empty configs', () => {
    const def = parsePipelineDefinition(valid);
    const tenant = def.tenants[0]!;
    expect(tenant.sources[0]!.topics[0]!.qos).toBe(1);
    expect(tenant.rules[0]!.enabled).toBe(true);
    expect(tenant.rules[0]!.actions[0]!.config).toEqual({});
  });

  it('rejects an action naming a connector the tenant does not have, with its path', () => {
    const bad = structuredClone(valid);
    bad.tenants[0]!.rules[0]!.actions[0]!.connector = 'kafka1';
    expect(() => parsePipelineDefinition(bad)).toThrow(PipelineDefinitionError);
    expect(() => parsePipelineDefinition(bad)).toThrow(
      "tenants.0.rules.0.actions.0.connector: unknown connector 'kafka1' (tenant 'acme' has: webhook)",
    );
  });

  it('rejects ids that cannot be NATS subject tokens', () => {
    const bad = structuredClone(valid);
    bad.tenants[0]!.id = 'a.b';
    expect(() => parsePipelineDefinition(bad)).toThrow(/tenants\.0\.id: expected 1-64 letters/);
  });

  it('rejects a source without topics and a QoS that MQTT does not have', () => {
    const bad = structuredClone(valid) as { tenants: { sources: unknown[] }[] };
    bad.tenants[0]!.sources = [{ id: 's', topics: [] }];
    expect(() => parsePipelineDefinition(bad)).toThrow(/tenants\.0\.sources\.0\.topics/);
    bad.tenants[0]!.sources = [{ id: 's', topics: [{ filter: 'a', qos: 3 }] }];
    expect(() => parsePipelineDefinition(bad)).toThrow(/tenants\.0\.sources\.0\.topics\.0\.qos/);
  });

  it('loads a file and says clearly when it cannot', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-pipeline-'));
    const file = join(dir, 'p.json');
    writeFileSync(file, JSON.stringify(valid));
    expect(loadPipelineFile(file).tenants[0]!.id).toBe('acme');
    expect(() => loadPipelineFile(join(dir, 'missing.json'))).toThrow(/Cannot read pipeline file/);
    writeFileSync(file, '{');
    expect(() => loadPipelineFile(file)).toThrow(/is not JSON/);
  });
});
