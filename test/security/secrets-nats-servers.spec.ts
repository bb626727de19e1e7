import { PERSISTENCE_DATA_SOURCE } from '@sluice/persistence';
import type { DataSource } from 'typeorm';
import {
  CONNECTOR_FIELDS,
  createConnector,
  failure,
  ok,
  storedDefinition,
  tenantWithKey,
} from '../../services/gateway/test/graphql-fixture';
import { startGraphqlApp } from '../../services/gateway/test/graphql-test-app';

// Finding (issue 14, "Secrets stay sealed"): a NATS connector's `servers` URLs kept their
// credentials (nats://user:password@host, nats://token@host) unsealed in the database and returned
// them to the API; moving such a connector to another host carried them along.
describe("credentials inside a NATS connector's servers URLs", () => {
  let t: Awaited<ReturnType<typeof startGraphqlApp>>;
  let tenant: Awaited<ReturnType<typeof tenantWithKey>>;

  beforeAll(async () => {
    t = await startGraphqlApp('sqlite');
    tenant = await tenantWithKey(t, 'natsy');
  });
  afterAll(async () => {
    await t.close();
    await t.dispose();
  });

  const servers = ['nats://app:Pw-s3cret@nats-a.invalid:4222', 'tls://T0ken-s3cret@nats-b.invalid:4222'];

  it('are sealed at rest, never returned, and given back only to the services', async () => {
    const created = ok(
      await createConnector(t, tenant.key, { name: 'nats-out', kind: 'nats', config: { servers } }),
    ).createConnector;
    expect(created.config).toEqual({
      servers: ['nats://nats-a.invalid:4222', 'tls://nats-b.invalid:4222'],
    });
    expect(created.secretsSet).toEqual(['servers.0.credentials', 'servers.1.credentials']);
    const ds = t.app.get<DataSource>(PERSISTENCE_DATA_SOURCE);
    const rows = JSON.stringify(await ds.query('SELECT * FROM connectors'));
    expect(rows).not.toContain('Pw-s3cret');
    expect(rows).not.toContain('T0ken-s3cret');
    const listed = JSON.stringify(
      ok(await t.gql(tenant.key, `{ connectors { nodes { ${CONNECTOR_FIELDS} } } }`)),
    );
    expect(listed).not.toContain('s3cret');
    // what the services run has them back
    const definition = await storedDefinition(t, tenant.id);
    expect(definition?.connectors.find((c) => c.id === created.id)?.config).toMatchObject({ servers });
  });

  it('moving the connector to another host needs them again', async () => {
    const { id, version } = ok(
      await createConnector(t, tenant.key, {
        name: 'nats-move',
        kind: 'nats',
        config: { servers: 'nats://app:Pw-s3cret@nats-a.invalid:4222' },
      }),
    ).createConnector as { id: string; version: number };
    const update = (config: Record<string, unknown>, clearSecrets?: string[]) =>
      t.gql(
        tenant.key,
        `mutation($i: UpdateConnectorInput!) { updateConnector(input: $i) { ${CONNECTOR_FIELDS} } }`,
        { i: { id, version, config, clearSecrets } },
      );
    const error = failure(await update({ servers: 'nats://elsewhere.invalid:4222' }));
    expect(error.code).toBe('BAD_USER_INPUT');
    expect(error.message).toMatch(/give servers\.0\.credentials again/);
    // the same host keeps the stored password
    const same = ok(await update({ servers: 'nats://nats-a.invalid:4222', name: 'renamed' })) as {
      updateConnector: { secretsSet: string[]; version: number };
    };
    expect(same.updateConnector.secretsSet).toEqual(['servers.0.credentials']);
  });
});
