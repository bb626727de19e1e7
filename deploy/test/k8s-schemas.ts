// Validates Kubernetes objects against the strict JSON schemas vendored in deploy/schemas (see its
// README for the version and source). The kind each schema covers is read from the schema itself
// (its pinned apiVersion and kind), not from the file name.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import { at, isRecord, objectId, type K8sObject } from './k8s-object';

export interface SchemaValidator {
  /** `apps/v1 Deployment`, ... : what the vendored schemas cover. */
  readonly kinds: string[];
  /** The problems of one object, as readable lines; empty when it is valid. */
  validate(object: K8sObject): string[];
}

const gvk = (apiVersion: unknown, kind: unknown) => `${String(apiVersion)} ${String(kind)}`;

/**
 * Loads every schema in `dir` (the shared `_definitions.json` and one file per kind).
 *
 * @example createSchemaValidator('deploy/schemas').validate(deployment); // [] when valid
 */
export function createSchemaValidator(dir: string): SchemaValidator {
  const ajv = new Ajv({ strict: true, allErrors: true });
  const byKind = new Map<string, string>();
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.json'))) {
    const schema: unknown = JSON.parse(readFileSync(join(dir, file), 'utf8'));
    if (!isRecord(schema) || typeof schema.$id !== 'string')
      throw new Error(`${file}: a schema needs an $id`);
    ajv.addSchema(schema);
    const apiVersion = at(schema, 'properties', 'apiVersion', 'enum');
    const kind = at(schema, 'properties', 'kind', 'enum');
    if (Array.isArray(apiVersion) && Array.isArray(kind)) byKind.set(gvk(apiVersion[0], kind[0]), schema.$id);
  }
  const compiled = new Map<string, ValidateFunction>();
  return {
    kinds: [...byKind.keys()].sort(),
    validate(object) {
      const id = byKind.get(gvk(object.apiVersion, object.kind));
      if (!id) return [`${objectId(object)}: no schema for ${gvk(object.apiVersion, object.kind)} in ${dir}`];
      let check = compiled.get(id);
      if (!check) {
        check = ajv.getSchema(id);
        if (!check) throw new Error(`schema ${id} did not compile`);
        compiled.set(id, check);
      }
      return check(object) ? [] : (check.errors ?? []).map((e) => `${objectId(object)}: ${describe(e)}`);
    },
  };
}

function describe(error: ErrorObject): string {
  const where = error.instancePath || '/';
  if (error.keyword === 'additionalProperties') {
    return `${where}: unknown field "${String((error.params as { additionalProperty: string }).additionalProperty)}"`;
  }
  return `${where}: ${error.message ?? error.keyword}`;
}
