import { resolve } from 'node:path';
import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';

const alias = [
  { find: /^@sluice\/([a-z-]+)$/, replacement: resolve(import.meta.dirname, 'libs/$1/src/index.ts') },
];
// why swc: Nest resolves constructor dependencies from decorator metadata, which esbuild does not emit
const plugins = [swc.vite({ module: { type: 'es6' } })];

export default defineConfig({
  test: {
    globals: true,
    reporters: ['default'],
    projects: [
      {
        plugins,
        resolve: { alias },
        test: {
          name: 'unit',
          globals: true,
          include: [
            'libs/**/*.spec.ts',
            'services/**/*.spec.ts',
            'test/support/**/*.spec.ts',
            'deploy/test/**/*.spec.ts',
          ],
        },
      },
      {
        plugins,
        resolve: { alias },
        test: {
          name: 'integration',
          globals: true,
          include: [
            'libs/**/*.int-spec.ts',
            'services/**/*.int-spec.ts',
            'test/e2e/**/*.e2e-spec.ts',
            // issue 14: attacks replayed against running servers
            'test/security/**/*.spec.ts',
          ],
          globalSetup: ['test/support/ensure-services.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
      {
        plugins,
        resolve: { alias },
        test: {
          // why its own project: scenarios stop and restart (private) servers and run for minutes
          name: 'faults',
          globals: true,
          include: ['test/faults/**/*.fault-spec.ts'],
          globalSetup: ['test/support/ensure-services.ts'],
          testTimeout: 180_000,
          hookTimeout: 120_000,
          fileParallelism: false,
          // why: after unit and integration, so its processes never compete with theirs for the 2 cores
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
