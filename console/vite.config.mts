import { defineConfig } from 'vite';

// The console: a static bundle in console/dist that the gateway serves at `/`. `npx vite console`
// serves it with hot reload and sends the API to a gateway on SLUICE_CONSOLE_API (default :4000).
const api = process.env['SLUICE_CONSOLE_API'] ?? 'http://127.0.0.1:4000';

export default defineConfig({
  root: import.meta.dirname,
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 1024 },
  server: { proxy: { '/graphql': { target: api, ws: true } } },
});
