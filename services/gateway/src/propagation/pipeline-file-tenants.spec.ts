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
});
