// Proves the checks fail: each case starts from a valid rendered object, breaks one thing, and
// expects the validator or the checks to name it.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { K8sObject } from './k8s-object';
import { createSchemaValidator } from './k8s-schemas';
import { renderKustomization, splitImage } from './kustomize';
import { checkManifests, servedEndpoints } from './manifest-checks';
import { strategicMerge } from './strategic-merge';

const root = resolve(__dirname, '../..');
const validator = createSchemaValidator(join(root, 'deploy/schemas'));
const served = servedEndpoints(root);
const base = renderKustomization(join(root, 'deploy/k8s/base'));
const secrets = ['sluice-secrets'];

type Container = Record<string, unknown> & { env: { name: string; value?: string }[] };
type Workload = K8sObject & { spec: { replicas?: unknown; template: { spec: { containers: Container[] } } } };

/** A fresh copy of the base with one object changed by `mutate`. */
function withChange(kind: string, name: string, mutate: (o: Workload) => void): K8sObject[] {
  return base.map((o) => {
    if (o.kind !== kind || o.metadata.name !== name) return o;
    const copy = structuredClone(o) as Workload;
    mutate(copy);
    return copy;
  });
}
const gatewayOf = (objects: K8sObject[]) =>
  objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'sluice-gateway') as Workload;
const container = (o: Workload) => o.spec.template.spec.containers[0]!;

