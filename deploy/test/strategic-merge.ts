// Strategic merge patch, for the fields deploy/k8s patches: maps merge key by key, `null` deletes
// a key, and lists that Kubernetes merges by a key (containers by name, env by name, ports by
// containerPort or port, ...: the x-kubernetes-patch-merge-key of the API) merge item by item;
// every other list is replaced, as the API does for lists without a merge strategy.
import { isRecord, type JsonRecord } from './k8s-object';

const mergeKeys: Record<string, string> = {
  containers: 'name',
  initContainers: 'name',
  env: 'name',
  volumes: 'name',
  volumeMounts: 'mountPath',
  imagePullSecrets: 'name',
  topologySpreadConstraints: 'topologyKey',
};

function mergeKeyOf(field: string | undefined, items: JsonRecord[]): string | undefined {
  if (field === 'ports') return items.some((item) => 'containerPort' in item) ? 'containerPort' : 'port';
  return field === undefined ? undefined : mergeKeys[field];
}

/**
 * `patch` merged into `base` (neither is changed).
 *
 * @example strategicMerge({ a: { b: 1, c: 2 } }, { a: { c: null, d: 3 } }); // { a: { b: 1, d: 3 } }
 */
export function strategicMerge(base: unknown, patch: unknown, field?: string): unknown {
  if (isRecord(base) && isRecord(patch)) {
    const out: JsonRecord = structuredClone(base);
    for (const [key, value] of Object.entries(patch)) {
      if (value === null) delete out[key];
      else out[key] = strategicMerge(base[key], value, key);
    }
    return out;
  }
  if (Array.isArray(base) && Array.isArray(patch)) {
    const items: unknown[] = [...(base as unknown[]), ...(patch as unknown[])];
    const key = mergeKeyOf(field, items.filter(isRecord));
    if (key && items.every((item) => isRecord(item) && item[key] !== undefined)) {
      const merged = (base as JsonRecord[]).map((item) => structuredClone(item));
      for (const item of patch as JsonRecord[]) {
        const index = merged.findIndex((existing) => existing[key] === item[key]);
        if (index >= 0) merged[index] = strategicMerge(merged[index], item) as JsonRecord;
        else merged.push(structuredClone(item));
      }
      return merged;
    }
  }
  return structuredClone(patch);
}
