// Checks that a JSON schema cannot express: probes on the endpoints the services really serve, on
// the port they really listen on, resources and a locked-down security context on every container,
// and references (ConfigMaps, Secrets, ServiceAccounts, selectors, autoscaler targets) that resolve.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { at, isRecord, objectId, records, type JsonRecord, type K8sObject } from './k8s-object';

export interface ServedEndpoints {
  live: string;
  ready: string;
  /** What `sluice start <service>` accepts. */
  services: string[];
}

/** Reads the health paths and the CLI's service names from the source, so the manifests follow it. */
export function servedEndpoints(repoRoot: string): ServedEndpoints {
  const health = readFileSync(join(repoRoot, 'libs/health/src/health.controller.ts'), 'utf8');
  const base = /@Controller\('([^']+)'\)/.exec(health)?.[1];
  const routes = [...health.matchAll(/@Get\('([^']+)'\)/g)].map((m) => m[1]);
  const cli = readFileSync(join(repoRoot, 'services/cli/src/main.ts'), 'utf8');
  const list = /const services = \[([^\]]+)\]/.exec(cli)?.[1] ?? '';
  const services = [...list.matchAll(/'([a-z-]+)'/g)].map((m) => m[1] ?? '');
  if (!base || !routes.includes('live') || !routes.includes('ready') || services.length === 0) {
    throw new Error('could not read the health routes or the CLI services from the source');
  }
  return { live: `/${base}/live`, ready: `/${base}/ready`, services };
}

const workloadKinds = new Set(['Deployment', 'StatefulSet']);

export function workloads(objects: K8sObject[]): K8sObject[] {
  return objects.filter((o) => workloadKinds.has(o.kind));
}

