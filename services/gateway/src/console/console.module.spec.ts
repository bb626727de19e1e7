import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Controller, Get, type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { consoleLine } from './console-files';
import { ConsoleModule } from './console.module';

@Controller()
class ApiStandIn {
  @Get('graphql') graphql() {
    return { api: true };
  }
}

describe('ConsoleModule', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-console-'));
  let app: INestApplication;
  let base: string;

  beforeAll(async () => {
    mkdirSync(join(dir, 'assets'));
    writeFileSync(join(dir, 'index.html'), '<title>Sluice console</title>');
    writeFileSync(join(dir, 'assets', 'app-1a2b.js'), 'console.log(1)');
    process.env['SLUICE_CONSOLE_DIR'] = dir;
    const moduleRef = await Test.createTestingModule({
      imports: [ConsoleModule],
      controllers: [ApiStandIn],
    }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${((app.getHttpServer() as Server).address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    delete process.env['SLUICE_CONSOLE_DIR'];
    await app?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves index.html at / (revalidated) and hashed assets as immutable', async () => {
    const index = await fetch(`${base}/`);
    expect(index.status).toBe(200);
    expect(await index.text()).toContain('Sluice console');
    expect(index.headers.get('cache-control')).toBe('no-cache');
    const asset = await fetch(`${base}/assets/app-1a2b.js`);
    expect(asset.headers.get('content-type')).toMatch(/javascript/);
    expect(asset.headers.get('cache-control')).toContain('immutable');
  });

  it('leaves the API routes alone and answers 404 for what is neither', async () => {
    expect(await (await fetch(`${base}/graphql`)).json()).toEqual({ api: true });
    expect((await fetch(`${base}/nothing-here`)).status).toBe(404);
  });

  it('names the console URL for a person to click, or says it is not built', () => {
    expect(consoleLine('0.0.0.0', 4000, { SLUICE_CONSOLE_DIR: dir })).toBe('console: http://localhost:4000/');
    expect(consoleLine('::1', 4000, { SLUICE_CONSOLE_DIR: dir })).toBe('console: http://[::1]:4000/');
    expect(consoleLine('127.0.0.1', 80, { SLUICE_CONSOLE_DIR: join(dir, 'missing') })).toMatch(
      /^console not built \(run npm run build\)/,
    );
  });
});
