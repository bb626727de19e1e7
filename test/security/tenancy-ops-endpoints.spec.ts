import { freePort, testServers } from '../support';
import { AttackedSluice } from './tenancy-support';

// Finding 5 of issue 14: /metrics and /health/ready answered without credentials on the public API
// port and listed every tenant's ids and ingest client ids. Replayed as an anonymous caller and as
// a tenant against a running Sluice with a tenant source on the real Mosquitto.
describe('attack: reading the operational endpoints of the public port', () => {
  let sluice: AttackedSluice;
  let opsPort: number;
  let tenantId: string;
  let tenantKey: string;

  beforeAll(async () => {
    opsPort = await freePort();
    sluice = await AttackedSluice.start('ops', {
      SLUICE_MQTT_URL: testServers.mqttUrl,
      SLUICE_OPS_PORT: String(opsPort),
    });
    const tenant = await sluice.tenant('observed');
    tenantId = tenant.id;
    tenantKey = tenant.key;
    await sluice.data(tenant.key, 'mutation($i: CreateSourceInput!) { createSource(input: $i) { id } }', {
      i: { name: 'plant', config: { topics: [{ filter: 'plant/#', qos: 1 }] } },
    });
  });

  afterAll(async () => {
    await sluice?.stop();
  });

  const get = async (url: string, key?: string) => {
    const response = await fetch(url, { headers: key ? { authorization: `Bearer ${key}` } : {} });
    return { status: response.status, body: await response.text() };
  };

  it('the public port names no tenant to an anonymous caller or a tenant key', async () => {
    for (const key of [undefined, tenantKey]) {
      const metrics = await get(`${sluice.url}/metrics`, key);
      expect(metrics.status).toBe(404);
      expect(metrics.body).not.toContain(tenantId);
      const ready = await get(`${sluice.url}/health/ready`, key);
      expect([200, 503]).toContain(ready.status);
      expect(Object.keys(JSON.parse(ready.body) as object)).toEqual(['status']);
      expect(ready.body).not.toContain(tenantId);
      const live = await get(`${sluice.url}/health/live`, key);
      expect(live.status).toBe(200);
      expect(live.body).not.toContain(tenantId);
    }
  });

  it('the operational port, and the operator key on the public port, answer in full', async () => {
    // the source's readiness probe is named after its tenant: that is what must not be public
    const detailed = await get(`http://127.0.0.1:${opsPort}/health/ready`);
    expect(detailed.body).toContain(tenantId);
    expect((await get(`http://127.0.0.1:${opsPort}/metrics`)).body).toContain(`tenant="${tenantId}"`);
    const operator = await get(`${sluice.url}/metrics`, sluice.adminKey);
    expect(operator.status).toBe(200);
    expect(operator.body).toContain(`tenant="${tenantId}"`);
  });
});
