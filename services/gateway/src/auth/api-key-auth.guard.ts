import { Inject, Injectable, SetMetadata, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { GqlExecutionContext } from '@nestjs/graphql';
import { ApiKeysRepository } from '@sluice/persistence';
import { ForbiddenError, UnauthenticatedError } from '../errors/api-errors';
import { ADMIN_KEY, isAdminKey } from './admin-key';
import type { GraphqlContext, Principal } from './principal';

const OPERATOR_ONLY = 'sluice:operator-only';

/** Marks a resolver method that only the operator key may call (tenants, operator keys). */
export const OperatorOnly = () => SetMetadata(OPERATOR_ONLY, true);

/**
 * `Authorization: Bearer <key>`: the operator key (compared in constant time) or an unrevoked API
 * key from the database. An API key without a tenant is an operator key too.
 */
@Injectable()
export class ApiKeyAuthGuard implements CanActivate {
  constructor(
    @Inject(ADMIN_KEY) private readonly adminKey: string,
    private readonly apiKeys: ApiKeysRepository,
    private readonly reflector: Reflector,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const { req } = GqlExecutionContext.create(context).getContext<GraphqlContext>();
    req.principal ??= await this.authenticate(req.headers.authorization);
    const operatorOnly = this.reflector.getAllAndOverride<boolean>(OPERATOR_ONLY, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (operatorOnly && req.principal.kind !== 'operator') {
      throw new ForbiddenError('only the operator key may do this');
    }
    return true;
  }

  private authenticate(header: string | string[] | undefined): Promise<Principal> {
    return authenticateKey(header, this.adminKey, this.apiKeys);
  }
}

/**
 * Who `Authorization: Bearer <key>` is: the operator key (compared in constant time) or an
 * unrevoked API key; throws UnauthenticatedError otherwise. Shared by the guard and the gate in
 * front of the GraphQL endpoint (which runs it before the body is parsed).
 */
export async function authenticateKey(
  header: string | string[] | undefined,
  adminKey: string,
  apiKeys: Pick<ApiKeysRepository, 'authenticate'>,
): Promise<Principal> {
  const match = typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  if (!match) throw new UnauthenticatedError('send an API key as Authorization: Bearer <key>');
  const key = match[1]!;
  if (isAdminKey(key, adminKey)) return { kind: 'operator' };
  const row = await apiKeys.authenticate(key);
  if (!row) throw new UnauthenticatedError('unknown or revoked API key');
  return row.tenantId === null
    ? { kind: 'operator' }
    : { kind: 'tenant', tenantId: row.tenantId, keyId: row.id };
}
