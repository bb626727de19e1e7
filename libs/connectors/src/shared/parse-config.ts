import { z } from 'zod';
import { ConnectorConfigInvalidError, TemplateSyntaxError } from '../errors';

/**
 * Parses `input` with `schema`; on failure throws `ConnectorConfigInvalidError` naming the first
 * bad field (its dotted path) and listing every problem in the message.
 */
export function parseConfig<S extends z.ZodType>(schema: S, input: unknown, prefix = ''): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => ({
    path: joinPath(prefix, issue.path),
    message: issue.message,
  }));
  const first = issues[0] ?? { path: prefix, message: 'invalid' };
  const error = new ConnectorConfigInvalidError(
    first.path,
    issues.map((i, n) => (n === 0 ? i.message : `${i.path}: ${i.message}`)).join('; '),
  );
  throw error;
}

/** Runs a template compilation, turning a syntax error into a config error that names `field`. */
export function compileField<T>(field: string, compile: () => T): T {
  try {
    return compile();
  } catch (error) {
    if (error instanceof TemplateSyntaxError) throw new ConnectorConfigInvalidError(field, error.message);
    throw error;
  }
}

function joinPath(prefix: string, path: readonly PropertyKey[]): string {
  const parts = path.map((p) => (typeof p === 'number' ? `[${p}]` : String(p)));
  const joined = parts.reduce(
    (acc, part) => (part.startsWith('[') || !acc ? acc + part : `${acc}.${part}`),
    '',
  );
  return prefix && joined ? `${prefix}.${joined}` : prefix || joined;
}

/**
 * Marks a field of a connector's configuration as a secret: stored sealed, never returned by the
 * API, write-only in forms (JSON Schema `writeOnly`, which the gateway derives its secret paths from).
 */
export const secret = <S extends z.ZodType>(schema: S, description = 'Secret: write-only.'): S =>
  schema.meta({ writeOnly: true, description });

/** TLS options shared by the drivers that speak TLS (PEM strings). */
export const tlsSchema = z
  .object({
    enable: z.boolean().default(true),
    ca: z.string().optional(),
    cert: z.string().optional(),
    key: secret(z.string().optional(), 'Private key, PEM. Secret: write-only.'),
    rejectUnauthorized: z.boolean().default(true),
    servername: z.string().optional(),
  })
  .strict()
  .meta({ title: 'TlsConfig', description: 'TLS, PEM strings.' });
export type TlsConfig = z.output<typeof tlsSchema>;

/** Node `tls.connect` options from our TLS config, or undefined when TLS is off. */
export function nodeTlsOptions(tls: TlsConfig | undefined) {
  if (!tls?.enable) return undefined;
  return {
    ca: tls.ca,
    cert: tls.cert,
    key: tls.key,
    rejectUnauthorized: tls.rejectUnauthorized,
    servername: tls.servername,
  };
}

export const positiveInt = () => z.number().int().positive();
