import type { DataSource } from 'typeorm';
import type { GatewaySettings } from '../config';
import { defaultPlans } from '../plans/plans';
import { PipelineFileTenants } from './pipeline-file-tenants.service';

describe('PipelineFileTenants', () => {
  it('refuses to start when SLUICE_DEFAULT_PLAN names no configured plan', async () => {
    const tenants = new PipelineFileTenants(
      {} as DataSource,
      { SLUICE_DEFAULT_PLAN: 'gold' } as GatewaySettings,
      defaultPlans,
    );
    await expect(tenants.onModuleInit()).rejects.toThrow("tenant plan 'gold' is not configured");
  });

  it("starts with operator plans that have no 'free' when no default plan or file tenant needs one", async () => {
    const { free, ...withoutFree } = defaultPlans;
    expect(free).toBeDefined();
    // why a strict fake: with nothing to add, the database must not be touched
    const dataSource = new Proxy({} as DataSource, {
      get: (_target, name) => {
        throw new Error(`unexpected DataSource.${String(name)}`);
      },
    });
    const tenants = new PipelineFileTenants(dataSource, {} as GatewaySettings, withoutFree);
    await expect(tenants.onModuleInit()).resolves.toBeUndefined();
  });
});
