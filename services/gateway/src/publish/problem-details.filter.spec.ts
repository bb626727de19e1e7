import { Logger, NotFoundException } from '@nestjs/common';
import { RateLimitedError, UnauthorizedError } from '@sluice/publish';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { writeProblem } from './problem-details.filter';

/** Records what the filter writes; only the members writeProblem uses. */
function fakeResponse() {
  const headers: Record<string, string> = {};
  const sent = { status: 0, body: '' };
  const response = {
    set statusCode(code: number) {
      sent.status = code;
    },
    setHeader: (name: string, value: string) => {
      headers[name.toLowerCase()] = value;
    },
    end: (body: string) => {
      sent.body = body;
    },
  };
  return { headers, sent, response: response as unknown as ServerResponse };
}

const request = { headers: {} } as IncomingMessage;

class RecordingLogger extends Logger {
  readonly errors: string[] = [];
  override error(message: string): void {
    this.errors.push(message);
  }
}

describe('writeProblem', () => {
  it('answers a SluiceError as problem+json with its code, and Retry-After when it has one', () => {
    const { headers, sent, response } = fakeResponse();
    writeProblem(request, response, new RateLimitedError('slow down', 2), new RecordingLogger());
    expect(sent.status).toBe(429);
    expect(headers['content-type']).toBe('application/problem+json');
    expect(headers['retry-after']).toBe('2');
    expect(JSON.parse(sent.body)).toEqual({
      type: 'urn:sluice:error:RATE_LIMITED',
      title: 'Rate limited',
      status: 429,
      detail: 'slow down',
      code: 'RATE_LIMITED',
      traceId: expect.stringMatching(/^[0-9a-f]{32}$/),
    });
  });

  it('asks for Basic credentials on 401', () => {
    const { headers, sent, response } = fakeResponse();
    writeProblem(request, response, new UnauthorizedError('who are you'), new RecordingLogger());
    expect(sent.status).toBe(401);
    expect(headers['www-authenticate']).toBe('Basic realm="sluice", charset="UTF-8"');
  });

  it('answers an unknown error with a generic 500, and logs it with the trace id', () => {
    const { sent, response } = fakeResponse();
    const logger = new RecordingLogger();
    writeProblem(request, response, new TypeError('secret internals'), logger);
    const body = JSON.parse(sent.body) as { status: number; code: string; detail: string; traceId: string };
    expect([sent.status, body.code]).toEqual([500, 'INTERNAL']);
    expect(body.detail).not.toContain('secret internals');
    expect(logger.errors).toHaveLength(1);
    expect(logger.errors[0]).toContain(body.traceId);
    expect(logger.errors[0]).toContain('secret internals');
  });

  it("keeps the status of Nest's own HTTP exceptions", () => {
    const { sent, response } = fakeResponse();
    writeProblem(request, response, new NotFoundException('no such route'), new RecordingLogger());
    expect([sent.status, (JSON.parse(sent.body) as { code: string }).code]).toEqual([404, 'HTTP_404']);
  });
});
