import { Catch, Logger, type ArgumentsHost } from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';
import type { GqlContextType } from '@nestjs/graphql';
import { SluiceError } from '@sluice/errors';
import { ClientMistakes } from '../errors/client-mistakes';
import { mapError } from '../errors/error-mapping';

/**
 * Hands errors of GraphQL resolvers, guards and pipes to Apollo (formatGraphqlError answers them)
 * instead of letting Nest's default handler log each one at `error` with a stack trace: a client's
 * mistake (an unknown key, a bad input, a quota refusal) is noted by {@link ClientMistakes}; an
 * unexpected error is logged with its stack by traceIdPlugin. Other contexts (HTTP) keep Nest's
 * default handling.
 */
@Catch()
export class GraphqlErrorsFilter extends BaseExceptionFilter {
  private readonly mistakes = new ClientMistakes(new Logger('GraphQL'));

  override catch(exception: unknown, host: ArgumentsHost): unknown {
    if (host.getType<GqlContextType>() !== 'graphql') return super.catch(exception, host);
    if (exception instanceof SluiceError) {
      const mapped = mapError(exception);
      if (mapped.http < 500) this.mistakes.note('GraphQL', mapped.code, mapped.message);
    }
    return exception;
  }
}
