import { SluiceError } from '@sluice/errors';
import type { GraphQLFormattedError } from 'graphql';
import { mapError } from '../errors/error-mapping';

/** Sluice codes that have a GraphQL code of their own, more precise than their category's. */
const graphqlCodes: Readonly<Record<string, string>> = {
  RULE_SYNTAX: 'RULE_SYNTAX',
  RULE_SQL_SYNTAX: 'RULE_SYNTAX',
  QUOTA_EXCEEDED: 'QUOTA_EXCEEDED',
  QUERY_TOO_COMPLEX: 'QUERY_TOO_COMPLEX',
};

const hidden = new Set(['name', 'message', 'stack', 'code', 'category', 'cause']);

/**
 * Codes Apollo gives errors of the request itself (parsing, validation, variable coercion). Such an
 * error may wrap a TypeError from graphql-js (an Int that is not one), yet it is the client's
 * mistake and safe to show.
 */
const requestErrorCodes = new Set(['BAD_USER_INPUT', 'GRAPHQL_PARSE_FAILED', 'GRAPHQL_VALIDATION_FAILED']);

/**
 * Apollo's `formatError`: a SluiceError becomes `{ message, extensions: { code, sluiceCode,
 * ...details } }` (details are its own scalar fields, such as `line`, `column`, `field`); anything
 * unknown is logged and answered with a generic INTERNAL_SERVER_ERROR. Never a stack trace.
 */
export function formatGraphqlError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const original = unwrap(error);
  const base = { locations: formatted.locations, path: formatted.path };
  if (original instanceof SluiceError) {
    const mapped = mapError(original);
    return {
      ...base,
      message: mapped.message,
      extensions: {
        ...details(original),
        code: graphqlCodes[original.code] ?? mapped.graphql,
        sluiceCode: original.code,
      },
    };
  }
  // why: errors graphql-js or Apollo raised themselves (syntax, validation, a bad variable) have no
  // resolver error behind them and are safe to show; anything thrown from a resolver is not
  const code = formatted.extensions?.code;
  const requestError = formatted.path === undefined && requestErrorCodes.has(String(code));
  if ((original === error && code !== 'INTERNAL_SERVER_ERROR') || requestError) {
    const { stacktrace: _stack, ...extensions } = formatted.extensions ?? {};
    // why: a variable's bad value names its path ("... at \"input.http.poolSize\"; ..."), as our own errors do
    const field = code === 'BAD_USER_INPUT' ? /at "([^"]+)"/.exec(formatted.message)?.[1] : undefined;
    return { ...base, message: formatted.message, extensions: { ...extensions, ...(field && { field }) } };
  }
  // why not logged here: traceIdPlugin logs it with the request's trace id
  const mapped = mapError(original);
  return { ...base, message: mapped.message, extensions: { code: mapped.graphql, sluiceCode: mapped.code } };
}

/** The error a resolver (or validation rule) threw, under graphql's wrappers. */
function unwrap(error: unknown): unknown {
  let current = error;
  while (
    typeof current === 'object' &&
    current !== null &&
    'originalError' in current &&
    current.originalError
  ) {
    current = current.originalError;
  }
  return current;
}

function details(error: SluiceError): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const [key, value] of Object.entries(error)) {
    if (hidden.has(key)) continue;
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
      out[key] = value;
  }
  return out;
}
