import { connectorKindSchema } from '@sluice/connectors';
import { sourceKindSchema } from '@sluice/sources';

/**
 * Which parts of a connector or source configuration are secrets: the fields its zod schema marks
 * `writeOnly` (libs/connectors, libs/sources), plus a password or secret query parameter inside its
 * URL. They are stored sealed (SecretBox), never returned by the API (which lists their names in
 * `secretsSet`), and merged back only into the definition the services run.
 */
/** The password inside a `scheme://user:password@host` URL. */
export const URL_PASSWORD = 'url.password';
/** A secret query parameter of the URL (`?password=`, `?token=`), kept as `url.query.<name>`. */
const URL_QUERY = 'url.query.';
const SECRET_PARAM =
  /^(password|passwd|pass|pwd|sslpassword|token|access_token|auth|api_?key|apikey|key|secret|sig|signature)$/i;

/**
 * The dotted paths of the fields a JSON Schema marks `writeOnly`, through nested objects and the
 * branches of unions (`ssl: true | { key }` gives `ssl.key`).
 *
 * @example writeOnlyPaths({ properties: { tls: { properties: { key: { writeOnly: true } } } } }) // ['tls.key']
 */
export function writeOnlyPaths(schema: unknown, prefix = ''): string[] {
  if (!isRecord(schema)) return [];
  const found = new Set<string>();
  if (schema.writeOnly === true && prefix) found.add(prefix);
  else {
    for (const branch of [schema.anyOf, schema.oneOf, schema.allOf].flat()) {
      for (const path of writeOnlyPaths(branch, prefix)) found.add(path);
    }
    if (isRecord(schema.properties)) {
      for (const [name, field] of Object.entries(schema.properties)) {
        for (const path of writeOnlyPaths(field, prefix ? `${prefix}.${name}` : name)) found.add(path);
      }
    }
  }
  return [...found];
}

const connectorPaths = new Map<string, readonly string[]>();
const sourcePaths = new Map<string, readonly string[]>();

/** The secret fields of a connector kind (its schema's `writeOnly` fields; none for an unknown kind). */
export function connectorSecretFields(kind: string): readonly string[] {
  let paths = connectorPaths.get(kind);
  if (!paths) connectorPaths.set(kind, (paths = writeOnlyPaths(connectorKindSchema(kind)?.config)));
  return paths;
}

/** The secret fields of a source kind (its schema's `writeOnly` fields; none for an unknown kind). */
export function sourceSecretFields(kind: string): readonly string[] {
  let paths = sourcePaths.get(kind);
  if (!paths) sourcePaths.set(kind, (paths = writeOnlyPaths(sourceKindSchema(kind))));
  return paths;
}

export type Secrets = Record<string, unknown>;

export interface SplitConfig {
  config: Record<string, unknown>;
  /** Keyed by path (`password`, `tls.key`, `url.password`). */
  secrets: Secrets;
}

/**
 * Takes the secrets out of `config` (a copy; the argument is not changed): the fields at `fields`
 * (from connectorSecretFields or sourceSecretFields) and the secrets inside its URL.
 *
 * @example splitSecrets(connectorSecretFields('postgres'), { url: 'postgres://u:pw@h/db' }) // { config: { url: 'postgres://u@h/db' }, secrets: { 'url.password': 'pw' } }
 */
export function splitSecrets(fields: readonly string[], config: Record<string, unknown>): SplitConfig {
  const copy = structuredClone(config);
  const secrets: Secrets = {};
  for (const path of fields) {
    const value = takePath(copy, path);
    if (value !== undefined) secrets[path] = value;
  }
  if (typeof copy.url === 'string') {
    const url = parseUrl(copy.url);
    let taken = false;
    if (url?.password) {
      secrets[URL_PASSWORD] = url.password;
      url.password = '';
      taken = true;
    }
    for (const name of [...new Set(url?.searchParams.keys() ?? [])]) {
      if (!SECRET_PARAM.test(name)) continue;
      secrets[`${URL_QUERY}${name}`] = url!.searchParams.get(name);
      url!.searchParams.delete(name);
      taken = true;
    }
    // why only then: a URL without secrets is returned exactly as given
    if (url && taken) copy.url = url.toString();
  }
  return { config: copy, secrets };
}

/** Puts the secrets back into a copy of `config`: what the connector itself is given. */
export function mergeSecrets(config: Record<string, unknown>, secrets: Secrets): Record<string, unknown> {
  const copy = structuredClone(config);
  for (const [path, value] of Object.entries(secrets)) {
    if (path.startsWith(URL_QUERY)) {
      const url = typeof copy.url === 'string' ? parseUrl(copy.url) : undefined;
      if (url && typeof value === 'string') {
        url.searchParams.set(path.slice(URL_QUERY.length), value);
        copy.url = url.toString();
      }
      continue;
    }
    if (path === URL_PASSWORD) {
      const url = typeof copy.url === 'string' ? parseUrl(copy.url) : undefined;
      if (url && typeof value === 'string') {
        url.password = value;
        copy.url = url.toString();
      }
      continue;
    }
    setPath(copy, path, value);
  }
  return copy;
}

function parseUrl(text: string): URL | undefined {
  try {
    return new URL(text);
  } catch {
    return undefined;
  }
}

function takePath(target: Record<string, unknown>, path: string): unknown {
  const keys = path.split('.');
  const last = keys.pop()!;
  let node: unknown = target;
  for (const key of keys) {
    node = isRecord(node) ? node[key] : undefined;
  }
  if (!isRecord(node) || !(last in node)) return undefined;
  const value = node[last];
  delete node[last];
  return value;
}

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  const last = keys.pop()!;
  let node = target;
  for (const key of keys) {
    const next = node[key];
    if (!isRecord(next)) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[last] = value;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The secrets after an update: the stored ones, replaced by new ones, minus the cleared ones. */
export function nextSecrets(stored: Secrets, incoming: Secrets, clear: readonly string[] = []): Secrets {
  const next: Secrets = { ...stored, ...incoming };
  for (const name of clear) delete next[name];
  return next;
}

/**
 * The paths of a connector kind's configuration that are secrets (`url.password`: the password inside
 * its URL), for forms that must treat them as write-only.
 *
 * @example secretPaths('kafka') // ['sasl.password', 'tls.key', 'url.password']
 */
export function secretPaths(kind: string): string[] {
  return [...connectorSecretFields(kind), URL_PASSWORD];
}
