import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, HttpTarget, SluiceProcess, testNamespace, writeSkeletonPipeline } from '../support';

interface LogLine {
  level: string;
  time: string;
  service: string;
  msg: string;
  context?: string;
  config?: Record<string, unknown>;
}

/** Every non-empty line of `text` parsed as JSON; a line that is not JSON fails with its text. */
function jsonLines(text: string): LogLine[] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      try {
        return JSON.parse(line) as LogLine;
      } catch {
        throw new Error(`not a JSON log line: ${line}`);
      }
    });
}

/** What a scanner or a careless client sends: unknown keys, invalid documents, 20 of each. */
async function clientMistakes(port: number): Promise<void> {
  const graphql = (query: string, key: string) =>
    fetch(`http://127.0.0.1:${port}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify({ query }),
    });
  for (let i = 0; i < 20; i++) {
    const answer = (await (await graphql('{ tenants { nodes { id } } }', `unknown-${i}`)).json()) as {
      errors: unknown[];
    };
    expect(answer.errors).toHaveLength(1);
    await graphql('{ noSuchField }', 'e2e-admin-key-must-not-be-logged-0123456789');
    const publish = await fetch(`http://127.0.0.1:${port}/api/v5/publish`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Basic ${Buffer.from('k:s').toString('base64')}`,
      },
      body: JSON.stringify({ topic: 'a', payload: 'x' }),
    });
    expect(publish.status).toBe(401);
  }
}

// A service process writes only JSON lines on stdout, from its first line (the effective
// configuration) to its last (the graceful shutdown), at the configured level, without secrets.
describe('logs: every line a service writes is JSON', () => {
  const ns = testNamespace();
  const target = new HttpTarget();
  const adminKey = 'e2e-admin-key-must-not-be-logged-0123456789';
  const secretKey = randomBytes(32).toString('base64');

  const embedded = async (level: string) =>
    new SluiceProcess('all', {
      SLUICE_PIPELINE_FILE: writeSkeletonPipeline(ns, target.url),
      SLUICE_HTTP_PORT: String(await freePort()),
      SLUICE_EMBEDDED_MQTT_PORT: String(await freePort()),
      SLUICE_DATA_DIR: mkdtempSync(join(tmpdir(), 'sluice-logs-')),
      SLUICE_NATS_URL: 'nats://127.0.0.1:1',
      SLUICE_ADMIN_KEY: adminKey,
      SLUICE_SECRET_KEY: secretKey,
      SLUICE_LOG_LEVEL: level,
    }).start();

  let atLog: SluiceProcess;
  let atWarn: SluiceProcess;

  beforeAll(async () => {
    await target.start();
    atLog = await embedded('log');
    atWarn = await embedded('warn');
    await Promise.all([atLog.ready(), atWarn.ready()]);
    await clientMistakes(atLog.port);
    expect(await atLog.stop('SIGTERM')).toBe(0);
    expect(await atWarn.stop('SIGTERM')).toBe(0);
  });

  afterAll(async () => {
    await atLog?.stop();
    await atWarn?.stop();
    await target.close();
  });

  it('writes the effective configuration first, as JSON with the secrets masked', () => {
    const lines = jsonLines(atLog.stdout);
    expect(lines[0]).toMatchObject({ level: 'info', service: 'sluice', msg: 'Effective configuration' });
    expect(lines[0]!.config).toMatchObject({
      SLUICE_LOG_LEVEL: 'log',
      SLUICE_NATS_URL: 'nats://127.0.0.1:1',
    });
    // masked, by loadConfig's list of sensitive settings or by the logger's redaction
    expect(lines[0]!.config!['SLUICE_ADMIN_KEY']).toMatch(/^(\*\*\*|\[REDACTED\])$/);
    expect(lines[0]!.config!['SLUICE_SECRET_KEY']).toMatch(/^(\*\*\*|\[REDACTED\])$/);
  });

  it('writes only JSON lines on stdout, from start to graceful shutdown, and nothing on stderr', () => {
    const lines = jsonLines(atLog.stdout);
    for (const line of lines) {
      expect(line.service).toBe('sluice');
      expect(Number.isNaN(Date.parse(line.time))).toBe(false);
      expect(['info', 'warn', 'error']).toContain(line.level);
    }
    const messages = lines.map((l) => l.msg);
    expect(messages.some((m) => m.includes('ready'))).toBe(true);
    expect(messages.some((m) => m.includes('shutting down gracefully'))).toBe(true);
    expect(atLog.stderr).toBe('');
    expect(atLog.output).not.toContain(adminKey);
    expect(atLog.output).not.toContain(secretKey);
  });

  it("logs clients' mistakes at warn or info, without a stack, once per code however many come", () => {
    const lines = jsonLines(atLog.stdout);
    expect(lines.filter((l) => l.level === 'error')).toEqual([]);
    expect(atLog.stdout).not.toMatch(/\\n\s+at /);
    const refused = lines.filter((l) => l.msg.includes('refused a request'));
    // 20 unknown keys and 20 invalid documents on GraphQL, 20 unknown keys on the publish API
    expect(refused.map((l) => `${l.level} ${l.context} ${l.msg.split(':')[0]}`).sort()).toEqual([
      'info GraphQL GraphQL refused a request',
      'warn GraphQL GraphQL refused a request',
      'warn PublishApi Publish API refused a request',
    ]);
  });

  it('honours SLUICE_LOG_LEVEL: at warn there is no info line, not even the configuration', () => {
    const lines = jsonLines(atWarn.stdout);
    expect(lines.filter((l) => l.level === 'info' || l.level === 'debug')).toEqual([]);
    expect(atWarn.stderr).toBe('');
    expect(atWarn.output).not.toContain(adminKey);
  });
});
