import { randomBytes } from 'node:crypto';
import { Catch, HttpException, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { trace } from '@opentelemetry/api';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ClientMistakes } from '../errors/client-mistakes';
import { mapError, type MappedError } from '../errors/error-mapping';

const mistakes = new ClientMistakes(new Logger('PublishApi'));

/** The RFC 9457 body Sluice answers errors with. */
export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  traceId: string;
}

const TRACEPARENT = /^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$/;

/** The trace id of the request: the active span's, the caller's `traceparent`, or a fresh one. */
export function traceIdOf(request: Pick<IncomingMessage, 'headers'>): string {
  const span = trace.getActiveSpan()?.spanContext();
  if (span && span.traceId !== '0'.repeat(32)) return span.traceId;
  const header = request.headers['traceparent'];
  const fromHeader = typeof header === 'string' ? TRACEPARENT.exec(header)?.[1] : undefined;
  return fromHeader ?? randomBytes(16).toString('hex');
}

/** 'PUBLISH_TOPIC_INVALID' -> 'Publish topic invalid': the same title for every problem of a type. */
const titleOf = (code: string) => code.charAt(0) + code.slice(1).toLowerCase().replace(/_/g, ' ');

/** Nest's own HttpExceptions (a 404 route, a body-parser 413) keep their status. */
function mapHttpException(exception: HttpException): MappedError {
  const status = exception.getStatus();
  const code = status === 413 ? 'PUBLISH_PAYLOAD_TOO_LARGE' : `HTTP_${status}`;
  return {
    http: status,
    graphql: '',
    code,
    message: exception.message,
    retryAfterSeconds: undefined,
    expected: true,
  };
}

/**
 * Writes a problem+json answer for any error (used by the filter and by the body-parser hook).
 *
 * @example writeProblem(request, response, new RateLimitedError('slow down', 1)); // 429, Retry-After: 1
 */
export function writeProblem(
  request: IncomingMessage,
  response: ServerResponse,
  exception: unknown,
  logger: Logger,
): void {
  const mapped = exception instanceof HttpException ? mapHttpException(exception) : mapError(exception);
  const traceId = traceIdOf(request);
  if (mapped.expected && mapped.http < 500)
    mistakes.note('Publish API', mapped.code, mapped.message, traceId);
  if (!mapped.expected) {
    logger.error(
      `trace ${traceId}: ${exception instanceof Error ? (exception.stack ?? exception.message) : String(exception)}`,
    );
  }
  const body: ProblemDetails = {
    type: `urn:sluice:error:${mapped.code}`,
    title: titleOf(mapped.code),
    status: mapped.http,
    detail: mapped.message,
    code: mapped.code,
    traceId,
  };
  if (mapped.retryAfterSeconds !== undefined)
    response.setHeader('Retry-After', String(mapped.retryAfterSeconds));
  if (mapped.http === 401) response.setHeader('WWW-Authenticate', 'Basic realm="sluice", charset="UTF-8"');
  response.statusCode = mapped.http;
  response.setHeader('Content-Type', 'application/problem+json');
  response.end(JSON.stringify(body));
}

/**
 * Answers errors of the publish API with `application/problem+json` (RFC 9457):
 * `{ type, title, status, detail, code, traceId }`, plus Retry-After on 429 and 503 and
 * WWW-Authenticate on 401. Unknown errors are logged with the trace id and answered generically.
 */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('PublishApi');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    writeProblem(
      http.getRequest<IncomingMessage>(),
      http.getResponse<ServerResponse>(),
      exception,
      this.logger,
    );
  }
}
