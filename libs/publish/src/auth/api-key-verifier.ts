/** Who is publishing, as the API key says. */
export interface PublishPrincipal {
  /** The key's id (the rate-limit bucket); 'admin' for the operator key. */
  keyId: string;
  /** The key's tenant; null for the operator. */
  tenantId: string | null;
  /** MQTT topic filters the key may publish to; 'any' for the operator key. Empty allows nothing. */
  topicFilters: readonly string[] | 'any';
  /** Messages per second; null means the configured default; 'unlimited' for the operator key. */
  rateLimit: number | null | 'unlimited';
}

/** Credentials from an `Authorization: Basic` header. */
export interface BasicCredentials {
  username: string;
  password: string;
}

/**
 * Turns credentials into a principal, or null when they are not valid. The gateway backs it with
 * the persistence lib's API keys and the operator key; tests may use a small in-memory one.
 */
export interface ApiKeyVerifier {
  verify(credentials: BasicCredentials): Promise<PublishPrincipal | null>;
}

/**
 * Reads `Authorization: Basic base64(username:password)` (RFC 7617); undefined when the header is
 * missing, not Basic, or malformed. The password is everything after the first colon.
 *
 * @example parseBasicAuthorization('Basic ' + btoa('admin:s3cret')); // { username: 'admin', password: 's3cret' }
 */
export function parseBasicAuthorization(header: string | undefined): BasicCredentials | undefined {
  if (!header) return undefined;
  const match = /^Basic[ ]+([A-Za-z0-9+/]+={0,2})[ ]*$/i.exec(header);
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) return undefined;
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}