describe('a broken manifest fails', () => {
  it('starts from a valid base', () => {
    expect(base.flatMap((o) => validator.validate(o))).toEqual([]);
    expect(checkManifests(base, served, secrets)).toEqual([]);
  });

  it("on ingest's RBAC naming a Role, an account or a StatefulSet that does not exist", () => {
    const objects = base.map((o) => {
      const copy = structuredClone(o) as K8sObject & Record<string, unknown>;
      if (o.kind === 'RoleBinding') {
        (copy['roleRef'] as { name: string }).name = 'sluice-ingest-scal';
        (copy['subjects'] as { name: string }[])[0]!.name = 'sluice-ingset';
      }
      if (o.kind === 'Role')
        (copy['rules'] as { resourceNames: string[] }[])[0]!.resourceNames = ['sluice-ingest-0'];
      return copy;
    });
    expect(checkManifests(objects, served, secrets)).toEqual([
      'RoleBinding/sluice-ingest-scale: no Role sluice-ingest-scal',
      'RoleBinding/sluice-ingest-scale: no ServiceAccount sluice-ingset',
      'Role/sluice-ingest-scale: names sluice-ingest-0, which is none of its statefulsets',
    ]);
  });

  it('on a misspelt field (schema) and the probe it was meant to be (checks)', () => {
    const objects = withChange('Deployment', 'sluice-gateway', (o) => {
      const c = container(o);
      c.livenesProbe = c.livenessProbe;
      delete c.livenessProbe;
    });
    expect(validator.validate(gatewayOf(objects))).toEqual([
      'Deployment/sluice-gateway: /spec/template/spec/containers/0: unknown field "livenesProbe"',
    ]);
    expect(checkManifests(objects, served, secrets)).toEqual([
      'Deployment/sluice-gateway container gateway: no livenessProbe (httpGet)',
    ]);
  });

  it('on a container without a name and on replicas of the wrong type', () => {
    const objects = withChange('Deployment', 'sluice-gateway', (o) => {
      delete container(o).name;
      o.spec.replicas = 'two';
    });
    expect(validator.validate(gatewayOf(objects)).sort()).toEqual(
      [
        "Deployment/sluice-gateway: /spec/template/spec/containers/0: must have required property 'name'",
        'Deployment/sluice-gateway: /spec/replicas: must be integer',
      ].sort(),
    );
  });

  it('on a kind the vendored schemas do not cover', () => {
    const ingress = { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'x' } };
    expect(validator.validate(ingress)).toEqual([
      expect.stringContaining('Ingress/x: no schema for networking.k8s.io/v1 Ingress'),
    ]);
  });

  it('on probes on a path the service does not serve, or on another port', () => {
    const objects = withChange('Deployment', 'sluice-gateway', (o) => {
      const c = container(o) as unknown as {
        readinessProbe: { httpGet: { path: string } };
        livenessProbe: { httpGet: { port: unknown } };
      };
      c.readinessProbe.httpGet.path = '/healthz';
      c.livenessProbe.httpGet.port = 8080;
    });
    expect(validator.validate(gatewayOf(objects))).toEqual([]); // valid Kubernetes, wrong for Sluice
    expect(checkManifests(objects, served, secrets)).toEqual([
      'Deployment/sluice-gateway container gateway: livenessProbe port 8080 is not a container port',
      'Deployment/sluice-gateway container gateway: readinessProbe probes /healthz, the service serves /health/ready',
    ]);
  });

  it('when SLUICE_HTTP_PORT and the probed port disagree', () => {
    const objects = withChange('Deployment', 'sluice-gateway', (o) => {
      container(o).env.find((e) => e.name === 'SLUICE_HTTP_PORT')!.value = '4100';
    });
    expect(checkManifests(objects, served, secrets)).toEqual([
      'Deployment/sluice-gateway container gateway: livenessProbe probes port 4000, SLUICE_HTTP_PORT is 4100',
      'Deployment/sluice-gateway container gateway: readinessProbe probes port 4000, SLUICE_HTTP_PORT is 4100',
    ]);
  });

  it('without resource requests, with a writable root filesystem, or starting the embedded mode', () => {
    const objects = withChange('Deployment', 'sluice-rules', (o) => {
      const c = container(o);
      delete c.resources;
      delete (c.securityContext as Record<string, unknown>).readOnlyRootFilesystem;
      c.args = ['start', 'all'];
    });
    expect(checkManifests(objects, served, secrets)).toEqual([
      'Deployment/sluice-rules container rules: no cpu request',
      'Deployment/sluice-rules container rules: no memory request',
      'Deployment/sluice-rules container rules: no memory limit',
      'Deployment/sluice-rules container rules: the root filesystem is writable',
      'Deployment/sluice-rules container rules: args must be ["start", <one of ingest, rules, delivery, gateway>]',
    ]);
  });

  it('on references that do not resolve and on replicas an autoscaler owns', () => {
    const objects = withChange('Deployment', 'sluice-delivery', (o) => {
      o.spec.replicas = 2;
      (container(o).envFrom as { configMapRef: { name: string } }[])[0]!.configMapRef.name =
        'sluice-settings';
    });
    expect(checkManifests(objects, served, []).sort()).toEqual(
      [
        'Deployment/sluice-gateway: envFrom names no Secret sluice-secrets',
        'Deployment/sluice-delivery: envFrom names no ConfigMap sluice-settings',
        'Deployment/sluice-delivery: env SLUICE_SECRET_KEY names no Secret sluice-secrets',
        'StatefulSet/sluice-ingest: env SLUICE_MQTT_USERNAME names no Secret sluice-secrets',
        'StatefulSet/sluice-ingest: env SLUICE_MQTT_PASSWORD names no Secret sluice-secrets',
        'StatefulSet/sluice-ingest: env SLUICE_NATS_PASSWORD names no Secret sluice-secrets',
        'Deployment/sluice-rules: env SLUICE_NATS_PASSWORD names no Secret sluice-secrets',
        'Deployment/sluice-delivery: env SLUICE_NATS_PASSWORD names no Secret sluice-secrets',
        'Deployment/sluice-delivery: sets replicas, but HorizontalPodAutoscaler/sluice-delivery owns them',
      ].sort(),
    );
  });

  it('when a Service or budget selects nothing', () => {
    const objects = withChange('Deployment', 'sluice-rules', (o) => {
      (o.spec.template as unknown as { metadata: { labels: Record<string, string> } }).metadata.labels[
        'app.kubernetes.io/component'
      ] = 'rule';
    });
    expect(checkManifests(objects, served, secrets).sort()).toEqual(
      [
        "Deployment/sluice-rules: the selector does not match the pod template's labels",
        'Deployment/sluice-rules container rules: starts rules but is labelled component rule',
        'PodDisruptionBudget/sluice-rules: selects no workload',
        'Service/sluice-rules: selects no workload',
      ].sort(),
    );
  });
});