function labelsMatch(selector: unknown, labels: unknown): boolean {
  if (!isRecord(selector) || Object.keys(selector).length === 0 || !isRecord(labels)) return false;
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

const envValue = (container: JsonRecord, name: string) =>
  records(container.env).find((e) => e.name === name)?.value;

/**
 * Every problem found in the rendered objects of one kustomization; empty when all is well.
 * `secrets` are the Secret names that exist outside the rendering (created by the operator).
 */
export function checkManifests(objects: K8sObject[], served: ServedEndpoints, secrets: string[]): string[] {
  const problems: string[] = [];
  const names = (kind: string) => new Set(objects.filter((o) => o.kind === kind).map((o) => o.metadata.name));
  const configMaps = names('ConfigMap');
  const secretNames = new Set([...names('Secret'), ...secrets]);
  const accounts = names('ServiceAccount');
  const services = names('Service');

  for (const w of workloads(objects)) {
    const id = objectId(w);
    const template = at(w, 'spec', 'template');
    const podSpec = at(template, 'spec');
    const podLabels = at(template, 'metadata', 'labels');
    if (!labelsMatch(at(w, 'spec', 'selector', 'matchLabels'), podLabels)) {
      problems.push(`${id}: the selector does not match the pod template's labels`);
    }
    const account = at(podSpec, 'serviceAccountName');
    if (typeof account === 'string' && !accounts.has(account))
      problems.push(`${id}: no ServiceAccount ${account}`);
    if (w.kind === 'StatefulSet' && !services.has(String(at(w, 'spec', 'serviceName')))) {
      problems.push(`${id}: serviceName does not name a Service`);
    }
    const volumes = records(at(podSpec, 'volumes'));
    for (const v of volumes) {
      const cm = at(v, 'configMap', 'name');
      if (typeof cm === 'string' && !configMaps.has(cm))
        problems.push(`${id}: volume ${String(v.name)}: no ConfigMap ${cm}`);
    }
    const podRunsAsNonRoot = at(podSpec, 'securityContext', 'runAsNonRoot') === true;
    const containers = records(at(podSpec, 'containers'));
    if (containers.length === 0) problems.push(`${id}: no containers`);
    for (const c of containers) {
      problems.push(
        ...checkContainer(
          c,
          `${id} container ${String(c.name)}`,
          served,
          at(podLabels, 'app.kubernetes.io/component'),
        ),
      );
      if (!podRunsAsNonRoot && at(c, 'securityContext', 'runAsNonRoot') !== true) {
        problems.push(`${id} container ${String(c.name)}: may run as root (runAsNonRoot is not true)`);
      }
      for (const ref of records(c.envFrom)) {
        const cm = at(ref, 'configMapRef', 'name');
        const secret = at(ref, 'secretRef', 'name');
        if (typeof cm === 'string' && !configMaps.has(cm))
          problems.push(`${id}: envFrom names no ConfigMap ${cm}`);
        if (typeof secret === 'string' && !secretNames.has(secret))
          problems.push(`${id}: envFrom names no Secret ${secret}`);
      }
      for (const e of records(c.env)) {
        const secret = at(e, 'valueFrom', 'secretKeyRef', 'name');
        if (typeof secret === 'string' && !secretNames.has(secret))
          problems.push(`${id}: env ${String(e.name)} names no Secret ${secret}`);
      }
      for (const m of records(c.volumeMounts)) {
        if (!volumes.some((v) => v.name === m.name))
          problems.push(`${id}: mount ${String(m.name)} has no volume`);
      }
    }
  }

  // RBAC: a binding names a Role and ServiceAccounts that exist, and a Role's named resources exist
  for (const binding of objects.filter((o) => o.kind === 'RoleBinding')) {
    const role = String(at(binding, 'roleRef', 'name'));
    if (!objects.some((o) => o.kind === 'Role' && o.metadata.name === role))
      problems.push(`${objectId(binding)}: no Role ${role}`);
    for (const subject of records(at(binding, 'subjects')))
      if (subject.kind === 'ServiceAccount' && !accounts.has(String(subject.name)))
        problems.push(`${objectId(binding)}: no ServiceAccount ${String(subject.name)}`);
  }
  const kindOfResource: Record<string, string> = { statefulsets: 'StatefulSet', deployments: 'Deployment' };
  for (const role of objects.filter((o) => o.kind === 'Role')) {
    for (const rule of records(at(role, 'rules'))) {
      const resources = (rule.resources as string[] | undefined) ?? [];
      for (const name of (rule.resourceNames as string[] | undefined) ?? [])
        if (
          !resources.some((r) =>
            objects.some((o) => o.kind === kindOfResource[r] && o.metadata.name === name),
          )
        )
          problems.push(`${objectId(role)}: names ${name}, which is none of its ${resources.join(', ')}`);
    }
  }

  for (const hpa of objects.filter((o) => o.kind === 'HorizontalPodAutoscaler')) {
    const kind = String(at(hpa, 'spec', 'scaleTargetRef', 'kind'));
    const name = String(at(hpa, 'spec', 'scaleTargetRef', 'name'));
    const target = objects.find((o) => o.kind === kind && o.metadata.name === name);
    if (!target) problems.push(`${objectId(hpa)}: no ${kind} ${name} to scale`);
    // why: `kubectl apply` would reset the replicas the autoscaler chose on every deploy
    else if (at(target, 'spec', 'replicas') !== undefined)
      problems.push(`${objectId(target)}: sets replicas, but ${objectId(hpa)} owns them`);
    if (Number(at(hpa, 'spec', 'minReplicas') ?? 1) > Number(at(hpa, 'spec', 'maxReplicas'))) {
      problems.push(`${objectId(hpa)}: minReplicas is above maxReplicas`);
    }
  }
  for (const o of objects.filter((x) => x.kind === 'PodDisruptionBudget' || x.kind === 'Service')) {
    const selector =
      o.kind === 'Service' ? at(o, 'spec', 'selector') : at(o, 'spec', 'selector', 'matchLabels');
    const selected = workloads(objects).filter((w) =>
      labelsMatch(selector, at(w, 'spec', 'template', 'metadata', 'labels')),
    );
    if (selected.length === 0) problems.push(`${objectId(o)}: selects no workload`);
    if (o.kind !== 'Service') continue;
    for (const port of records(at(o, 'spec', 'ports'))) {
      const named = port.targetPort;
      const served = selected.some((w) =>
        records(at(w, 'spec', 'template', 'spec', 'containers')).some((c) =>
          records(c.ports).some((p) =>
            typeof named === 'string' ? p.name === named : p.containerPort === (named ?? port.port),
          ),
        ),
      );
      if (selected.length > 0 && !served)
        problems.push(`${objectId(o)}: port ${String(port.name)} targets no container port`);
    }
  }
  return problems;
}

function checkContainer(c: JsonRecord, where: string, served: ServedEndpoints, component: unknown): string[] {
  const problems: string[] = [];
  const ports = records(c.ports);
  const httpPort = Number(envValue(c, 'SLUICE_HTTP_PORT'));
  for (const [probe, path] of [
    ['livenessProbe', served.live],
    ['readinessProbe', served.ready],
  ] as const) {
    const get = at(c, probe, 'httpGet');
    if (!isRecord(get)) {
      problems.push(`${where}: no ${probe} (httpGet)`);
      continue;
    }
    if (get.path !== path)
      problems.push(`${where}: ${probe} probes ${String(get.path)}, the service serves ${path}`);
    const port = ports.find(
      (p) => (typeof get.port === 'string' ? p.name : p.containerPort) === get.port,
    )?.containerPort;
    if (port === undefined)
      problems.push(`${where}: ${probe} port ${String(get.port)} is not a container port`);
    else if (port !== httpPort)
      problems.push(
        `${where}: ${probe} probes port ${JSON.stringify(port)}, SLUICE_HTTP_PORT is ${httpPort}`,
      );
  }
  for (const resource of ['cpu', 'memory']) {
    if (at(c, 'resources', 'requests', resource) === undefined)
      problems.push(`${where}: no ${resource} request`);
  }
  if (at(c, 'resources', 'limits', 'memory') === undefined) problems.push(`${where}: no memory limit`);
  if (at(c, 'securityContext', 'allowPrivilegeEscalation') !== false)
    problems.push(`${where}: allowPrivilegeEscalation is not false`);
  if (at(c, 'securityContext', 'readOnlyRootFilesystem') !== true)
    problems.push(`${where}: the root filesystem is writable`);
  const args: unknown[] = Array.isArray(c.args) ? (c.args as unknown[]) : [];
  const service = args[0] === 'start' ? args[1] : undefined;
  if (typeof service !== 'string' || !served.services.includes(service) || service === 'all') {
    problems.push(
      `${where}: args must be ["start", <one of ${served.services.filter((s) => s !== 'all').join(', ')}>]`,
    );
  } else if (service !== component) {
    problems.push(`${where}: starts ${service} but is labelled component ${String(component)}`);
  }
  return problems;
}
