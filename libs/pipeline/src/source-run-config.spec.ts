import {
  checkSourceRunConfig,
  clientIdPrefix,
  sourceRunConfig,
  type SourceDefaults,
  type SourceDefinition,
} from '@sluice/pipeline';
import { sourceShareGroup } from './source-run-config';

const defaults: SourceDefaults = {
  mqttUrl: 'mqtt://shared-broker:1883',
  mqttUsername: 'operator',
  mqttPassword: 'operator-secret',
  mqttProtocolVersion: 5,
  shareGroup: 'sluice',
  clientIdPrefix: 'sluice-ingest',
  connections: 1,
  maxInFlight: 256,
};
const mqtt = (options: Record<string, unknown>): SourceDefinition => ({
  id: 'devices',
  kind: 'mqtt',
  topics: [{ filter: 'a/#', qos: 1 }],
  ...options,
});

describe('clientIdPrefix and sourceShareGroup', () => {
  it('are stable for a source and differ between sources and tenants', () => {
    expect(clientIdPrefix('sluice-ingest', 'acme', 'devices')).toBe(
      clientIdPrefix('sluice-ingest', 'acme', 'devices'),
    );
    expect(clientIdPrefix('sluice-ingest', 'acme', 'devices')).not.toBe(
      clientIdPrefix('sluice-ingest', 'acme', 'plant'),
    );
    expect(sourceShareGroup('sluice', 'acme', 'devices')).not.toBe(
      sourceShareGroup('sluice', 'other', 'devices'),
    );
  });

  it('stay within the 60 characters a source allows, with UUID ids', () => {
    const uuid = '3f1c9a52-7d1e-4b8a-9c55-0a1b2c3d4e5f';
    expect(clientIdPrefix('sluice-ingest-0', uuid, uuid)).toMatch(/^sluice-ingest-0-[0-9a-f]{12}$/);
    expect(sourceShareGroup('sluice', uuid, uuid)).toMatch(/^sluice-[0-9a-f]{12}$/);
  });
});

describe('sourceRunConfig (MQTT)', () => {
  it("sends the operator's credentials only to the operator's broker", () => {
    const shared = sourceRunConfig('acme', undefined, mqtt({}), defaults) as Record<string, unknown>;
    expect(shared).toMatchObject({
      url: defaults.mqttUrl,
      username: 'operator',
      password: 'operator-secret',
    });
    const own = sourceRunConfig('acme', undefined, mqtt({ url: 'mqtt://tenant.example:1883' }), defaults);
    expect(own).toMatchObject({ url: 'mqtt://tenant.example:1883' });
    expect(own).not.toHaveProperty('username');
    expect(own).not.toHaveProperty('password');
    const ownWithCredentials = sourceRunConfig(
      'acme',
      undefined,
      mqtt({ url: 'mqtt://tenant.example:1883', username: 'me', password: 'mine' }),
      defaults,
    );
    expect(ownWithCredentials).toMatchObject({ username: 'me', password: 'mine' });
  });

  it('derives client ids, share group and session from the ids, whatever the definition says', () => {
    const config = sourceRunConfig(
      'acme',
      undefined,
      mqtt({ clientIdPrefix: 'victim', shareGroup: 'victims', clean: true, sessionExpiryInterval: 1 }),
      defaults,
    );
    expect(config).toMatchObject({
      clientIdPrefix: clientIdPrefix('sluice-ingest', 'acme', 'devices'),
      shareGroup: sourceShareGroup('sluice', 'acme', 'devices'),
      clean: false,
    });
    expect(config).not.toHaveProperty('sessionExpiryInterval');
  });

  it('keeps plain subscriptions when the source or the broker asks for them', () => {
    expect(sourceRunConfig('acme', undefined, mqtt({ shareGroup: false }), defaults)).toMatchObject({
      shareGroup: null,
    });
    expect(sourceRunConfig('acme', undefined, mqtt({}), { ...defaults, shareGroup: null })).toMatchObject({
      shareGroup: null,
    });
  });

  it("applies the tenant's mountpoint on the shared broker only", () => {
    expect(sourceRunConfig('acme', 'acme/', mqtt({}), defaults)).toMatchObject({ mountpoint: 'acme/' });
    expect(sourceRunConfig('acme', 'acme/', mqtt({ url: 'mqtt://own:1883' }), defaults)).not.toHaveProperty(
      'mountpoint',
    );
  });
});

describe('checkSourceRunConfig', () => {
  it("refuses a NATS source without a server: the mesh's NATS is no default", () => {
    const nats = { id: 's', kind: 'nats' as const, topics: [{ filter: 'a.>', qos: 1 as const }] };
    expect(checkSourceRunConfig('acme', undefined, nats, defaults)).toEqual([
      { field: 'url', problem: expect.stringMatching(/no default/) as unknown },
    ]);
    expect(sourceRunConfig('acme', undefined, nats, defaults)).not.toHaveProperty('servers');
    expect(checkSourceRunConfig('acme', undefined, { ...nats, url: 'nats://own:4222' }, defaults)).toEqual(
      [],
    );
  });

  it('refuses what Sluice decides and credentials for the shared broker', () => {
    const problems = checkSourceRunConfig(
      'acme',
      undefined,
      mqtt({ clientIdPrefix: 'x', shareGroup: 'g', clean: true, username: 'u' }),
      defaults,
    );
    expect(problems.map((p) => p.field).sort()).toEqual([
      'clean',
      'clientIdPrefix',
      'shareGroup',
      'username',
    ]);
  });

  it("finds what the kind's parser refuses (the gateway used to accept it and ingest could not run it)", () => {
    expect(checkSourceRunConfig('acme', undefined, mqtt({ keepalive: 0 }), defaults)).toEqual([
      { field: 'keepalive', problem: 'expected at least 1' },
    ]);
    expect(checkSourceRunConfig('acme', undefined, mqtt({ unknownOption: 1 }), defaults)).toEqual([
      { field: '(root)', problem: 'unknown field(s) unknownOption' },
    ]);
    expect(
      checkSourceRunConfig('acme', undefined, mqtt({ topics: [{ filter: 'a/#/b', qos: 1 }] }), defaults),
    ).toEqual([{ field: 'topics.0.filter', problem: "'#' must be the last level and stand alone" }]);
  });

  it('accepts a plain source and one on its own broker with its own credentials', () => {
    expect(checkSourceRunConfig('acme', undefined, mqtt({}), defaults)).toEqual([]);
    expect(
      checkSourceRunConfig(
        'acme',
        undefined,
        mqtt({ url: 'mqtt://own:1883', username: 'u', password: 'p', shareGroup: false }),
        defaults,
      ),
    ).toEqual([]);
  });
});
