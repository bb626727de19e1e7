import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { GqlExecutionContext, ID } from '@nestjs/graphql';
import { ForbiddenError, InputInvalidError, UnauthenticatedError } from '../errors/api-errors';
import type { GraphqlContext, Principal } from './principal';

/** The tenant an operation acts on; a branded string so it is not mixed up with other ids. */
export type TenantId = string & { readonly __tenant: true };

/**
 * Decides the tenant from the caller and the operation's optional `tenantId` argument: a tenant
 * key acts on its own tenant (naming another is FORBIDDEN); the operator must name one.
 */
export function resolveTenant(principal: Principal | undefined, requested: unknown): TenantId {
  if (!principal) throw new UnauthenticatedError('not authenticated');
  const asked = typeof requested === 'string' && requested !== '' ? requested : undefined;
  if (principal.kind === 'tenant') {
    if (asked !== undefined && asked !== principal.tenantId) {
      throw new ForbiddenError("an API key may only act on its own tenant's data");
    }
    return principal.tenantId as TenantId;
  }
  if (asked === undefined) throw new InputInvalidError('tenantId', 'the operator key must name the tenant');
  return asked as TenantId;
}

/** The tenant of this operation (see {@link resolveTenant}); use behind ApiKeyAuthGuard. */
export const CurrentTenant = createParamDecorator((_data: unknown, context: ExecutionContext): TenantId => {
  const gql = GqlExecutionContext.create(context);
  const args = gql.getArgs<{ tenantId?: unknown }>();
  return resolveTenant(gql.getContext<GraphqlContext>().req.principal, args.tenantId);
});

/** The authenticated caller. */
export const CurrentPrincipal = createParamDecorator(
  (_data: unknown, context: ExecutionContext): Principal => {
    const principal = GqlExecutionContext.create(context).getContext<GraphqlContext>().req.principal;
    if (!principal) throw new UnauthenticatedError('not authenticated');
    return principal;
  },
);

/** The optional `tenantId` argument of every tenant-scoped operation. */
export const tenantIdArg = {
  type: () => ID,
  nullable: true,
  description: 'Operator key only: the tenant to act on (a tenant key acts on its own).',
} as const;
