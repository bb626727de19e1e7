// A renderer for the part of kustomize that deploy/k8s uses, so the test command can check what
// `kubectl apply -k` would send without kubectl or network: `resources` (files and directories),
// `patches` (strategic merge, from a file or inline, optionally with a target), `namespace` and
// `images`. Any other field throws, so a manifest never relies on something rendered wrongly here.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import {
  asObject,
  isRecord,
  objectId,
  readObjects,
  records,
  type JsonRecord,
  type K8sObject,
} from './k8s-object';
import { strategicMerge } from './strategic-merge';

const supported = new Set(['apiVersion', 'kind', 'resources', 'patches', 'namespace', 'images']);
const clusterScoped = new Set(['Namespace', 'ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition']);

interface ImageRule {
  name: string;
  newName?: string;
  newTag?: string;
  digest?: string;
}

/** Renders the kustomization in `dir` (a folder holding kustomization.yaml) into its objects. */
export function renderKustomization(dir: string): K8sObject[] {
  const file = join(dir, 'kustomization.yaml');
  if (!existsSync(file)) throw new Error(`${dir}: no kustomization.yaml`);
  const k: unknown = parse(readFileSync(file, 'utf8'));
  if (!isRecord(k)) throw new Error(`${file}: not a mapping`);
  const unknown = Object.keys(k).filter((key) => !supported.has(key));
  if (unknown.length > 0)
    throw new Error(`${file}: unsupported kustomization field(s): ${unknown.join(', ')}`);

  let objects: K8sObject[] = [];
  for (const entry of stringList(k.resources, `${file}: resources`)) {
    const path = resolve(dir, entry);
    if (!existsSync(path)) throw new Error(`${file}: resource ${entry} does not exist`);
    objects.push(...(statSync(path).isDirectory() ? renderKustomization(path) : readObjects(path)));
  }
  assertUnique(objects, file);
  for (const [i, patch] of records(k.patches).entries())
    objects = applyPatch(objects, patch, dir, `${file}: patches[${i}]`);
  if (k.images !== undefined) objects = objects.map((o) => setImages(o, imageRules(k.images, file)));
  if (k.namespace !== undefined) {
    if (typeof k.namespace !== 'string') throw new Error(`${file}: namespace must be a string`);
    const namespace = k.namespace;
    objects = objects.map((o) =>
      clusterScoped.has(o.kind) ? o : { ...o, metadata: { ...o.metadata, namespace } },
    );
  }
  return objects;
}

function stringList(value: unknown, what: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string'))
    throw new Error(`${what} must be a list of paths`);
  return value;
}

function assertUnique(objects: K8sObject[], file: string): void {
  const seen = new Set<string>();
  for (const o of objects) {
    const id = objectId(o);
    if (seen.has(id)) throw new Error(`${file}: ${id} is defined twice`);
    seen.add(id);
  }
}

function applyPatch(objects: K8sObject[], entry: JsonRecord, dir: string, where: string): K8sObject[] {
  const unknown = Object.keys(entry).filter((key) => !['path', 'patch', 'target'].includes(key));
  if (unknown.length > 0) throw new Error(`${where}: unsupported field(s) ${unknown.join(', ')}`);
  let text: string;
  if (typeof entry.path === 'string') text = readFileSync(resolve(dir, entry.path), 'utf8');
  else if (typeof entry.patch === 'string') text = entry.patch;
  else throw new Error(`${where}: needs path or patch`);
  const target = entry.target === undefined ? undefined : targetOf(entry.target, where);
  let result = objects;
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length > 0) throw new Error(`${where}: ${doc.errors.map((e) => e.message).join('; ')}`);
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) continue;
    if (Array.isArray(value)) throw new Error(`${where}: JSON 6902 patches are not supported here`);
    result = applyOne(result, value, target, where);
  }
  return result;
}

function targetOf(value: unknown, where: string): { kind?: string; name?: string } {
  if (!isRecord(value)) throw new Error(`${where}: target must be a mapping`);
  const unknown = Object.keys(value).filter((key) => !['kind', 'name'].includes(key));
  if (unknown.length > 0) throw new Error(`${where}: unsupported target field(s) ${unknown.join(', ')}`);
  return {
    ...(typeof value.kind === 'string' ? { kind: value.kind } : {}),
    ...(typeof value.name === 'string' ? { name: value.name } : {}),
  };
}

function applyOne(
  objects: K8sObject[],
  patchValue: unknown,
  target: { kind?: string; name?: string } | undefined,
  where: string,
): K8sObject[] {
  const patch = target ? (patchValue as JsonRecord) : asObject(patchValue, where);
  const matches = (o: K8sObject) =>
    target
      ? (target.kind === undefined || o.kind === target.kind) &&
        (target.name === undefined || o.metadata.name === target.name)
      : o.kind === (patch as K8sObject).kind && o.metadata.name === (patch as K8sObject).metadata.name;
  if (!objects.some(matches)) {
    const what = target
      ? JSON.stringify(target)
      : `${(patch as K8sObject).kind}/${(patch as K8sObject).metadata.name}`;
    throw new Error(`${where}: no object matches ${what}`);
  }
  return objects.map((o) => (matches(o) ? asObject(strategicMerge(o, patch), where) : o));
}

function imageRules(value: unknown, file: string): ImageRule[] {
  return records(value).map((rule) => {
    if (typeof rule.name !== 'string') throw new Error(`${file}: every images entry needs a name`);
    const unknown = Object.keys(rule).filter((key) => !['name', 'newName', 'newTag', 'digest'].includes(key));
    if (unknown.length > 0) throw new Error(`${file}: unsupported images field(s) ${unknown.join(', ')}`);
    return rule as unknown as ImageRule;
  });
}

/** Splits `registry:5000/name:tag@sha256:...` into name, tag and digest. */
export function splitImage(image: string): { name: string; tag?: string; digest?: string } {
  const [withTag = '', digest] = image.split('@');
  const slash = withTag.lastIndexOf('/');
  const colon = withTag.lastIndexOf(':');
  const hasTag = colon > slash;
  return {
    name: hasTag ? withTag.slice(0, colon) : withTag,
    ...(hasTag ? { tag: withTag.slice(colon + 1) } : {}),
    ...(digest ? { digest } : {}),
  };
}

function setImages(object: K8sObject, rules: ImageRule[]): K8sObject {
  const podSpec =
    isRecord(object.spec) && isRecord(object.spec.template) ? object.spec.template.spec : undefined;
  if (!isRecord(podSpec)) return object;
  const copy = structuredClone(object);
  const spec = (copy.spec as JsonRecord).template as JsonRecord;
  for (const field of ['containers', 'initContainers']) {
    for (const container of records((spec.spec as JsonRecord)[field])) {
      if (typeof container.image !== 'string') continue;
      const image = splitImage(container.image);
      const rule = rules.find((r) => r.name === image.name);
      if (!rule) continue;
      const tag = rule.newTag ?? image.tag;
      const digest = rule.digest ?? image.digest;
      container.image = `${rule.newName ?? image.name}${tag && !rule.digest ? `:${tag}` : ''}${digest ? `@${digest}` : ''}`;
    }
  }
  return copy;
}
