import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { alwaysSensitive } from './common.config';
import { ConfigError } from './config-error';

export interface LoadConfigOptions {
  /** Settings whose values are masked when the effective configuration is logged. */
  sensitive?: readonly string[];
  /**
   * Where to write the effective configuration line; `false` or unset: nowhere. Services leave it
   * unset: their JSON logger writes it (as `config`) once it exists, from {@link effectiveConfigOf}.
   */
  log?: ((line: string) => void) | false;
}

type Env = Record<string, string | undefined>;

/**
 * Reads `SLUICE_CONFIG_FILE` (a JSON object of `SLUICE_*` settings) under the environment, so the
 * environment wins, validates the result against `schema` once and returns it frozen.
 * Throws {@link ConfigError} naming every bad setting.
 *
 * @example
 * const config = loadConfig(z.object({ SLUICE_HTTP_PORT: z.coerce.number().default(4000) }), process.env);
 */
export function loadConfig<S extends z.ZodObject>(
  schema: S,
  env: Env = process.env,
  options: LoadConfigOptions = {},
): Readonly<z.infer<S>> {
  const merged: Env = { ...readConfigFile(env['SLUICE_CONFIG_FILE']), ...definedOnly(env) };
  // why: an empty variable (`SLUICE_MQTT_URL=`) means "not set", as in most twelve-factor tools
  for (const [key, value] of Object.entries(merged)) if (value === '') delete merged[key];
  const result = schema.safeParse(merged);
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((issue) => ({
        setting: issue.path.map(String).join('.') || '(root)',
        problem: describeIssue(issue, merged),
      })),
    );
  }
  const config = Object.freeze(result.data) as Readonly<z.infer<S>>;
  const masked = maskSensitive(config, options.sensitive ?? []);
  effective.set(config, masked);
  if (options.log) options.log(`Effective configuration: ${JSON.stringify(masked)}`);
  return config;
}

// why a side table rather than a field: the config object stays exactly the schema's type, and the
// masked view (which needs the service's list of sensitive settings) is there for the logger later
const effective = new WeakMap<object, Record<string, unknown>>();

/**
 * The effective configuration of an object returned by {@link loadConfig}, with the sensitive
 * settings and URL passwords masked; undefined for any other object.
 *
 * @example logger.info({ config: effectiveConfigOf(config) }, 'Effective configuration');
 */
export function effectiveConfigOf(config: object): Readonly<Record<string, unknown>> | undefined {
  return effective.get(config);
}

function describeIssue(issue: z.core.$ZodIssue, env: Env): string {
  const key = issue.path[0];
  const given = typeof key === 'string' && env[key] !== undefined ? ` (got ${JSON.stringify(env[key])})` : '';
  return `${issue.message}${given}`;
}

function definedOnly(env: Env): Env {
  return Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined));
}

function readConfigFile(path: string | undefined): Env {
  if (!path) return {};
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError([
      { setting: 'SLUICE_CONFIG_FILE', problem: `cannot read ${path}: ${(error as Error).message}` },
    ]);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ConfigError([
      { setting: 'SLUICE_CONFIG_FILE', problem: `${path} is not JSON: ${(error as Error).message}` },
    ]);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ConfigError([{ setting: 'SLUICE_CONFIG_FILE', problem: `${path} must hold a JSON object` }]);
  }
  return Object.fromEntries(
    Object.entries(parsed).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]),
  );
}

/** Masks the values of sensitive settings and the password part of URLs. */
export function maskSensitive(config: object, sensitive: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(config).map(([key, value]) => {
      if ((sensitive.includes(key) || alwaysSensitive.includes(key)) && value !== undefined)
        return [key, '***'];
      if (typeof value === 'string' && /^[a-z][a-z0-9+.-]*:\/\//i.test(value))
        return [key, redactUrlCredentials(value)];
      return [key, value];
    }),
  );
}

/**
 * `text` with the password of every `scheme://user:password@` in it replaced by `***`, also where
 * the URL does not parse (a log line or an error message about a bad URL must not print it). A
 * lone `scheme://secret@` (a NATS token, an API key as user name) is masked too.
 *
 * @example redactUrlCredentials('nats://app:s3cret@nats:4222,nats://t0ken@b:4222'); // 'nats://app:***@nats:4222,nats://***@b:4222'
 */
export function redactUrlCredentials(text: string): string {
  // why up to the last '@' of the word, across '/': a password may hold an unencoded '@' or '/'
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/)([^\s,"']*)@/gi, (_all, scheme: string, userinfo: string) => {
    const colon = userinfo.indexOf(':');
    return colon === -1 ? `${scheme}***@` : `${scheme}${userinfo.slice(0, colon)}:***@`;
  });
}
