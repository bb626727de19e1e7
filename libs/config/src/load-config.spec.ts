import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import {
  effectiveConfigOf,
  httpPortShape,
  loadConfig,
  natsConfigShape,
  redactUrlCredentials,
} from '@sluice/config';
import { natsAuthProblems } from './common.config';
import { ConfigError } from './config-error';
import { maskSensitive } from './load-config';

const schema = z.object({
  ...httpPortShape(4000),
  SLUICE_NATS_URL: z.url().default('nats://127.0.0.1:4222'),
  SLUICE_RULES_CONCURRENCY: z.coerce.number().int().positive().default(64),
});
const quiet = { log: false } as const;

describe('loadConfig', () => {
  it('applies defaults and coerces numbers', () => {
    const config = loadConfig(schema, {}, quiet);
    expect(config).toEqual({
      SLUICE_HTTP_PORT: 4000,
      SLUICE_HTTP_HOST: '0.0.0.0',
      SLUICE_OPS_HOST: '127.0.0.1',
      SLUICE_NATS_URL: 'nats://127.0.0.1:4222',
      SLUICE_RULES_CONCURRENCY: 64,
    });
    expect(loadConfig(schema, { SLUICE_HTTP_PORT: '8080' }, quiet).SLUICE_HTTP_PORT).toBe(8080);
  });

  it('returns a frozen object', () => {
    expect(Object.isFrozen(loadConfig(schema, {}, quiet))).toBe(true);
  });

  it('names every bad setting, what was expected and what was given, in one line', () => {
    const attempt = () =>
      loadConfig(
        schema,
        { SLUICE_HTTP_PORT: 'http', SLUICE_NATS_URL: 'not a url', SLUICE_RULES_CONCURRENCY: '-1' },
        quiet,
      );
    expect(attempt).toThrow(ConfigError);
    let message = '';
    try {
      attempt();
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message.split('\n')).toHaveLength(1);
    expect(message).toMatch(/^Invalid configuration: /);
    expect(message).toContain('SLUICE_HTTP_PORT: expected a port number (got "http")');
    expect(message).toContain('SLUICE_NATS_URL:');
    expect(message).toContain('(got "not a url")');
    expect(message).toContain('SLUICE_RULES_CONCURRENCY:');
  });

  it('rejects a port out of range', () => {
    expect(() => loadConfig(schema, { SLUICE_HTTP_PORT: '70000' }, quiet)).toThrow(
      'SLUICE_HTTP_PORT: expected a port from 0 to 65535 (got "70000")',
    );
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig(schema, { SLUICE_HTTP_PORT: '' }, quiet).SLUICE_HTTP_PORT).toBe(4000);
  });

  it('reads SLUICE_CONFIG_FILE, with the environment winning', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-config-'));
    const file = join(dir, 'sluice.json');
    writeFileSync(file, JSON.stringify({ SLUICE_HTTP_PORT: 5000, SLUICE_RULES_CONCURRENCY: 8 }));
    const config = loadConfig(schema, { SLUICE_CONFIG_FILE: file, SLUICE_RULES_CONCURRENCY: '16' }, quiet);
    expect(config.SLUICE_HTTP_PORT).toBe(5000);
    expect(config.SLUICE_RULES_CONCURRENCY).toBe(16);
  });

  it('says when the config file is missing or not JSON', () => {
    expect(() => loadConfig(schema, { SLUICE_CONFIG_FILE: '/nonexistent/sluice.json' }, quiet)).toThrow(
      /SLUICE_CONFIG_FILE: cannot read \/nonexistent\/sluice.json/,
    );
    const dir = mkdtempSync(join(tmpdir(), 'sluice-config-'));
    const file = join(dir, 'bad.json');
    writeFileSync(file, '{ nope');
    expect(() => loadConfig(schema, { SLUICE_CONFIG_FILE: file }, quiet)).toThrow(/is not JSON/);
    writeFileSync(file, '[1]');
    expect(() => loadConfig(schema, { SLUICE_CONFIG_FILE: file }, quiet)).toThrow(/must hold a JSON object/);
  });

  it('logs the effective configuration with secrets masked', () => {
    const lines: string[] = [];
    const withSecret = z.object({ SLUICE_ADMIN_KEY: z.string(), SLUICE_DATABASE_URL: z.string() });
    loadConfig(
      withSecret,
      { SLUICE_ADMIN_KEY: 'topsecret', SLUICE_DATABASE_URL: 'postgres://u:hunter2@db:5432/x' },
      { sensitive: ['SLUICE_ADMIN_KEY'], log: (l) => lines.push(l) },
    );
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toContain('topsecret');
    expect(lines[0]).not.toContain('hunter2');
    expect(lines[0]).toContain('postgres://u:***@db:5432/x');
  });

  it('keeps the masked effective configuration for the logger, and prints nothing by default', () => {
    const withSecret = z.object({ SLUICE_ADMIN_KEY: z.string(), SLUICE_DATABASE_URL: z.string() });
    const write = vi.spyOn(process.stderr, 'write');
    const config = loadConfig(
      withSecret,
      { SLUICE_ADMIN_KEY: 'topsecret', SLUICE_DATABASE_URL: 'postgres://u:hunter2@db:5432/x' },
      { sensitive: ['SLUICE_ADMIN_KEY'] },
    );
    expect(write).not.toHaveBeenCalled();
    write.mockRestore();
    expect(effectiveConfigOf(config)).toEqual({
      SLUICE_ADMIN_KEY: '***',
      SLUICE_DATABASE_URL: 'postgres://u:***@db:5432/x',
    });
    expect(effectiveConfigOf({})).toBeUndefined();
  });

  it('maskSensitive leaves ordinary values alone', () => {
    expect(maskSensitive({ A: 'mqtt://host:1883', B: 3 }, [])).toEqual({ A: 'mqtt://host:1883', B: 3 });
  });
  it("masks the mesh's NATS password and token in every service, and the passwords of a URL list", () => {
    const config = loadConfig(
      z.object(natsConfigShape),
      {
        SLUICE_NATS_URL: 'nats://a:pw1@n1:4222,nats://b:pw2@n2:4222',
        SLUICE_NATS_USER: 'sluice',
        SLUICE_NATS_PASSWORD: 'hunter2hunter2hunter2',
        SLUICE_NATS_TOKEN: 't0ken',
      },
      quiet,
    );
    expect(effectiveConfigOf(config)).toEqual({
      SLUICE_NATS_URL: 'nats://a:***@n1:4222,nats://b:***@n2:4222',
      SLUICE_NATS_USER: 'sluice',
      SLUICE_NATS_PASSWORD: '***',
      SLUICE_NATS_TOKEN: '***',
    });
  });

  it("refuses a short NATS password (the Secret template's placeholder)", () => {
    expect(() =>
      loadConfig(z.object(natsConfigShape), { SLUICE_NATS_PASSWORD: 'REPLACE_ME' }, quiet),
    ).toThrow(/SLUICE_NATS_PASSWORD: expected at least 16 characters/);
  });

  it('redacts URL credentials also where the URL does not parse', () => {
    expect(redactUrlCredentials('not a URL: "nats://u:p@ss/w@rd@host:x"')).toBe(
      'not a URL: "nats://u:***@host:x"',
    );
    expect(redactUrlCredentials('nats://t0ken@host:4222 and tls://u:p%40@h')).toBe(
      'nats://***@host:4222 and tls://u:***@h',
    );
    expect(redactUrlCredentials('http://host/path')).toBe('http://host/path');
  });

  it('names NATS login settings that do not go together', () => {
    const url = { SLUICE_NATS_URL: 'nats://n:4222' };
    expect(natsAuthProblems({ ...url, SLUICE_NATS_USER: 'u' })).toEqual([
      { setting: 'SLUICE_NATS_PASSWORD', problem: 'required with SLUICE_NATS_USER' },
    ]);
    expect(natsAuthProblems({ ...url, SLUICE_NATS_TOKEN: 't', SLUICE_NATS_CREDS: '/c' })).toEqual([
      {
        setting: 'SLUICE_NATS_CREDS',
        problem: 'set one way to log in to NATS, not SLUICE_NATS_TOKEN and SLUICE_NATS_CREDS',
      },
    ]);
    expect(natsAuthProblems({ ...url, SLUICE_NATS_USER: 'u', SLUICE_NATS_PASSWORD: 'p' })).toEqual([]);
  });
});
