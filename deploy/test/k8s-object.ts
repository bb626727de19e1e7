import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';

/** A Kubernetes object as parsed from YAML: only the identity is typed, the rest is checked by schema. */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; [key: string]: unknown };
  [key: string]: unknown;
}

export type JsonRecord = Record<string, unknown>;

export function isRecord(value: unknown): value is JsonRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The value at a dotted path of plain objects, or undefined (`at(obj, 'spec', 'template')`). */
export function at(value: unknown, ...path: string[]): unknown {
  let current = value;
  for (const key of path) {
    if (!isRecord(current)) return undefined;
    current = current[key];
  }
  return current;
}

export function records(value: unknown): JsonRecord[] {
  return Array.isArray(value) ? value.filter(isRecord) : [];
}

/** `Deployment/sluice-gateway` (with the namespace when set), for messages and identity. */
export function objectId(object: K8sObject): string {
  const ns = object.metadata.namespace ? `${object.metadata.namespace}/` : '';
  return `${object.kind}/${ns}${object.metadata.name}`;
}

/**
 * Every YAML document of a file that is not empty, each checked to be a Kubernetes object
 * (apiVersion, kind and metadata.name present). A YAML syntax error throws with the file name.
 */
export function readObjects(file: string): K8sObject[] {
  const objects: K8sObject[] = [];
  for (const doc of parseAllDocuments(readFileSync(file, 'utf8'))) {
    if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors.map((e) => e.message).join('; ')}`);
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) continue;
    objects.push(asObject(value, file));
  }
  return objects;
}

export function asObject(value: unknown, origin: string): K8sObject {
  if (
    !isRecord(value) ||
    typeof value.apiVersion !== 'string' ||
    typeof value.kind !== 'string' ||
    typeof at(value, 'metadata', 'name') !== 'string'
  ) {
    throw new Error(`${origin}: a document without apiVersion, kind and metadata.name`);
  }
  return value as K8sObject;
}
