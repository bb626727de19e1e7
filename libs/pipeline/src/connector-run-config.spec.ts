import { connectorRunConfig, connectorRunProblems } from './connector-run-config';

const broker = { url: 'mqtt://broker.internal:1883', username: 'sluice', password: 'operator-secret' };

describe('connectorRunConfig', () => {
  it("runs an MQTT connector without url on the operator's broker, in the tenant's namespace", () => {
    const run = connectorRunConfig(
      'acme',
      'acme/',
      { id: 'out', kind: 'mqtt', config: { poolSize: 2 } },
      broker,
    );
    expect(run.onOperatorBroker).toBe(true);
    expect(run.config).toMatchObject({
      url: 'mqtt://broker.internal:1883',
      username: 'sluice',
      password: 'operator-secret',
      mountpoint: 'acme/',
      poolSize: 2,
    });
    expect(run.config['clientId']).toMatch(/^sluice-delivery-[0-9a-f]{12}$/);
    // a stable client id per connector, another per tenant
    const again = connectorRunConfig('acme', 'acme/', { id: 'out', kind: 'mqtt', config: {} }, broker);
    const other = connectorRunConfig('evil', 'evil/', { id: 'out', kind: 'mqtt', config: {} }, broker);
    expect(again.config['clientId']).toBe(run.config['clientId']);
    expect(other.config['clientId']).not.toBe(run.config['clientId']);
  });

  it("never takes a definition's mountpoint, login or client id for the operator's broker", () => {
    const run = connectorRunConfig(
      'acme',
      'acme/',
      {
        id: 'out',
        kind: 'mqtt',
        config: { mountpoint: 'other/', username: 'x', password: 'y', clientId: 'sluice-ingest-0', tls: {} },
      },
      broker,
    );
    expect(run.config).toMatchObject({
      mountpoint: 'acme/',
      username: 'sluice',
      password: 'operator-secret',
    });
    expect(run.config['clientId']).not.toBe('sluice-ingest-0');
    expect(run.config['tls']).toBeUndefined();
  });

  it('leaves a connector with its own url to its own login, without a mountpoint', () => {
    const config = { url: 'mqtt://own.example', username: 'me', mountpoint: 'other/' };
    const run = connectorRunConfig('acme', 'acme/', { id: 'out', kind: 'mqtt', config }, broker);
    expect(run).toEqual({
      config: { url: 'mqtt://own.example', username: 'me' },
      onOperatorBroker: false,
    });
  });

  it('changes nothing of other kinds, and nothing without an operator broker', () => {
    const http = { url: 'http://x.example' };
    expect(connectorRunConfig('acme', 'acme/', { id: 'h', kind: 'http', config: http }, broker).config).toBe(
      http,
    );
    expect(connectorRunConfig('acme', 'acme/', { id: 'm', kind: 'mqtt', config: {} }, undefined)).toEqual({
      config: {},
      onOperatorBroker: false,
    });
  });

  it("names what a tenant may not set: the mountpoint, and the shared broker's login", () => {
    expect(connectorRunProblems('mqtt', { mountpoint: 'a/', username: 'u' }).map((p) => p.field)).toEqual([
      'mountpoint',
      'username',
    ]);
    expect(connectorRunProblems('mqtt', { url: 'mqtt://own.example', username: 'u' })).toEqual([]);
    expect(connectorRunProblems('http', { mountpoint: 'a/' })).toEqual([]);
  });
});
