/**
 * Which parts of a connector or source configuration are secrets. They are stored sealed
 * (SecretBox), never returned by the API (which lists their names in `secretsSet`), and merged
 * back only into the definition the services run.
 */
const commonSecretPaths = ['password', 'pass', 'token', 'tls.key', 'tls.passphrase'];
// why whole headers for HTTP: they commonly carry Authorization or API-key headers
const kindSecretPaths: Readonly<Record<string, readonly string[]>> = {
  http: ['headers'],
  kafka: ['sasl.password'],
};
/** The password inside a `scheme://user:password@host` URL. */
export const URL_PASSWORD = 'url.password';
/** A secret query parameter of the URL (`?password=`, `?token=`), kept as `url.query.<name>`. */
const URL_QUERY = 'url.query.';
const SECRET_PARAM =
  /^(password|passwd|pass|pwd|sslpassword|token|access_token|auth|api_?key|apikey|key|secret|sig|signature)$/i;

export type Secrets = Record<string, unknown>;

export interface SplitConfig {
  config: Record<string, unknown>;
  /** Keyed by path (`password`, `tls.key`, `url.password`). */
  secrets: Secrets;
}

/**
 * Takes the secrets out of `config` (a copy; the argument is not changed).
 *
 * @example splitSecrets('postgres', { url: 'postgres://u:pw@h/db' }) // { config: { url: 'postgres://u@h/db' }, secrets: { 'url.password': 'pw' } }
 */
export function splitSecrets(kind: string, config: Record<string, unknown>): SplitConfig {
  const copy = structuredClone(config);
  const secrets: Secrets = {};
  for (const path of [...commonSecretPaths, ...(kindSecretPaths[kind] ?? [])]) {
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
 * The paths of a kind's configuration that are secrets (`url.password`: the password inside its URL),
 * for forms that must treat them as write-only.
 *
 * @example secretPaths('kafka') // ['password', 'pass', 'token', 'tls.key', 'tls.passphrase', 'sasl.password', 'url.password']
 */
export function secretPaths(kind: string): string[] {
  return [...commonSecretPaths, ...(kindSecretPaths[kind] ?? []), URL_PASSWORD];
}
