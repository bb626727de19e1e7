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
/**
 * The credentials inside a NATS `servers` URL (a string or a list), `user:password` or a token
 * (NATS reads a lone user name as one), kept whole as `servers.<i>.credentials`: the URL shown is
 * the host alone, so a URL given back as shown keeps them, and any user part given is new.
 */
const SERVERS = /^servers\.(\d+)\.credentials$/;
/** The credentials of a NATS source's `url`, as for `servers`. */
const URL_CREDENTIALS = 'url.credentials';
/** The schemes of NATS URLs, whose lone user name is a token. */
const NATS_SCHEME = /^(nats|tls):$/;
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
    const credentials = url && NATS_SCHEME.test(url.protocol) ? takeCredentials(url) : undefined;
    if (credentials !== undefined) {
      secrets[URL_CREDENTIALS] = credentials;
      taken = true;
    }
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
  if (typeof copy.servers === 'string' || Array.isArray(copy.servers)) {
    const list = typeof copy.servers === 'string' ? [copy.servers] : [...(copy.servers as unknown[])];
    list.forEach((server, i) => {
      const url = typeof server === 'string' ? parseUrl(server) : undefined;
      const credentials = url ? takeCredentials(url) : undefined;
      if (credentials === undefined) return;
      secrets[`servers.${i}.credentials`] = credentials;
      list[i] = url!.toString();
    });
    copy.servers = typeof copy.servers === 'string' ? list[0] : list;
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
    const server = SERVERS.exec(path);
    if (server) {
      mergeServerSecret(copy, Number(server[1]), value);
      continue;
    }
    if (path === URL_CREDENTIALS) {
      const url = typeof copy.url === 'string' ? parseUrl(copy.url) : undefined;
      if (url && typeof value === 'string') copy.url = putCredentials(url, value);
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

/** The `user:password` or token of a URL (as written in it), taken out of `url`. */
function takeCredentials(url: URL): string | undefined {
  if (!url.username && !url.password) return undefined;
  const credentials = url.password ? `${url.username}:${url.password}` : url.username;
  url.username = '';
  url.password = '';
  return credentials;
}

function putCredentials(url: URL, credentials: string): string {
  const colon = credentials.indexOf(':');
  url.username = colon === -1 ? credentials : credentials.slice(0, colon);
  if (colon !== -1) url.password = credentials.slice(colon + 1);
  return url.toString();
}

function mergeServerSecret(config: Record<string, unknown>, index: number, value: unknown): void {
  const single = typeof config.servers === 'string';
  const list = single
    ? [config.servers]
    : Array.isArray(config.servers)
      ? [...(config.servers as unknown[])]
      : [];
  const text = list[index];
  const url = typeof text === 'string' ? parseUrl(text) : undefined;
  if (!url || typeof value !== 'string') return;
  list[index] = putCredentials(url, value);
  config.servers = single ? list[0] : list;
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
