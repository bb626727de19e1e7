/** What a redacted value is replaced with. */
export const REDACTED = '[REDACTED]';

// why a key pattern rather than pino's fixed redact paths: secrets hide at any depth and under many
// spellings (password, clientSecret, api_key, accessToken, Authorization)
const SECRET_KEY =
  /pass(word|wd)?$|secret|token|(^|[_-])key$|[a-z]Key$|^key$|authorization|credential|cookie/i;
// why up to the last "@" before a space or quote: a password with an unencoded "/", "@" or "#" makes
// the URL unparsable, and that is exactly when it reaches an error message (issue #14)
const URL_CREDENTIALS = /\b([a-z][a-z0-9+.-]*:\/\/[^:/\s@"'<>]*:)[^\s"'<>]*@/gi;
// why also without a colon: a lone userinfo is a token to NATS (`nats://token@host`) and to some
// HTTP services; a username masked too is the cheaper mistake
const URL_LONE_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^:/\s@"'<>[\]]+@/gi;
const INLINE_SECRET = /\b(password|passwd|pwd|secret|token|api[_-]?key)=([^&\s"',;]+)/gi;
const MAX_DEPTH = 6;

/** True when a field of this name holds a secret. */
export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key);
}

/**
 * `text` with URL credentials (`amqp://u:p@h`, a lone token in `nats://token@h`) and
 * `password=...`-style pairs masked.
 *
 * @example redactText('amqp://guest:guest@host'); // 'amqp://guest:[REDACTED]@host'
 */
export function redactText(text: string): string {
  if (!text.includes('@') && !text.includes('=')) return text;
  return text
    .replace(URL_CREDENTIALS, `$1${REDACTED}@`)
    .replace(URL_LONE_USERINFO, `$1${REDACTED}@`)
    .replace(INLINE_SECRET, `$1=${REDACTED}`);
}

/**
 * A copy of `value` in which every field named like a secret is masked and strings have their
 * embedded credentials masked; the input is left untouched. Deep structures are cut at a depth
 * of 6, and cycles are cut too.
 *
 * @example redactValue({ user: 'u', password: 'p' }); // { user: 'u', password: '[REDACTED]' }
 */
export function redactValue(value: unknown, depth = 0, seen = new WeakSet<object>()): unknown {
  if (typeof value === 'string') return redactText(value);
  if (value === null || typeof value !== 'object') return value;
  if (seen.has(value) || depth >= MAX_DEPTH) return '[…]';
  seen.add(value);
  if (Array.isArray(value)) return value.map((item) => redactValue(item, depth + 1, seen));
  // why a plain copy: pino serializes an Error's message and stack as they are, secrets included
  if (value instanceof Error)
    return { type: value.name, message: redactText(value.message), stack: redactText(value.stack ?? '') };
  if (Buffer.isBuffer(value) || value instanceof Date) return value;
  const copy: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) {
    copy[key] = isSecretKey(key) && field !== undefined ? REDACTED : redactValue(field, depth + 1, seen);
  }
  return copy;
}