describe('the kustomize renderer', () => {
  let dir: string;
  const write = (path: string, text: string) => {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  };
  const cm = (name: string, data: string) =>
    `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\ndata:\n  ${data}\n`;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sluice-kustomize-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('applies resources, a patch file, an inline targeted patch, the namespace and images', () => {
    write('base/kustomization.yaml', 'resources: [cm.yaml, deploy.yaml]\n');
    write('base/cm.yaml', cm('a', 'x: "1"'));
    write(
      'base/deploy.yaml',
      [
        'apiVersion: apps/v1',
        'kind: Deployment',
        'metadata: { name: d }',
        'spec:',
        '  template:',
        '    spec:',
        '      containers:',
        '        - { name: one, image: "registry.local:5000/team/app:1.0", env: [{ name: A, value: a }, { name: B, value: b }] }',
        '        - { name: two, image: other:2 }',
      ].join('\n'),
    );
    write(
      'over/kustomization.yaml',
      [
        'namespace: ns',
        'resources: [../base]',
        'images: [{ name: registry.local:5000/team/app, newTag: "1.1" }]',
        'patches:',
        '  - path: patch.yaml',
        '  - target: { kind: ConfigMap, name: a }',
        '    patch: |',
        '      data: { y: "2" }',
      ].join('\n'),
    );
    write(
      'over/patch.yaml',
      'apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: d }\nspec:\n  template:\n    spec:\n      containers:\n        - { name: one, env: [{ name: B, value: changed }, { name: C, value: c }] }\n',
    );
    const [configMap, deployment] = renderKustomization(join(dir, 'over'));
    expect(configMap).toEqual({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'a', namespace: 'ns' },
      data: { x: '1', y: '2' },
    });
    expect(deployment?.metadata.namespace).toBe('ns');
    expect(
      (deployment?.spec as { template: { spec: { containers: unknown[] } } }).template.spec.containers,
    ).toEqual([
      {
        name: 'one',
        image: 'registry.local:5000/team/app:1.1',
        env: [
          { name: 'A', value: 'a' },
          { name: 'B', value: 'changed' },
          { name: 'C', value: 'c' },
        ],
      },
      { name: 'two', image: 'other:2' },
    ]);
  });

  it('throws on a field it does not implement, so nothing renders wrongly in silence', () => {
    write('kustomization.yaml', 'resources: [cm.yaml]\ncommonLabels: { a: b }\n');
    write('cm.yaml', cm('a', 'x: "1"'));
    expect(() => renderKustomization(dir)).toThrow(/unsupported kustomization field\(s\): commonLabels/);
  });

  it('throws on a patch that matches nothing, a missing resource, a duplicate and bad YAML', () => {
    write('cm.yaml', cm('a', 'x: "1"'));
    write(
      'kustomization.yaml',
      'resources: [cm.yaml]\npatches: [{ patch: "apiVersion: v1\\nkind: ConfigMap\\nmetadata: { name: b }\\n" }]\n',
    );
    expect(() => renderKustomization(dir)).toThrow(/no object matches ConfigMap\/b/);
    write('kustomization.yaml', 'resources: [cm.yaml, missing.yaml]\n');
    expect(() => renderKustomization(dir)).toThrow(/resource missing.yaml does not exist/);
    write('kustomization.yaml', 'resources: [cm.yaml, cm.yaml]\n');
    expect(() => renderKustomization(dir)).toThrow(/ConfigMap\/a is defined twice/);
    write('bad.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: c\n');
    write('kustomization.yaml', 'resources: [bad.yaml]\n');
    expect(() => renderKustomization(dir)).toThrow(/bad\.yaml/);
  });
});

describe('strategicMerge and splitImage', () => {
  it('merges maps, deletes on null, merges keyed lists and replaces the others', () => {
    const merged = strategicMerge(
      {
        a: { b: 1, c: 2 },
        args: ['x', 'y'],
        ports: [{ containerPort: 1, name: 'p' }],
        volumeMounts: [{ mountPath: '/a', name: 'v' }],
      },
      {
        a: { c: null, d: 3 },
        args: ['z'],
        ports: [{ containerPort: 2 }],
        volumeMounts: [{ mountPath: '/a', readOnly: true }],
      },
    );
    expect(merged).toEqual({
      a: { b: 1, d: 3 },
      args: ['z'],
      ports: [{ containerPort: 1, name: 'p' }, { containerPort: 2 }],
      volumeMounts: [{ mountPath: '/a', name: 'v', readOnly: true }],
    });
  });

  it('splits image references with a registry port, a tag and a digest', () => {
    expect(splitImage('registry.local:5000/app')).toEqual({ name: 'registry.local:5000/app' });
    expect(splitImage('app:1.0@sha256:abc')).toEqual({ name: 'app', tag: '1.0', digest: 'sha256:abc' });
  });
});
