#!/usr/bin/env node
// Regenerates the strict JSON schemas in this folder from a Kubernetes OpenAPI v2 document
// (swagger.json), like openapi2jsonschema's "-local" + "-strict" flavours: one file per kind whose
// references point into _definitions.json (only the definitions these kinds reach), with
// `additionalProperties: false` on every object that lists its properties and apiVersion/kind pinned.
// why not the fully inlined "standalone" flavour: ajv then compiles the pod spec once per kind and
// per nesting, 12 s for these kinds against well under a second with shared definitions.
// See README.md for the source document we used.
//
//   node deploy/schemas/generate-schemas.mjs /path/to/swagger.json && npx prettier --write deploy/schemas
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const DEFINITIONS = '_definitions.json';

/** The kinds the manifests under deploy/k8s use: [definition name, output file]. */
export const kinds = [
  ['io.k8s.api.apps.v1.Deployment', 'deployment-apps-v1.json'],
  ['io.k8s.api.apps.v1.StatefulSet', 'statefulset-apps-v1.json'],
  ['io.k8s.api.core.v1.Service', 'service-v1.json'],
  ['io.k8s.api.core.v1.ConfigMap', 'configmap-v1.json'],
  ['io.k8s.api.core.v1.Secret', 'secret-v1.json'],
  ['io.k8s.api.core.v1.ServiceAccount', 'serviceaccount-v1.json'],
  ['io.k8s.api.policy.v1.PodDisruptionBudget', 'poddisruptionbudget-policy-v1.json'],
  ['io.k8s.api.autoscaling.v2.HorizontalPodAutoscaler', 'horizontalpodautoscaler-autoscaling-v2.json'],
  ['io.k8s.api.batch.v1.Job', 'job-batch-v1.json'],
  ['io.k8s.api.rbac.v1.Role', 'role-rbac-v1.json'],
  ['io.k8s.api.rbac.v1.RoleBinding', 'rolebinding-rbac-v1.json'],
];

// why: these two are strings in the OpenAPI document, but manifests write them as numbers too
const special = {
  'io.k8s.apimachinery.pkg.util.intstr.IntOrString': { oneOf: [{ type: 'string' }, { type: 'integer' }] },
  'io.k8s.apimachinery.pkg.api.resource.Quantity': { oneOf: [{ type: 'string' }, { type: 'number' }] },
};

/** Strict copy of one schema node; `refPrefix` is where references point; `reached` collects them. */
function strict(node, refPrefix, reached) {
  if (Array.isArray(node)) return node.map((item) => strict(item, refPrefix, reached));
  if (node === null || typeof node !== 'object') return node;
  if (typeof node.$ref === 'string') {
    const name = node.$ref.replace('#/definitions/', '');
    reached.add(name);
    return { $ref: `${refPrefix}${name}` };
  }
  const out = {};
  for (const [key, value] of Object.entries(node)) {
    // why: ajv's strict mode rejects unknown keywords and formats (int32, int-or-string, byte), and
    // descriptions would make the files several times larger without changing what they accept
    if (key.startsWith('x-') || key === 'format' || key === 'description') continue;
    out[key] =
      key === 'properties'
        ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, strict(v, refPrefix, reached)]))
        : strict(value, refPrefix, reached);
  }
  if (out.properties && out.additionalProperties === undefined) out.additionalProperties = false;
  if (out.properties && !out.type) out.type = 'object';
  return out;
}

/** Builds every file of this folder from an OpenAPI v2 document: { fileName: schema }. */
export function generate(swagger) {
  const files = {};
  const reached = new Set();
  for (const [name, file] of kinds) {
    const definition = swagger.definitions[name];
    if (!definition) throw new Error(`${name} is not in this OpenAPI document`);
    const [gvk] = definition['x-kubernetes-group-version-kind'];
    const schema = strict(definition, `${DEFINITIONS}#/definitions/`, reached);
    schema.properties.apiVersion = {
      type: 'string',
      enum: [gvk.group ? `${gvk.group}/${gvk.version}` : gvk.version],
    };
    schema.properties.kind = { type: 'string', enum: [gvk.kind] };
    schema.required = [...new Set([...(schema.required ?? []), 'apiVersion', 'kind', 'metadata'])];
    files[file] = { $schema: 'http://json-schema.org/draft-07/schema#', $id: file, ...schema };
  }
  const definitions = {};
  const pending = [...reached];
  while (pending.length > 0) {
    const name = pending.pop();
    if (definitions[name]) continue;
    if (special[name]) {
      definitions[name] = special[name];
      continue;
    }
    const before = new Set(reached);
    definitions[name] = strict(swagger.definitions[name], '#/definitions/', reached);
    for (const added of reached) if (!before.has(added)) pending.push(added);
  }
  const sorted = Object.fromEntries(
    Object.keys(definitions)
      .sort()
      .map((k) => [k, definitions[k]]),
  );
  files[DEFINITIONS] = {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: DEFINITIONS,
    definitions: sorted,
  };
  return files;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const source = process.argv[2];
  if (!source) {
    process.stderr.write('usage: generate-schemas.mjs <swagger.json>\n');
    process.exit(2);
  }
  const files = generate(JSON.parse(readFileSync(source, 'utf8')));
  for (const [file, schema] of Object.entries(files)) writeFileSync(join(here, file), JSON.stringify(schema));
  process.stdout.write(`wrote ${Object.keys(files).length} files to ${here}\n`);
}
