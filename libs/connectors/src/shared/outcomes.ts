import type { DeliveryOutcome } from '../connector';
import { deliveryCodes } from '../errors';

export const OK: DeliveryOutcome = Object.freeze({ ok: true });

export function failed(code: string, message: string, retryable: boolean): DeliveryOutcome {
  return { ok: false, retryable, code, message };
}

export const unavailable = (message: string): DeliveryOutcome =>
  failed(deliveryCodes.unavailable, message, true);
export const rejected = (message: string, retryable: boolean): DeliveryOutcome =>
  failed(deliveryCodes.failed, message, retryable);

/** Node socket error codes that mean "the target is not there (now)", never "it refused the record". */
const connectionErrorCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENOTCONN',
  'ERR_SOCKET_CLOSED',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_CLOSED',
  'PROTOCOL_CONNECTION_LOST',
  // TLS handshake failures: the target is unusable until the certificates or the CA change
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** True when `error` (or its cause chain) is a connection-level failure. */
export function isConnectionError(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e && depth < 5; depth++) {
    if (typeof e !== 'object') return false;
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && connectionErrorCodes.has(code)) return true;
    if (e instanceof AggregateError && e.errors.some((inner) => isConnectionError(inner))) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

export function errorMessage(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0 && !error.message) {
    return error.errors.map((e) => errorMessage(e)).join('; ');
  }
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    const text = error.message || error.name;
    return typeof code === 'string' && !text.includes(code) ? `${code}: ${text}` : text;
  }
  return String(error);
}

/** The same outcome for every record of a batch. */
export const allOf = (count: number, outcome: DeliveryOutcome): DeliveryOutcome[] =>
  Array.from({ length: count }, () => outcome);
