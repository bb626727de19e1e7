// Runs the deployment checks on their own: `npx vitest run --root deploy`. The root config's `unit`
// project runs them too once it includes deploy/test/**/*.spec.ts.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: { name: 'deploy', globals: true, include: ['test/**/*.spec.ts'] },
});
