/** Who is calling: the operator (any tenant) or one tenant's API key. */
export type Principal = { kind: 'operator' } | { kind: 'tenant'; tenantId: string; keyId: string };

/** The request as the GraphQL context carries it, once the guard has authenticated it. */
export interface AuthenticatedRequest {
  headers: Record<string, string | string[] | undefined>;
  principal?: Principal;
}

/** The GraphQL context of every operation. */
export interface GraphqlContext {
  req: AuthenticatedRequest;
}
