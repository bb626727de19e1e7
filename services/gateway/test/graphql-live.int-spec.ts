import { ComponentState, createSubjects, encodeComponentStatus } from '@sluice/bus';
import { eventually, testNamespace } from '../../../test/support';
import { createConnector, httpConnector, ok, tenantWithKey } from './graphql-fixture';
import { startGraphqlApp } from './graphql-test-app';

// Statuses live in memory (no database), so one database is enough here.
describe('live connection states of sources and connectors', () => {
  const ns = testNamespace();
  let t: Awaited<ReturnType<typeof startGraphqlApp>>;

  beforeAll(async () => {
    t = await startGraphqlApp('sqlite', { busNamespace: ns.streamPrefix });
  });
  afterAll(async () => {
    await t?.close();
    await t?.dispose();
  });

  it("shows each replica's latest announcement, for the owning tenant only", async () => {
    const a = await tenantWithKey(t, 'live-a');
    const b = await tenantWithKey(t, 'live-b');
    const c = ok(await createConnector(t, a.key, httpConnector('watched'))).createConnector;
    const announce = (tenant: string, node: string, state: ComponentState, at: number, reason = '') =>
      t.bus.notify(
        createSubjects(ns.streamPrefix).status(tenant),
        encodeComponentStatus({ tenant, kind: 'connector', id: c.id, state, reason, node, at }),
      );
    const now = Date.now();
    await announce(a.id, 'delivery@h1', ComponentState.COMPONENT_STATE_CONNECTING, now - 2_000);
    await announce(a.id, 'delivery@h1', ComponentState.COMPONENT_STATE_CONNECTED, now - 1_000);
    // older than what h1 already said: ignored
    await announce(a.id, 'delivery@h1', ComponentState.COMPONENT_STATE_DISCONNECTED, now - 1_500, 'late');
    await announce(a.id, 'delivery@h2', ComponentState.COMPONENT_STATE_DISCONNECTED, now, 'ECONNREFUSED');
    // another tenant claiming the same id does not show under a's connector
    await announce(b.id, 'delivery@h3', ComponentState.COMPONENT_STATE_FAILED, now);

    const query = 'query($id: ID!) { connector(id: $id) { status { node state reason at } } }';
    await eventually(async () => {
      const { connector } = ok(
        await t.gql<{
          connector: { status: { node: string; state: string; reason: string | null; at: string }[] };
        }>(a.key, query, { id: c.id }),
      );
      expect(connector.status).toEqual([
        { node: 'delivery@h1', state: 'connected', reason: null, at: new Date(now - 1_000).toISOString() },
        {
          node: 'delivery@h2',
          state: 'disconnected',
          reason: 'ECONNREFUSED',
          at: new Date(now).toISOString(),
        },
      ]);
    });
  });
});
