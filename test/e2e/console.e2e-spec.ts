import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import mqtt from 'mqtt';
import { chromium, type Browser, type Page } from 'playwright-core';
import { eventually, freePort, HttpTarget, SluiceProcess, testNamespace } from '../support';

const CHROMIUM = '/usr/bin/chromium';
const ADMIN_KEY = 'sluice_admin_console_e2e_key_0123456789';
// why: `SLUICE_CONSOLE_SCREENSHOTS=docs/console npx vitest run test/e2e/console.e2e-spec.ts` refreshes
// the screenshots in the docs; a plain run writes none
const shots = process.env['SLUICE_CONSOLE_SCREENSHOTS'];

// The console in a real browser (Debian's Chromium, driven by playwright-core) against the embedded
// process: a person signs in, builds an integration through the forms and watches it run.
describe('console: build, test and watch an integration in the browser', () => {
  const ns = testNamespace();
  const refusing = new HttpTarget();
  let sluice: SluiceProcess;
  let browser: Browser;
  let page: Page;
  let mqttPort: number;
  let tenantId: string;

  const gql = async <T>(query: string, variables: Record<string, unknown> = {}): Promise<T> => {
    const res = await fetch(`http://127.0.0.1:${sluice.port}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_KEY}` },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await res.json()) as { data: T; errors?: unknown[] };
    if (body.errors) throw new Error(JSON.stringify(body.errors));
    return body.data;
  };
  /** The operator's login on the embedded broker (anonymous clients are refused once a tenant exists). */
  const operatorLogin = () => ({ username: 'admin', password: ADMIN_KEY });
  /** Publishes as the tenant's devices would: under the tenant's namespace on the broker (its mountpoint). */
  const publish = async (topic: string, payloads: string[]) => {
    const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${mqttPort}`, operatorLogin());
    try {
      for (const p of payloads) await client.publishAsync(`${tenantId}/${topic}`, p, { qos: 1 });
    } finally {
      await client.endAsync();
    }
  };
  const shot = async (name: string) => {
    if (!shots) return;
    mkdirSync(shots, { recursive: true });
    await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
  };
  const go = async (screen: string) => {
    await page.getByRole('link', { name: screen, exact: true }).click();
    await page.getByRole('heading', { level: 1, name: screen }).waitFor();
  };

  beforeAll(async () => {
    if (!existsSync(CHROMIUM))
      throw new Error(`${CHROMIUM} is missing: scripts/ensure-services.sh installs it`);
    if (!existsSync(resolve(__dirname, '../../console/dist/index.html')))
      throw new Error('the console is not built: npm run build');
    refusing.status = 400;
    await refusing.start();
    mqttPort = await freePort();
    sluice = new SluiceProcess('all', {
      SLUICE_ADMIN_KEY: ADMIN_KEY,
      SLUICE_HTTP_PORT: String(await freePort()),
      SLUICE_HTTP_HOST: '127.0.0.1',
      SLUICE_EMBEDDED_MQTT_PORT: String(mqttPort),
      SLUICE_DATA_DIR: mkdtempSync(join(tmpdir(), 'sluice-console-')),
      SLUICE_NATS_URL: 'nats://127.0.0.1:1',
    }).start();
    await sluice.ready();
    tenantId = (
      await gql<{ createTenant: { id: string } }>(
        'mutation { createTenant(input: { name: "acme", plan: "pro" }) { id } }',
      )
    ).createTenant.id;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
      // playwright starts Chromium with a fresh, empty profile of its own (--user-data-dir)
    });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.setDefaultTimeout(15_000);
  }, 120_000);

  // why: a failed step leaves a picture of the page in reports/ (what the person would have seen)
  afterEach(async (context) => {
    if (context.task.result?.state !== 'fail' || !page) return;
    mkdirSync('reports', { recursive: true });
    await page.screenshot({
      path: join('reports', `console-failed-${context.task.name.slice(0, 40).replace(/\W+/g, '-')}.png`),
      fullPage: true,
    });
  });

  afterAll(async () => {
    await browser?.close();
    await sluice?.stop();
    await refusing.close();
  });

  it('names the console URL last in the start log', () => {
    expect(sluice.output).toContain(`console: http://127.0.0.1:${sluice.port}/`);
  });

  it('refuses a wrong key and signs the operator in, who picks the tenant', async () => {
    await page.goto(`http://127.0.0.1:${sluice.port}/`);
    await shot('sign-in');
    await page.getByLabel('API key').fill('slk_wrong');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'refused' }).waitFor();
    await page.getByLabel('API key').fill(ADMIN_KEY);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByLabel('Tenant').selectOption(tenantId);
    await page.getByText('No sources yet').waitFor();
  });

  it('creates and edits an MQTT source, creates an MQTT connector (tested first) and an HTTP one through the forms', async () => {
    await page.getByRole('button', { name: 'New MQTT source' }).click();
    const source = page.getByRole('form', { name: 'New MQTT source' });
    await source.getByLabel('Name', { exact: true }).fill('plant');
    await source.getByLabel('Topics').fill(`${ns.topicPrefix}sensors/# 1`);
    await source.getByRole('button', { name: 'Create source' }).click();
    await page.locator('.badge.connected').first().waitFor();
    await page.getByRole('button', { name: 'Edit' }).click();
    const edit = page.getByRole('form', { name: 'Edit source plant' });
    expect(await edit.getByLabel('Topics').inputValue()).toBe(`${ns.topicPrefix}sensors/# 1`);
    await edit.getByLabel('Name', { exact: true }).fill('plant-a');
    await edit.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('cell', { name: 'plant-a' }).waitFor();
    await page.locator('.badge.connected').first().waitFor();
    await shot('sources');

    await go('Connectors');
    await page.getByRole('button', { name: 'New connector' }).click();
    let form = page.getByRole('form', { name: 'New connector' });
    await form.getByLabel('Kind').selectOption('mqtt');
    await form.getByLabel('Name', { exact: true }).fill('republish');
    await form.getByLabel('Url *').fill(`mqtt://127.0.0.1:${mqttPort}`);
    expect(await form.locator('input[name="password"]').getAttribute('type')).toBe('password');
    await form.locator('input[name="username"]').fill(operatorLogin().username);
    await form.locator('input[name="password"]').fill(operatorLogin().password);
    // a chosen MQTT 5 is kept, and aedes (MQTT 3.1.1 only) refuses it: the answer says so
    await form.getByLabel('Protocol Version').selectOption({ label: '5' });
    await form.getByRole('button', { name: 'Test connection' }).click();
    await form.getByRole('status').filter({ hasText: 'Test connection: disconnected' }).waitFor();
    // by default the connector offers MQTT 5 and falls back to 3.1.1 when the broker refuses it
    await form.getByLabel('Protocol Version').selectOption({ label: '(default)' });
    await form.getByRole('button', { name: 'Test connection' }).click();
    await form
      .getByRole('status')
      .filter({ hasText: /Test connection: connected$/ })
      .waitFor();
    await shot('connectors');
    await form.getByRole('button', { name: 'Create connector' }).click();
    await page.getByRole('cell', { name: 'republish' }).waitFor();

    await page.getByRole('button', { name: 'New connector' }).click();
    form = page.getByRole('form', { name: 'New connector' });
    await form.getByLabel('Kind').selectOption('http');
    await form.getByLabel('Name', { exact: true }).fill('refusing');
    await form.getByLabel('Url *').fill(refusing.url);
    await form.getByRole('button', { name: 'Create connector' }).click();
    await page.getByRole('cell', { name: 'refusing' }).waitFor();
  });

  it('writes a rule in the SQL editor (errors underlined), and attaches actions from the connectors', async () => {
    await go('Rules');
    await page.getByRole('button', { name: 'New rule' }).click();
    await page.getByLabel('Name', { exact: true }).fill('hot');
    const editor = page.locator('.cm-content');
    await editor.fill('SELECT payload.temp AS temp FORM "x"');
    await page.locator('.cm-lintRange-error').waitFor();
    await editor.fill(
      `SELECT payload.temp AS temp, upper(topic) AS loud FROM "${ns.topicPrefix}sensors/#" WHERE payload.temp > 20`,
    );
    await page.locator('.cm-lintRange-error').waitFor({ state: 'detached' });
    await page.getByRole('button', { name: 'Create rule' }).click();
    await page.getByRole('heading', { level: 2, name: 'hot' }).waitFor();

    const actions = page.getByRole('region', { name: 'Actions' });
    await actions.getByLabel('Add an action to connector').selectOption({ label: 'republish (mqtt)' });
    // the template is checked as it is typed
    await actions.getByLabel('Topic *').fill('out/${topic');
    await actions.getByRole('status', { name: 'Action check' }).filter({ hasText: 'topic' }).waitFor();
    expect(await actions.getByRole('status', { name: 'Action check' }).getAttribute('class')).toBe('bad');
    await actions.getByLabel('Topic *').fill('out/${topic}');
    await actions.getByRole('status', { name: 'Action check' }).filter({ hasText: 'accepts' }).waitFor();
    await actions.getByRole('button', { name: 'Add action' }).click();
    await actions.getByText('republish', { exact: true }).waitFor();
    await actions.getByLabel('Add an action to connector').selectOption({ label: 'refusing (http)' });
    await actions.getByRole('button', { name: 'Add action' }).click();
    await actions.getByText('refusing', { exact: true }).waitFor();
    await shot('rules');
  });

  it('shows the counters move and the live trace outputs while messages flow', async () => {
    await go('Watch');
    await page.getByRole('list', { name: 'Live trace' }).or(page.getByText('Listening')).first().waitFor();
    const out = await mqtt.connectAsync(`mqtt://127.0.0.1:${mqttPort}`, operatorLogin());
    const republished: string[] = [];
    out.on('message', (_t, p) => republished.push(p.toString()));
    await out.subscribeAsync('out/#', { qos: 1 });
    try {
      await eventually(
        async () => {
          await publish(`${ns.topicPrefix}sensors/d1`, ['{"temp":25}', '{"temp":10}', '{"temp":31}']);
          await page
            .getByRole('list', { name: 'Live trace' })
            .getByText('"temp":31')
            .first()
            .waitFor({ timeout: 1_000 });
        },
        { timeoutMs: 20_000 },
      );
      await eventually(async () => {
        const matched = await page.locator('.counter[data-counter="matched"] .value').textContent();
        expect(Number(matched?.replace(/,/g, ''))).toBeGreaterThanOrEqual(3);
      });
      await eventually(async () => {
        const success = await page.locator('td[data-counter="success"]').first().textContent();
        expect(Number(success)).toBeGreaterThanOrEqual(2);
      });
      await eventually(() => expect(republished.some((p) => p.includes('"temp":31'))).toBe(true));
    } finally {
      await out.endAsync();
    }
    await page.getByRole('list', { name: 'Live trace' }).getByText('no match').first().waitFor();
    await shot('watch');
  });

  it('tests the rule on a message captured from the live trace', async () => {
    await go('Rules');
    await page.getByRole('button', { name: 'Open' }).click();
    const test = page.getByRole('region', { name: 'Test the rule' });
    await test.getByRole('button', { name: 'Capture live messages' }).click();
    await eventually(
      async () => {
        await publish(`${ns.topicPrefix}sensors/d7`, ['{"temp":42.5}']);
        await test.getByText('"temp":42.5').first().waitFor({ timeout: 1_000 });
      },
      { timeoutMs: 15_000 },
    );
    await test.getByRole('button', { name: 'Test with this message' }).first().click();
    const result = test.getByRole('status');
    await result.getByText('Matched: 1 output(s)').waitFor();
    expect(await result.locator('pre').textContent()).toContain('"temp":42.5');
    await shot('rule-test');
  });

  it('warns about a rule that reads topics no source subscribes to, in its test and once saved', async () => {
    await go('Rules');
    await page.getByRole('button', { name: 'New rule' }).click();
    await page.getByLabel('Name', { exact: true }).fill('orphan');
    await page.locator('.cm-content').fill('SELECT payload.temp AS temp FROM "nowhere/#"');
    const test = page.getByRole('region', { name: 'Test the rule' });
    await test.getByLabel('Topic', { exact: true }).fill('nowhere/a');
    await test.getByRole('button', { name: 'Run test' }).click();
    await test.getByRole('note', { name: 'Test warnings' }).getByText('RULE_FROM_UNSUBSCRIBED').waitFor();
    expect(await test.getByRole('status').textContent()).toContain('Matched: 1 output(s)');
    await page.getByRole('button', { name: 'Create rule' }).click();
    await page.getByRole('heading', { level: 2, name: 'orphan' }).waitFor();
    await page.getByRole('note', { name: 'Rule warnings' }).getByText('RULE_FROM_UNSUBSCRIBED').waitFor();
    await page.getByRole('row').filter({ hasText: 'orphan' }).getByText('1 warning').waitFor();
    // the rule that the source feeds has none
    expect(await page.getByRole('row').filter({ hasText: 'hot' }).textContent()).not.toContain('warning');
  });

  it('lists the dead letters of the refusing target, inspects one and re-drives them once it accepts', async () => {
    await go('Dead letters');
    const table = page.getByRole('table', { name: 'Dead letters' });
    await table.getByText('DELIVERY_FAILED').first().waitFor();
    await table.getByText('HTTP 400').first().waitFor();
    await table.getByRole('button', { name: 'Inspect' }).first().click();
    await page
      .getByRole('region', { name: /Dead letter \d+/ })
      .getByText('"temp"')
      .waitFor();
    await shot('dead-letters');
    const before = refusing.requests.length;
    refusing.status = 200;
    await table.getByRole('button', { name: 'Re-drive' }).first().click();
    await page
      .getByRole('status')
      .getByText(/sent again/)
      .waitFor();
    await eventually(() => expect(refusing.requests.length).toBeGreaterThan(before));
    expect(refusing.jsonBodies().at(-1)).toHaveProperty('temp');
  });

  it('shows the usage of the tenant and of all tenants', async () => {
    await go('Usage');
    await page.getByText(/rule actions of/).waitFor();
    await page.getByRole('heading', { name: 'All tenants this month' }).waitFor();
    await shot('usage');
  });

  it('says so when the gateway cannot be reached', async () => {
    await go('Sources');
    await page.getByRole('cell', { name: 'plant-a' }).waitFor();
    expect(await sluice.stop('SIGTERM')).toBe(0);
    // the sources list polls every 3 s; the next poll finds nobody there
    await page.getByRole('alert').filter({ hasText: 'the gateway cannot be reached' }).waitFor();
    await shot('unreachable');
  });
});
