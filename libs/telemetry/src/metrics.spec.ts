import { SluiceMetrics } from './metrics';

describe('SluiceMetrics.trackConnector', () => {
  it('reports sluice_connector_up from the probe at every scrape, until untracked', async () => {
    const metrics = new SluiceMetrics({ defaultMetrics: false });
    let up = true;
    const untrack = metrics.trackConnector('acme', 'api', 'http', () => up);
    const line = 'sluice_connector_up{tenant="acme",connector="api",kind="http"}';
    expect(await metrics.render()).toContain(`${line} 1`);
    up = false;
    expect(await metrics.render()).toContain(`${line} 0`);
    untrack();
    expect(await metrics.render()).not.toContain(line);
  });
});
