import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { registeredMetrics } from '../../test/support/registered-metrics';
import { parse } from 'yaml';
import { servedEndpoints } from './manifest-checks';

const root = resolve(__dirname, '../..');
const dir = join(root, 'deploy/compose');
const served = servedEndpoints(root);
// why merge: the file shares the service settings through YAML anchors and `<<` merge keys
const read = (path: string): unknown => parse(readFileSync(join(dir, path), 'utf8'), { merge: true });

interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile: string };
  command?: string[];
  environment?: Record<string, string | number>;
  ports?: string[];
  volumes?: string[];
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
  profiles?: string[];
}
const compose = read('compose.yaml') as {
  services: Record<string, ComposeService>;
  volumes: Record<string, unknown>;
};
const services = compose.services;
const sluice = { gateway: 4000, ingest: 4001, rules: 4002, delivery: 4003 } as const;
const observability = ['otel-collector', 'jaeger', 'prometheus', 'grafana'];

/** Bind mounts as [host path relative to deploy/compose, container path]. */
const binds = (s: ComposeService) =>
  (s.volumes ?? []).filter((v) => v.startsWith('.')).map((v) => v.split(':') as [string, string]);

describe('deploy/compose/compose.yaml', () => {
  it('runs the four services beside PostgreSQL, NATS, an MQTT broker and Kafka; observability is a profile', () => {
    expect(Object.keys(services).sort()).toEqual(
      ['postgres', 'nats', 'mosquitto', 'kafka', ...Object.keys(sluice), ...observability].sort(),
    );
    for (const name of observability) expect(services[name]?.profiles, name).toEqual(['observability']);
    for (const name of Object.keys(sluice)) expect(services[name]?.profiles, name).toBeUndefined();
  });

  it.each(Object.entries(sluice))(
    '%s starts its service on its port, with a readiness healthcheck',
    (name, port) => {
      const s = services[name]!;
      expect(served.services).toContain(name);
      expect(s.command).toEqual(['start', name]);
      expect(Number(s.environment?.SLUICE_HTTP_PORT)).toBe(port);
      expect(s.ports).toEqual([`${port}:${port}`]);
      expect(s.environment?.SLUICE_BUS).toBe('nats');
      // the mesh's own NATS account, with the password nats.conf gives that account
      expect(s.environment?.SLUICE_NATS_USER).toBe('sluice');
      expect(s.environment?.SLUICE_NATS_PASSWORD).toBe(services.nats?.environment?.SLUICE_NATS_PASSWORD);
      expect(s.healthcheck?.test.join(' ')).toContain(served.ready);
      expect(s.healthcheck?.test.join(' ')).toContain('process.env.SLUICE_HTTP_PORT');
    },
  );

  it('orders the start with depends_on conditions on services that exist and can report them', () => {
    const problems: string[] = [];
    for (const [name, s] of Object.entries(services)) {
      for (const [dep, { condition }] of Object.entries(s.depends_on ?? {})) {
        if (!services[dep]) problems.push(`${name} depends on unknown ${dep}`);
        else if (condition === 'service_healthy' && !services[dep].healthcheck)
          problems.push(`${name} waits for ${dep}'s health, which has no healthcheck`);
        else if (
          !['service_healthy', 'service_started', 'service_completed_successfully'].includes(condition)
        ) {
          problems.push(`${name}: unknown condition ${condition}`);
        }
      }
    }
    expect(problems).toEqual([]);
    expect(Object.keys(services.gateway?.depends_on ?? {}).sort()).toEqual(['mosquitto', 'nats', 'postgres']);
    expect(services.delivery?.depends_on?.kafka?.condition).toBe('service_healthy');
  });

  it('references files and volumes that exist, and builds the image from the Dockerfile', () => {
    const problems: string[] = [];
    for (const [name, s] of Object.entries(services)) {
      for (const [host] of binds(s))
        if (!existsSync(join(dir, host))) problems.push(`${name}: ${host} does not exist`);
      for (const v of s.volumes ?? []) {
        const source = v.split(':')[0]!;
        if (!source.startsWith('.') && !(source in compose.volumes))
          problems.push(`${name}: volume ${source} is not declared`);
      }
      if (s.build && !existsSync(join(dir, s.build.context, s.build.dockerfile)))
        problems.push(`${name}: no Dockerfile`);
    }
    expect(problems).toEqual([]);
    expect(services.gateway?.build).toBeDefined();
  });

  it("runs NATS with the mesh's account (nats.conf): user sluice, its password from the environment, no one else", () => {
    const conf = binds(services.nats!).find(([, target]) => target === '/etc/nats/nats.conf')?.[0];
    expect(services.nats?.command).toEqual(expect.arrayContaining(['--config', '/etc/nats/nats.conf']));
    const text = readFileSync(join(dir, conf ?? 'missing'), 'utf8');
    expect(text).toMatch(/users: \[\{ user: sluice, password: \$SLUICE_NATS_PASSWORD \}\]/);
    expect(text).not.toMatch(/no_auth_user|authorization/);
    expect(services.nats?.environment?.SLUICE_NATS_PASSWORD).toMatch(/^\$\{SLUICE_NATS_PASSWORD:\?/);
  });

  it('runs JetStream on a volume and Mosquitto with TCP_NODELAY', () => {
    expect(services.nats?.command).toEqual(expect.arrayContaining(['--jetstream', '--store_dir', '/data']));
    expect(services.nats?.volumes).toContain('nats-data:/data');
    const [[conf, target] = ['', '']] = binds(services.mosquitto!);
    expect(target).toBe('/mosquitto/config/mosquitto.conf');
    expect(readFileSync(join(dir, conf), 'utf8')).toMatch(/^set_tcp_nodelay true$/m);
  });

  it('has a pipeline file that every service reads from the mounted path', () => {
    const pipeline = JSON.parse(readFileSync(join(dir, 'sluice/pipeline.json'), 'utf8')) as {
      tenants: unknown[];
    };
    expect(pipeline.tenants.length).toBeGreaterThan(0);
    for (const name of Object.keys(sluice)) {
      const path = services[name]?.environment?.SLUICE_PIPELINE_FILE;
      expect(binds(services[name]!).some(([, target]) => target === path)).toBe(true);
    }
  });
});

describe('the observability profile', () => {
  it('has Prometheus scrape /metrics on every service at its port, with the alert rules mounted', () => {
    const config = read('prometheus/prometheus.yml') as {
      rule_files: string[];
      scrape_configs: { job_name: string; metrics_path?: string; static_configs: { targets: string[] }[] }[];
    };
    const job = config.scrape_configs.find((c) => c.job_name === 'sluice');
    expect(job?.metrics_path).toBe('/metrics');
    // the gateway's /metrics is on its operational port (its public port answers it only to the operator)
    const scraped = { ...sluice, gateway: Number(services.gateway!.environment!['SLUICE_OPS_PORT']) };
    expect(scraped.gateway).not.toBe(sluice.gateway);
    expect(job?.static_configs.flatMap((c) => c.targets).sort()).toEqual(
      Object.entries(scraped)
        .map(([name, port]) => `${name}:${port}`)
        .sort(),
    );
    const mounted = binds(services.prometheus!).map(([, target]) => target);
    for (const file of config.rule_files) expect(mounted).toContain(file);
  });

  it('has alert rules with an expression, a severity and a summary', () => {
    const alerts = read('prometheus/alerts.yml') as {
      groups: {
        rules: {
          alert: string;
          expr: string;
          labels: { severity: string };
          annotations: { summary: string };
        }[];
      }[];
    };
    const rules = alerts.groups.flatMap((g) => g.rules);
    expect(rules.length).toBeGreaterThan(5);
    for (const r of rules) {
      expect(r.expr, r.alert).toBeTruthy();
      expect(['critical', 'warning', 'info'], r.alert).toContain(r.labels.severity);
      expect(r.annotations.summary, r.alert).toBeTruthy();
    }
  });

  it('provisions Grafana with the Prometheus datasource and the dashboard folder it mounts', () => {
    const datasources = read('grafana/provisioning/datasources/datasources.yaml') as {
      datasources: { uid: string; url: string }[];
    };
    expect(datasources.datasources.find((d) => d.uid === 'prometheus')?.url).toBe('http://prometheus:9090');
    const providers = read('grafana/provisioning/dashboards/dashboards.yaml') as {
      providers: { options: { path: string } }[];
    };
    const mounts = Object.fromEntries(binds(services.grafana!).map(([host, target]) => [target, host]));
    const folder = mounts[providers.providers[0]!.options.path];
    expect(folder).toBe('./grafana/dashboards');
    expect(existsSync(join(dir, folder!, 'sluice.json'))).toBe(true);
  });

  it('has a dashboard whose metrics are all documented in docs/operations.md, covering rules, actions, connectors, sources and consumers', () => {
    const dashboard = readFileSync(join(dir, 'grafana/dashboards/sluice.json'), 'utf8');
    const alerts = readFileSync(join(dir, 'prometheus/alerts.yml'), 'utf8');
    // every metric name the dashboard and the alerts use, without a histogram's series suffix
    const used = new Set(
      [
        ...`${dashboard}\n${alerts}`.matchAll(
          /\b((?:sluice|process|nodejs)_[a-z0-9_]+?)(?:_bucket|_sum|_count)?\b/g,
        ),
      ].map((m) => m[1]!),
    );
    const docs = readFileSync(join(root, 'docs/operations.md'), 'utf8');
    const documented = new Set([...docs.matchAll(/`(sluice_[a-z_]+)`/g)].map((m) => m[1]!));
    expect([...used].filter((m) => m.startsWith('sluice_') && !documented.has(m))).toEqual([]);
    // and every one of them is a metric a Sluice process registers (Node.js defaults included)
    const registered = new Set(registeredMetrics().map((m) => m.name));
    expect([...used].filter((m) => !registered.has(m))).toEqual([]);
    // legends show names: the dashboard joins the *_info series
    for (const info of ['sluice_rule_info', 'sluice_connector_info']) expect(used).toContain(info);
    for (const label of ['rule', 'action', 'connector', 'source'])
      expect(dashboard).toContain(`by (tenant, ${label}`);
    for (const metric of ['sluice_consumer_pending_messages', 'sluice_consumer_redelivered_messages'])
      expect(used).toContain(metric);
    const parsed = JSON.parse(dashboard) as { panels: { datasource?: { uid: string } }[] };
    expect(parsed.panels.filter((p) => p.datasource && p.datasource.uid !== 'prometheus')).toEqual([]);
  });
});
