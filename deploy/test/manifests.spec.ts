import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { readObjects, type K8sObject } from './k8s-object';
import { createSchemaValidator } from './k8s-schemas';
import { renderKustomization } from './kustomize';
import { checkManifests, servedEndpoints, workloads } from './manifest-checks';

const root = resolve(__dirname, '../..');
const deploy = join(root, 'deploy');
const k8s = join(deploy, 'k8s');
const validator = createSchemaValidator(join(deploy, 'schemas'));
const served = servedEndpoints(root);
// why: the Secret is created by the operator from this template, never applied by kustomize
const secretTemplate = readObjects(join(k8s, 'base/secret.template.yaml'));
const operatorSecrets = secretTemplate.map((s) => s.metadata.name);

function filesUnder(dir: string, suffixes: string[]): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return filesUnder(path, suffixes);
    return suffixes.some((s) => name.endsWith(s)) ? [path] : [];
  });
}

const kustomizations = ['base', 'overlays/small', 'overlays/production'];
const rendered = new Map<string, K8sObject[]>(
  kustomizations.map((k) => [k, renderKustomization(join(k8s, k))]),
);
const get = (k: string) => rendered.get(k) ?? [];
const find = (k: string, kind: string, name: string) =>
  get(k).find((o) => o.kind === kind && o.metadata.name === name);

describe('every YAML and JSON file under deploy/', () => {
  const yamlFiles = filesUnder(deploy, ['.yaml', '.yml']);
  it('finds the files it is meant to check', () => {
    expect(yamlFiles.map((f) => relative(deploy, f))).toEqual(
      expect.arrayContaining(['compose/compose.yaml', 'k8s/base/kustomization.yaml', 'k8s/nats/values.yaml']),
    );
  });
  it.each(yamlFiles.map((f) => [relative(deploy, f), f]))('%s parses as YAML', (_name, file) => {
    const docs = parseAllDocuments(readFileSync(file, 'utf8'));
    expect(docs.flatMap((d) => d.errors.map((e) => e.message))).toEqual([]);
    expect(docs.length).toBeGreaterThan(0);
  });
  it.each(filesUnder(deploy, ['.json']).map((f) => [relative(deploy, f), f]))(
    '%s parses as JSON',
    (_name, file) => {
      expect(() => JSON.parse(readFileSync(file, 'utf8')) as unknown).not.toThrow();
    },
  );
});

describe('the vendored Kubernetes schemas', () => {
  it('cover every kind the manifests use', () => {
    const used = new Set(
      [...rendered.values(), secretTemplate].flat().map((o) => `${o.apiVersion} ${o.kind}`),
    );
    expect(validator.kinds).toEqual(expect.arrayContaining([...used]));
  });
});

describe.each(kustomizations)('kustomize %s', (name) => {
  const objects = get(name);

  it('renders the four services with their Services, budgets, autoscalers and configuration', () => {
    const ids = objects.map((o) => `${o.kind}/${o.metadata.name}`).sort();
    expect(ids).toEqual(
      [
        'ConfigMap/sluice-config',
        'ConfigMap/sluice-pipeline',
        'Deployment/sluice-delivery',
        'Deployment/sluice-gateway',
        'Deployment/sluice-rules',
        'HorizontalPodAutoscaler/sluice-delivery',
        'HorizontalPodAutoscaler/sluice-rules',
        'PodDisruptionBudget/sluice-delivery',
        'PodDisruptionBudget/sluice-gateway',
        'PodDisruptionBudget/sluice-ingest',
        'PodDisruptionBudget/sluice-rules',
        'Service/sluice-delivery',
        'Service/sluice-gateway',
        'Service/sluice-ingest',
        'Service/sluice-rules',
        'ServiceAccount/sluice',
        'ServiceAccount/sluice-ingest',
        'Role/sluice-ingest-scale',
        'RoleBinding/sluice-ingest-scale',
        'StatefulSet/sluice-ingest',
      ].sort(),
    );
  });

  it('is valid against the Kubernetes 1.36 schemas', () => {
    expect(objects.flatMap((o) => validator.validate(o))).toEqual([]);
  });

  it('has probes on the served health paths and ports, resources, a locked-down context and resolving references', () => {
    expect(checkManifests(objects, served, operatorSecrets)).toEqual([]);
  });

  it('gives the pipeline ConfigMap a pipeline that is valid JSON', () => {
    const data = find(name, 'ConfigMap', 'sluice-pipeline')?.data as Record<string, string> | undefined;
    expect(() => JSON.parse(data?.['pipeline.json'] ?? '') as unknown).not.toThrow();
  });
});

