import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { PublishPayloadTooLargeError, PublishRequestInvalidError } from '@sluice/publish';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { writeProblem } from './problem-details.filter';

interface BodyParserError {
  type?: string;
  length?: number;
  limit?: number;
}

const PUBLISH_PATHS = /^\/(api\/v5\/publish(\/bulk)?|pub)\/?(\?|$)/;

/**
 * Nest's JSON body parser runs before any route, so its errors (a body over its size limit,
 * broken JSON) never reach the ProblemDetailsFilter and Express would answer them in HTML. This
 * adds an Express error handler, for the publish paths only, that answers them as problem+json.
 */
@Injectable()
export class BodyParserErrorsHook implements OnModuleInit {
  private readonly logger = new Logger('PublishApi');

  constructor(private readonly adapterHost: HttpAdapterHost) {}

  onModuleInit(): void {
    const instance: unknown = this.adapterHost.httpAdapter?.getInstance();
    const use = (instance as { use?: unknown } | undefined)?.use;
    if (typeof use !== 'function') return; // not Express (e.g. Fastify): nothing to hook
    use.call(
      instance,
      (
        error: unknown,
        request: IncomingMessage,
        response: ServerResponse,
        next: (error: unknown) => void,
      ) => {
        const parserError = error as BodyParserError;
        if (!PUBLISH_PATHS.test(request.url ?? '') || typeof parserError?.type !== 'string')
          return next(error);
        if (parserError.type === 'entity.too.large') {
          const tooLarge = new PublishPayloadTooLargeError(parserError.length ?? 0, parserError.limit ?? 0);
          tooLarge.message = `request body of ${parserError.length} bytes exceeds the server's body limit of ${parserError.limit} bytes`;
          return writeProblem(request, response, tooLarge, this.logger);
        }
        if (parserError.type === 'entity.parse.failed') {
          return writeProblem(
            request,
            response,
            new PublishRequestInvalidError('the body is not valid JSON'),
            this.logger,
          );
        }
        return next(error);
      },
    );
  }
}
