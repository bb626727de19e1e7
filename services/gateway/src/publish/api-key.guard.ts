import {
  Inject,
  Injectable,
  createParamDecorator,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import {
  parseBasicAuthorization,
  UnauthorizedError,
  type ApiKeyVerifier,
  type PublishPrincipal,
} from '@sluice/publish';
import type { IncomingMessage } from 'node:http';
import { API_KEY_VERIFIER } from './publish.tokens';

type AuthenticatedRequest = IncomingMessage & { publishPrincipal?: PublishPrincipal };

/** HTTP Basic authentication with an API key (or the operator key); 401 otherwise. */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(@Inject(API_KEY_VERIFIER) private readonly verifier: ApiKeyVerifier) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const credentials = parseBasicAuthorization(request.headers.authorization);
    if (!credentials) {
      throw new UnauthorizedError('send an API key with HTTP Basic authentication (key:secret)');
    }
    const principal = await this.verifier.verify(credentials);
    if (!principal) throw new UnauthorizedError('unknown or revoked API key, or wrong secret');
    request.publishPrincipal = principal;
    return true;
  }
}

/** The principal the ApiKeyGuard authenticated. */
export const CurrentPrincipal = createParamDecorator(
  (_data: unknown, context: ExecutionContext): PublishPrincipal => {
    const principal = context.switchToHttp().getRequest<AuthenticatedRequest>().publishPrincipal;
    if (!principal) throw new UnauthorizedError('not authenticated');
    return principal;
  },
);