describe('the overlays', () => {
  it.each(['overlays/small', 'overlays/production'])(
    '%s puts everything in the sluice namespace and pins the image',
    (name) => {
      expect(get(name).filter((o) => o.metadata.namespace !== 'sluice')).toEqual([]);
      const images = workloads(get(name)).flatMap((w) =>
        (
          (w.spec as { template: { spec: { containers: { image: string }[] } } }).template.spec.containers ??
          []
        ).map((c) => c.image),
      );
      expect(new Set(images)).toEqual(new Set(['sluice:0.1.0']));
    },
  );

  it('production talks to every node of the NATS cluster the Helm values ask for, and replicates each stream three times', () => {
    const values = parse(readFileSync(join(k8s, 'nats/values.yaml'), 'utf8')) as {
      config: {
        cluster: { enabled: boolean; replicas: number };
        jetstream: {
          enabled: boolean;
          fileStore: { enabled: boolean; pvc: { enabled: boolean } };
          memoryStore: { enabled: boolean };
        };
      };
    };
    expect(values.config.cluster).toEqual({ enabled: true, replicas: 3 });
    const js = values.config.jetstream;
    expect([js.enabled, js.fileStore.enabled, js.fileStore.pvc.enabled, js.memoryStore.enabled]).toEqual([
      true,
      true,
      true,
      false,
    ]);
    const data = find('overlays/production', 'ConfigMap', 'sluice-config')?.data as Record<string, string>;
    // the release `nats` names its pods nats-0..n-1 behind the headless Service nats-headless
    const nodes = Array.from(
      { length: values.config.cluster.replicas },
      (_, i) => `nats://nats-${i}.nats-headless:4222`,
    );
    expect(data.SLUICE_NATS_URL?.split(',')).toEqual(nodes);
    expect(data.SLUICE_BUS_REPLICAS).toBe('3');
    expect(data.SLUICE_BUS).toBe('nats'); // kept from the base by the merge
  });

  it('production runs more of everything than small, and small keeps one replica per service', () => {
    const spec = (k: string, kind: string, n: string) => find(k, kind, n)?.spec as Record<string, number>;
    expect(spec('overlays/small', 'Deployment', 'sluice-gateway').replicas).toBe(1);
    expect(spec('overlays/small', 'StatefulSet', 'sluice-ingest').replicas).toBe(1);
    expect(spec('overlays/small', 'HorizontalPodAutoscaler', 'sluice-rules').minReplicas).toBe(1);
    expect(spec('overlays/production', 'Deployment', 'sluice-gateway').replicas).toBe(3);
    expect(spec('overlays/production', 'StatefulSet', 'sluice-ingest').replicas).toBe(3);
    expect(spec('overlays/production', 'HorizontalPodAutoscaler', 'sluice-delivery').minReplicas).toBe(3);
  });

  it('production patches one container entry by name instead of replacing the list', () => {
    const rules = find('overlays/production', 'Deployment', 'sluice-rules');
    const [container, ...others] = (
      rules?.spec as { template: { spec: { containers: Record<string, unknown>[] } } }
    ).template.spec.containers;
    expect(others).toEqual([]);
    expect(container?.resources).toEqual({
      requests: { cpu: '1', memory: '512Mi' },
      limits: { cpu: '2', memory: '1Gi' },
    });
    const env = container?.env as { name: string; value?: string }[];
    expect(env.find((e) => e.name === 'NODE_OPTIONS')?.value).toBe('--max-old-space-size=768');
    expect(env.find((e) => e.name === 'SLUICE_HTTP_PORT')?.value).toBe('4002'); // from the base
    expect(container?.readinessProbe).toBeDefined(); // from the base
  });
});

describe('the Secret template', () => {
  it('is a valid Secret with the keys the gateway reads, and only placeholders', () => {
    expect(secretTemplate.flatMap((s) => validator.validate(s))).toEqual([]);
    const data = secretTemplate[0]?.stringData as Record<string, string>;
    expect(Object.keys(data).sort()).toEqual([
      'SLUICE_ADMIN_KEY',
      'SLUICE_DATABASE_URL',
      'SLUICE_NATS_PASSWORD',
      'SLUICE_SECRET_KEY',
    ]);
    expect(new Set(Object.values(data))).toEqual(new Set(['REPLACE_ME']));
  });
});
