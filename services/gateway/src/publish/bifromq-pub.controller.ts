import { Controller, Inject, Post, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import {
  PublishPayloadTooLargeError,
  PublishService,
  type PublishConfig,
  type PublishPrincipal,
} from '@sluice/publish';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiKeyGuard, CurrentPrincipal } from './api-key.guard';
import { ProblemDetailsFilter } from './problem-details.filter';
import { PUBLISH_CONFIG } from './publish.tokens';
import { tracePropertiesOf } from './trace-properties';

type RequestWithBody = IncomingMessage & { body?: unknown };

/**
 * BifroMQ's `POST /pub`: topic, qos, retain, expiry_seconds and tenant_id in headers, the raw
 * body is the payload. Answers `OK`, or `NO_MATCH` when nobody subscribed, as BifroMQ does.
 */
@Controller('pub')
@UseFilters(ProblemDetailsFilter)
@UseGuards(ApiKeyGuard)
export class BifromqPubController {
  constructor(
    private readonly publisher: PublishService,
    @Inject(PUBLISH_CONFIG) private readonly config: PublishConfig,
  ) {}

  @Post()
  async pub(
    @CurrentPrincipal() principal: PublishPrincipal,
    @Req() request: RequestWithBody,
    @Res() response: ServerResponse,
  ): Promise<void> {
    const payload = await this.readPayload(request);
    const published = await this.publisher.publishBifromq(
      principal,
      request.headers,
      payload,
      tracePropertiesOf(request),
    );
    response.statusCode = 200;
    response.setHeader('Content-Type', 'text/plain; charset=utf-8');
    response.setHeader('X-Message-Id', published.id);
    response.end(published.reasonCode === 16 ? 'NO_MATCH' : 'OK');
  }

  /** The body as bytes, read up to the payload limit (a larger body is refused without reading it all). */
  private async readPayload(request: RequestWithBody): Promise<Buffer> {
    const limit = this.config.SLUICE_PUBLISH_MAX_PAYLOAD_BYTES;
    // why: a JSON or form body was already consumed by Nest's parsers; JSON is re-serialized
    if (request.readableEnded) {
      if (Buffer.isBuffer(request.body)) return request.body;
      if (typeof request.body === 'string') return Buffer.from(request.body);
      return request.body === undefined ? Buffer.alloc(0) : Buffer.from(JSON.stringify(request.body));
    }
    const declared = Number(request.headers['content-length']);
    if (declared > limit) throw new PublishPayloadTooLargeError(declared, limit);
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of request as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > limit) throw new PublishPayloadTooLargeError(size, limit);
      chunks.push(chunk);
    }
    return Buffer.concat(chunks);
  }
}
