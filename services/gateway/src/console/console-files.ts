import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * Where the built console is: `console/dist` of the checkout or package this code runs from
 * (found upwards from here, so it holds for the sources under vitest and for `dist/` alike), or
 * SLUICE_CONSOLE_DIR. Undefined when it was not built.
 */
export function consoleDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const configured = env['SLUICE_CONSOLE_DIR'];
  if (configured) return existsSync(join(configured, 'index.html')) ? configured : undefined;
  for (let dir = __dirname; ; dir = dirname(dir)) {
    const candidate = join(dir, 'console', 'dist');
    if (existsSync(join(candidate, 'index.html'))) return candidate;
    if (dirname(dir) === dir) return undefined;
  }
}

/**
 * The line a person clicks after `npm start`: the console's URL on this host and port (a wildcard
 * listen address becomes localhost), or how to build it.
 *
 * @example consoleLine('0.0.0.0', 4000) // 'console: http://localhost:4000/'
 */
export function consoleLine(host: string, port: number, env: NodeJS.ProcessEnv = process.env): string {
  const shown = host === '0.0.0.0' || host === '::' || host === '' ? 'localhost' : host;
  const url = `http://${shown.includes(':') ? `[${shown}]` : shown}:${port}/`;
  return consoleDir(env) ? `console: ${url}` : `console not built (run npm run build); API at ${url}graphql`;
}
